"""Bad input on every public endpoint: never a 5xx or a crash, a clear 4xx for a malformed
request, and a kind Dutch answer for an empty or over-long message.

Endpoints: the REST webhook, socket.io, the chat page server (conftest.bot), and the Slack and
Teams webhooks (conftest.full_bot). After all cases each server still answers normally.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from conftest import slack_dm, slack_request, socketio_conversation, teams_request

from channels.privacy import EMPTY, MAX_MESSAGE_CHARS, TOO_LONG


def post(port: int, body: bytes, content_type: str = "application/json") -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


MALFORMED = {
    "empty body": b"",
    "only whitespace": b"   \n",
    "truncated object": b'{"sender": "a", "message": "ik word',
    "unclosed brace": b'{"message": "hoi"',
    "a lone brace": b"{",
    "an array": b"[]",
    "an array of messages": b'[{"message": "hoi"}]',
    "a string": b'"ik word gepest"',
    "null": b"null",
    "a number": b"123",
    "true": b"true",
    "message is a number": b'{"message": 5}',
    "message is null": b'{"message": null}',
    "message is a list": b'{"message": ["ik", "word", "gepest"]}',
    "message is an object": b'{"message": {"text": "hoi"}}',
    "message is NaN": b'{"message": NaN}',
    "message is missing": b'{"sender": "a"}',
    "sender is a list": b'{"sender": [1], "message": "hoi"}',
    "sender is an object": b'{"sender": {"id": 1}, "message": "hoi"}',
    "invalid UTF-8": b'{"message": "\xff\xfe\xfa"}',
    "binary": bytes(range(256)),
    "HTML instead of JSON": b"<html><body>hoi</body></html>",
    "a form instead of JSON": b"sender=a&message=hoi",
    "XML": b"<?xml version='1.0'?><message>hoi</message>",
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_rest_requests_get_a_clear_400(bot, name):
    status, body = post(bot.rasa_port, MALFORMED[name])
    assert status == 400, (name, status, body[:200])
    assert b"JSON" in body or b"tekst" in body


ODD_MESSAGES = {
    "empty": "",
    "whitespace": " \n\t ",
    "only control characters": "\x00\x01\x07\x1b",
    "control characters inside": "ik word\x00 gepest\x07 op\x1b mijn werk",
    "HTML": "<script>alert('x')</script>",
    "an image tag": "<img src=x onerror=alert(1)>",
    "SQL": "'; DROP TABLE trackers; --",
    "SQL or": "1' OR '1'='1",
    "template syntax": "{{7*7}} ${jndi:ldap://x} %s %n",
    "emoji": "😢😢😢 ik word gepest 😡",
    "only emoji": "🙈🙉🙊",
    "Arabic (right to left)": "أنا أتعرض للتنمر في العمل",
    "Hebrew": "אני מרגיש רע בעבודה",
    "a right-to-left override": "\u202eik word gepest op mijn werk",
    "zero-width characters": "\u200b\u200bik\u200d word\ufeff gepest",
    "combining characters": "Z̴̡̧a̶l̵g̸o̴ ik word gepest",
    "a lone surrogate": "ik word gepest \ud800",
    "a long word": "a" * 1999,
    "exactly the limit": ("ik word gepest op mijn werk. " * 80)[:MAX_MESSAGE_CHARS],
    "one over the limit": "x" * (MAX_MESSAGE_CHARS + 1),
    "100 kB": "ik word gepest " * 7000,
    "an unknown intent payload": "/bestaat_niet",
    "a payload with entities": '/pesten{"dader": "collega"}',
    "a broken payload": '/pesten{"dader": ',
    "a lone slash": "/",
    "restart": "/restart",
    "newlines": "\n\n\nik word gepest\n\n\n",
}


@pytest.mark.parametrize("name", ODD_MESSAGES)
def test_odd_messages_get_a_kind_answer(bot, name):
    text = ODD_MESSAGES[name]
    status, body = post(bot.rasa_port, json.dumps({"sender": f"bad-{name}", "message": text}).encode())
    assert status == 200, (name, status, body[:200])
    replies = json.loads(body)
    if name in ("empty", "whitespace", "only control characters"):
        assert [r.get("text") for r in replies] == [EMPTY]
    elif len(text) > MAX_MESSAGE_CHARS:
        assert [r.get("text") for r in replies] == [TOO_LONG]
    elif name != "restart":
        assert replies and any(r.get("text") for r in replies), name


@pytest.mark.parametrize("sender", [12345, "x" * 10_000, "👩‍💼 collega", "", "\x00"])
def test_odd_senders_are_fine(bot, sender):
    status, body = post(bot.rasa_port, json.dumps({"sender": sender, "message": "hallo"}).encode())
    assert status == 200 and json.loads(body)


def test_the_rest_webhook_only_takes_post(bot):
    request = urllib.request.Request(f"http://127.0.0.1:{bot.rasa_port}/webhooks/rest/webhook")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 405


def test_socketio_odd_events_do_not_break_the_server(bot):
    import socketio

    client = socketio.Client(reconnection=False)
    client.connect(f"http://127.0.0.1:{bot.rasa_port}", transports=["polling"], wait_timeout=10)
    for data in (None, "hoi", 5, [], {}, {"message": 5}, {"message": None, "session_id": "odd"},
                 {"message": "hoi", "session_id": ["x"]}, {"metadata": "{not json", "message": "hoi"}):
        client.emit("user_uttered", data)
    time.sleep(2)
    client.disconnect()
    # the server still holds a normal conversation, and answers a too-long message kindly
    long, normal = socketio_conversation(bot.rasa_port, "odd-after", ["x" * 5000, "ik word gepest"])
    assert TOO_LONG in long
    assert "vertrouwenspersoon" in normal.lower()


@pytest.mark.parametrize("path", ["/%00", "/../../etc/passwd", "/..%2f..%2fREADME.md", "/" + "a" * 5000,
                                  "/?q=<script>alert(1)</script>", "/vendor/../serve.py"])
def test_the_page_server_answers_odd_paths_without_errors(bot, path):
    request = urllib.request.Request(f"http://127.0.0.1:{bot.web_port}{path}")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            status, body = reply.status, reply.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    assert status in (200, 404, 414), (path, status)
    assert b"import " not in body and b"root:" not in body  # no source file, no system file


def test_the_page_server_refuses_other_methods(bot):
    for method in ("POST", "PUT", "DELETE"):
        request = urllib.request.Request(f"http://127.0.0.1:{bot.web_port}/", data=b"x", method=method)
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=10)
        assert error.value.code == 405


SLACK_BODIES = {
    "not JSON": b"{not json",
    "a JSON array": b"[]",
    "event is a string": b'{"type": "event_callback", "event": "hoi"}',
    "text is a number": b'{"type": "event_callback", "event": {"type": "message", "channel_type": "im", "text": 5}}',
}


@pytest.mark.parametrize("name", SLACK_BODIES)
def test_signed_but_malformed_slack_bodies_get_400(full_bot, name):
    status, _ = slack_request(full_bot.rasa_port, SLACK_BODIES[name])
    assert status == 400, (name, status)


def test_a_malformed_slack_interaction_gets_400(full_bot):
    for payload in ({"type": "block_actions", "actions": []}, {"type": "block_actions", "actions": "x"}):
        status, _ = slack_request(full_bot.rasa_port, payload, form=True)
        assert status == 400, payload


def test_a_too_long_slack_message_gets_the_kind_answer(full_bot, fake_slack):
    assert slack_request(full_bot.rasa_port, slack_dm("x" * 5000, channel="D0TOOLONG"))[0] == 200
    deadline = time.monotonic() + 20
    while not [p for p in fake_slack.posts if p.get("channel") == "D0TOOLONG"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [p["text"] for p in fake_slack.posts if p.get("channel") == "D0TOOLONG"] == [TOO_LONG]


def test_malformed_teams_requests_get_4xx(full_bot, fake_microsoft):
    token = fake_microsoft.jwt()
    assert teams_request(full_bot.rasa_port, b"{not json", token) == 400
    assert teams_request(full_bot.rasa_port, b"[]", token) == 400
    assert teams_request(full_bot.rasa_port, b'"hoi"', None) == 400
    odd = fake_microsoft.activity("hoi")
    odd["conversation"] = "not an object"
    assert teams_request(full_bot.rasa_port, odd, token) == 200  # acknowledged, ignored
    odd = fake_microsoft.activity("hoi")
    odd["text"] = {"nested": True}
    assert teams_request(full_bot.rasa_port, odd, token) == 200
    long = fake_microsoft.activity("x" * 5000)
    assert teams_request(full_bot.rasa_port, long, token) == 200
    deadline = time.monotonic() + 20
    mine = []
    while not mine and time.monotonic() < deadline:
        time.sleep(0.2)
        mine = [a for a in fake_microsoft.activities if long["conversation"]["id"] in a["path"]]
    assert [a.get("text") for a in mine] == [TOO_LONG]
