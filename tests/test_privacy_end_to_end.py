"""End to end: conversations full of personal data leave no trace of it anywhere.

The assistant runs as `make run` starts it, but in its scaled storage mode (REDIS_URL, a
private redis-server without persistence), with Slack and Teams enabled against local fakes
of their services, and at the most verbose log level allowed without the developer flag
(LOG_LEVEL=INFO, also for the libraries): conftest.full_bot. Conversations go in over REST,
socket.io, Slack direct messages and a Teams personal chat. Afterwards every value in Redis, the servers' whole log output and every file
written during the test are searched for the personal data and the channel ids: zero hits.
A conversation restarted with "opnieuw" keeps nothing of what came before. The same check
for the in-memory store runs in test_privacy_memory.py.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import redis
from conftest import ROOT, slack_dm, slack_request, socketio_conversation, teams_request

from channels.insight import COUNTERS, WEEK

INSIGHT_PREFIX = b"wegwijzer:insight:"

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
CHANNEL_IDS = ["jan.devries@bedrijf.nl", "browser-sessie-4f1c9e", "U0PRIVTEST", "D0PRIVDM",
               "29:teams-privacy-user"]


def redis_contents(url: str) -> tuple[list[bytes], bytes]:
    """Every key and every value in Redis: the tracker store writes plain strings, the
    anonymous insight one hash per week."""
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter("*"))
    values = []
    for key in keys:
        if key.startswith(INSIGHT_PREFIX):
            assert client.type(key) == b"hash"
            values += [b"%s=%s" % item for item in client.hgetall(key).items()]
        else:
            assert client.type(key) == b"string"
            values.append(client.get(key) or b"")
    return keys, b"".join(keys) + b"".join(values)


def insight_contents(url: str) -> dict[str, dict[str, str]]:
    client = redis.Redis.from_url(url)
    return {key.decode()[len(INSIGHT_PREFIX):]: {k.decode(): v.decode() for k, v in client.hgetall(key).items()}
            for key in client.scan_iter(INSIGHT_PREFIX + b"*")}


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


def test_personal_data_leaves_no_trace(full_bot, redis_url, full_bot_started, fake_slack,
                                      fake_microsoft):
    answers = [full_bot.say(CHANNEL_IDS[0], message) for message in CONVERSATION]
    answers_socket = socketio_conversation(full_bot.rasa_port, CHANNEL_IDS[1], CONVERSATION[:3])
    before = len(fake_slack.posts)
    for message in CONVERSATION[:3]:
        status, _ = slack_request(full_bot.rasa_port, slack_dm(message, user=CHANNEL_IDS[2],
                                                                 channel=CHANNEL_IDS[3]))
        assert status == 200
    slack_replies = fake_slack.wait_for(before + 3)[before:]
    assert slack_replies and all(p["channel"] == CHANNEL_IDS[3] for p in slack_replies)
    before = len(fake_microsoft.activities)
    for message in CONVERSATION[3:]:
        activity = fake_microsoft.activity(message, user=CHANNEL_IDS[4])
        assert teams_request(full_bot.rasa_port, activity, fake_microsoft.jwt()) == 200
    assert fake_microsoft.wait_for(before + 2)[before:]
    # The bot understood the messages (so the check below is about a real conversation).
    first = "\n".join(r.get("text", "") for r in answers[0]).lower()
    assert "pesten" in first or "vertrouwenspersoon" in first
    assert all(a.strip() for a in answers_socket)
    # "opnieuw" forgets what came before it, in the store too
    full_bot.say("restart-check", "ik word gepest, mijn lievelingsbloem is de zonnebloem")
    full_bot.say("restart-check", "opnieuw")
    time.sleep(1)

    keys, stored = redis_contents(redis_url)
    client = redis.Redis.from_url(redis_url)
    # conversations, and (while a message is handled) Rasa's locks, which hold only a
    # pseudonym and ticket numbers and are deleted when done
    conversations = [key for key in keys if key.startswith(b"wegwijzer:tracker:")]
    assert conversations, "the conversations should be in Redis"
    assert all(key.startswith((b"wegwijzer:tracker:", b"wegwijzer:lock:", INSIGHT_PREFIX))
               or key == b"wegwijzer:idkey" for key in keys), keys
    # the anonymous insight (conftest.full_bot keeps it in this Redis): ISO weeks, fixed
    # counter names and whole numbers, nothing else; this conversation's route is counted
    insight = insight_contents(redis_url)
    assert insight, "the conversations should have been counted"
    for week, counts in insight.items():
        assert WEEK.match(week), week
        assert set(counts) <= set(COUNTERS) and all(v.isdigit() for v in counts.values()), counts
    assert any(int(c.get("route:pesten", 0)) >= 1 for c in insight.values()), insight
    assert all(0 < client.ttl(key) <= 300 for key in conversations), "every conversation must expire"
    # the replicas' shared pseudonymisation key expires within a day too
    assert 0 < client.ttl(b"wegwijzer:idkey") <= 24 * 3600

    log = full_bot.log().encode()
    assert b" INFO " in log, "the servers should have logged at INFO"
    written = files_written_since(full_bot_started, [ROOT, Path(tempfile.gettempdir())])
    sent_to_slack = json.dumps(fake_slack.posts + fake_microsoft.activities, ensure_ascii=False).encode()
    files = b"".join(p.read_bytes() for p in written if p.stat().st_size < 50_000_000)

    for secret in SECRETS + CHANNEL_IDS:
        needle = secret.encode()
        assert needle not in stored, f"{secret!r} is in Redis"
        assert needle not in log, f"{secret!r} is in the log"
        assert needle not in files, f"{secret!r} is in a file written during the test"
        if secret not in CHANNEL_IDS[2:]:  # Slack needs its own channel id for the reply
            assert needle not in sent_to_slack, f"{secret!r} was sent back to Slack or Teams"
    assert b"[ADRES]" in stored and b"[NAAM]" in stored  # the scrubbed messages were stored
    assert b"zonnebloem" not in stored, "a restart must forget the conversation before it"
