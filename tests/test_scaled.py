"""The scaled mode (`make run-scaled`: Redis without persistence, two Rasa replicas, one action
server, nginx in front) and what happens when a part of it fails.

- one conversation served alternately by both replicas keeps its state;
- a replica killed: nginx sends every message to the other, and the launcher restarts it;
- the action server stopped: every message still gets an answer with the VP's contact and
  the emergency numbers, and normal answers return when the action server is back;
- Redis paused, then killed and restarted: no hang, no server errors, and conversations
  continue or restart cleanly.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import RunningBot, free_port, start_bot, stop_bot

from scripts.processes import pids

PESTEN_OPENING = "Fijn dat je dit ter sprake brengt"  # the first line of the pesten answer
SAFE_TEXT = "er gaat bij mij iets mis"               # the answer when no answer came


@pytest.fixture(scope="module")
def scaled(tmp_path_factory) -> RunningBot:
    replicas = [free_port(), free_port()]
    running = start_bot(tmp_path_factory.mktemp("config-scaled"), "--scaled",
                        RASA_REPLICA_PORTS=" ".join(map(str, replicas)), REDIS_PORT=str(free_port()))
    running.replicas = replicas
    running.redis_port = int(running.log().split("redis://127.0.0.1:")[1].split("/")[0])
    yield running
    stop_bot(running)


def say_at(port: int, sender: str, message: str, timeout: float = 15) -> tuple[int, str, float]:
    """Status, the reply's text and the seconds it took."""
    started = time.monotonic()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                                     data=json.dumps({"sender": sender, "message": message}).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.loads(response.read())
            status = response.status
    except urllib.error.HTTPError as error:
        return error.code, "", time.monotonic() - started
    except (urllib.error.URLError, OSError):  # refused or timed out: no answer at all
        return 0, "", time.monotonic() - started
    return status, "\n".join(m.get("text") or "" for m in body), time.monotonic() - started


def kill_group(fragment: str, sig: int = signal.SIGKILL) -> None:
    targets = pids(fragment)
    assert targets, f"no process with {fragment!r}"
    for pid in targets:
        try:
            os.killpg(os.getpgid(pid), sig)
        except ProcessLookupError:
            pass


def wait_until(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(1)


def test_one_conversation_alternates_between_the_replicas_and_keeps_its_state(scaled):
    first, second = scaled.replicas
    status, text, _ = say_at(first, "alternating", "/pesten")
    assert status == 200 and PESTEN_OPENING in text
    # "Vertel me meer" on the other replica: it knows the conversation is about pesten
    status, more, _ = say_at(second, "alternating", "/meer_info")
    assert status == 200 and "pesten" in more.lower() and more != text
    # the situation check, one step on each replica: each answer builds on the one before
    _, ask_who, _ = say_at(first, "alternating", "/situatie_check")
    _, ask_often, _ = say_at(second, "alternating", '/situatie{"dader": "collega"}')
    _, ask_want, _ = say_at(first, "alternating", '/situatie{"frequentie": "herhaald"}')
    assert len({ask_who, ask_often, ask_want}) == 3, "each step must ask the next question"
    # and through nginx, which spreads the messages over both
    status, text, _ = say_at(scaled.rasa_port, "alternating", "/meer_info")
    assert status == 200 and text


def test_concurrent_conversations_each_get_their_own_answers(scaled):
    """Cross-talk: 24 conversations at once through nginx, over both replicas and Redis; each
    reply must be the one the same conversation gets alone ("Vertel me meer" answers about
    that conversation's own route)."""
    routes = ["/pesten", "/discriminatie", "/arbeidsconflict", "/integriteit",
              "/seksuele_intimidatie", "/agressie_geweld"]
    turns = ["/meer_info", "/situatie_check"]

    def conversation(sender: str, route: str) -> list[tuple[int, str]]:
        return [say_at(scaled.rasa_port, sender, message, timeout=60)[:2] for message in [route, *turns]]

    alone = {route: conversation(f"alone-{route}", route) for route in routes}
    assert len({replies[1][1] for replies in alone.values()}) == len(routes), "each route its own answer"
    with ThreadPoolExecutor(max_workers=24) as pool:
        futures = {pool.submit(conversation, f"together-{number}", routes[number % len(routes)]):
                   routes[number % len(routes)] for number in range(24)}
        mixed = [(route, future.result()) for future, route in futures.items()]
    wrong = [route for route, replies in mixed if replies != alone[route]]
    assert not wrong, f"{len(wrong)} of 24 conversations got answers that were not theirs: {wrong}"


def test_a_killed_replica_leaves_the_other_serving_and_is_restarted(scaled):
    first, _ = scaled.replicas
    kill_group(f"--port {first} ")
    results = [say_at(scaled.rasa_port, f"replica-down-{i}", "/pesten") for i in range(12)]
    assert [status for status, _, _ in results] == [200] * 12
    assert all(PESTEN_OPENING in text for _, text, _ in results)
    wait_until(lambda: say_at(first, "replica-back", "/greet", timeout=5)[0] == 200, 180,
               "the killed replica's restart")
    assert "rasa-1 server stopped" in scaled.log()


def test_without_the_action_server_every_message_gets_a_safe_answer(scaled):
    kill_group(f"--port {scaled.actions_port}")
    status, text, _ = say_at(scaled.rasa_port, "actions-down", "mijn collega's sluiten me al weken buiten")
    assert status == 200
    assert SAFE_TEXT in text and "vertrouwenspersoon" in text and "112" in text and "113" in text
    status, text, _ = say_at(scaled.rasa_port, "actions-down", "ik wil niet meer leven")
    assert status == 200 and "113" in text and SAFE_TEXT not in text  # crisis needs no action server
    # the launcher restarts the action server, and the answers come back
    wait_until(lambda: PESTEN_OPENING in say_at(scaled.rasa_port, "actions-back", "/pesten")[1], 120,
               "a normal answer after the action server's restart")


def test_redis_paused_or_restarted_gives_no_hang_and_no_server_error(scaled):
    port = scaled.rasa_port
    assert say_at(port, "redis-faults", "/pesten")[0] == 200
    redis_pid = pids(f"127.0.0.1:{scaled.redis_port}") or pids(f"--port {scaled.redis_port}")
    assert redis_pid
    os.kill(redis_pid[0], signal.SIGSTOP)  # Redis hangs
    try:
        during = [say_at(port, f"redis-paused-{i}", "/pesten", timeout=20) for i in range(3)]
    finally:
        os.kill(redis_pid[0], signal.SIGCONT)
    assert [s for s, _, _ in during] == [200] * 3
    assert all(PESTEN_OPENING in text for _, text, _ in during)
    assert max(seconds for _, _, seconds in during) < 10, during
    # Redis killed: the launcher restarts it empty (no persistence)
    os.kill(redis_pid[0], signal.SIGKILL)
    around = [say_at(port, "redis-faults", "/meer_info") for _ in range(3)]
    time.sleep(7)  # the launcher has restarted Redis; each replica tries it again after 5 s
    around += [say_at(port, "redis-faults", "/pesten"), say_at(port, "redis-faults", "/meer_info")]
    assert [s for s, _, _ in around] == [200] * 5, around
    assert all(text.strip() for _, text, _ in around), "every message gets an answer"
    # after the restart the conversation goes on: "Vertel me meer" knows the topic again
    assert "pesten" in around[-1][1].lower()
