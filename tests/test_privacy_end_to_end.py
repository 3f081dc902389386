"""End to end: conversations full of personal data leave no trace of it anywhere.

The assistant runs as `make run` starts it, but in its scaled storage mode (REDIS_URL, a
private redis-server without persistence) and at the most verbose log level allowed without
the developer flag (LOG_LEVEL=INFO, also for the libraries). Conversations go in over REST
and socket.io. Afterwards every value in Redis, the servers' whole log output and every file
written during the test are searched for the personal data and the channel ids: zero hits.
A conversation restarted with "opnieuw" keeps nothing of what came before. The same check
for the in-memory store runs in test_privacy_memory.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis
from conftest import ROOT, free_port, socketio_conversation, start_bot, stop_bot

# Each message carries personal data; `secrets` are the strings that must not survive.
CONVERSATION = [
    "mijn collega Sanne Visser stuurt me steeds appjes op 06-41825937, ik word er gek van",
    "meneer Okonkwo van inkoop zit aan me, mijn mail is fenna.de.haan@voorbeeld.nl",
    "ik woon op de Dotterbloemstraat 17, 3552 HK Utrecht en hij staat daar met zijn auto GX-482-T",
    "mijn personeelsnummer is 774213 en mijn bsn is 296485314, geboren op 3 maart 1988",
    "ze willen mijn salaris op NL18 RABO 0312 4567 89 zetten, terwijl Mehmet Yıldırım dat regelt",
]
SECRETS = ["Sanne", "Visser", "06-41825937", "41825937", "Okonkwo", "fenna.de.haan",
           "voorbeeld.nl", "Dotterbloemstraat", "3552 HK", "GX-482-T", "774213", "296485314",
           "3 maart 1988", "RABO 0312", "0312 4567", "Mehmet", "Yıldırım"]
CHANNEL_IDS = ["jan.devries@bedrijf.nl", "browser-sessie-4f1c9e"]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing: `make test` installs it (Debian package redis-server)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    # No persistence at all: no RDB snapshots, no append-only file.
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def started():
    return time.time()


@pytest.fixture(scope="module")
def redis_bot(tmp_path_factory, redis_url, started):
    running = start_bot(tmp_path_factory.mktemp("config-redis"), REDIS_URL=redis_url,
                        LOG_LEVEL="INFO", LOG_LEVEL_LIBRARIES="INFO",
                        WEGWIJZER_IDLE_MINUTES="5")
    yield running
    stop_bot(running)


def redis_contents(url: str) -> tuple[list[bytes], bytes]:
    """Every key and every value in Redis (the tracker store writes plain strings)."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter("*"))
    assert all(client.type(key) == b"string" for key in keys)
    return keys, b"".join(keys) + b"".join(client.get(key) or b"" for key in keys)


def files_written_since(moment: float, roots: list[Path]) -> list[Path]:
    skip = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache"}
    found = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in skip]
            for name in files:
                path = Path(folder, name)
                try:
                    if path.stat().st_mtime >= moment and path.is_file():
                        found.append(path)
                except OSError:
                    pass
    return found


def test_personal_data_leaves_no_trace(redis_bot, redis_url, started):
    answers = [redis_bot.say(CHANNEL_IDS[0], message) for message in CONVERSATION]
    answers_socket = socketio_conversation(redis_bot.rasa_port, CHANNEL_IDS[1], CONVERSATION[:3])
    # The bot understood the messages (so the check below is about a real conversation).
    first = "\n".join(r.get("text", "") for r in answers[0]).lower()
    assert "pesten" in first or "vertrouwenspersoon" in first
    assert all(a.strip() for a in answers_socket)
    # "opnieuw" forgets what came before it, in the store too
    redis_bot.say("restart-check", "ik word gepest, mijn lievelingsbloem is de zonnebloem")
    redis_bot.say("restart-check", "opnieuw")
    time.sleep(1)

    keys, stored = redis_contents(redis_url)
    assert keys, "the conversations should be in Redis"
    client = redis.Redis.from_url(redis_url)
    assert all(0 < client.ttl(key) <= 300 for key in keys), "every conversation must expire"

    log = redis_bot.log().encode()
    assert b" INFO " in log, "the servers should have logged at INFO"
    written = files_written_since(started, [ROOT, Path(tempfile.gettempdir())])
    files = b"".join(p.read_bytes() for p in written if p.stat().st_size < 50_000_000)

    for secret in SECRETS + CHANNEL_IDS:
        needle = secret.encode()
        assert needle not in stored, f"{secret!r} is in Redis"
        assert needle not in log, f"{secret!r} is in the log"
        assert needle not in files, f"{secret!r} is in a file written during the test"
    assert b"[ADRES]" in stored and b"[NAAM]" in stored  # the scrubbed messages were stored
    assert b"zonnebloem" not in stored, "a restart must forget the conversation before it"
