"""The privacy edge (channels/privacy.py): a channel's id never becomes Rasa's sender id."""

from __future__ import annotations

import asyncio
import queue

import pytest
import socketio
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.privacy import PrivacyEdge, RotatingKey, RoomOutput, key_lifetime
from conftest import post_json


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def edge_with_clock(hours: float = 24) -> tuple[PrivacyEdge, FakeClock]:
    clock = FakeClock()
    return PrivacyEdge(RotatingKey(hours * 3600, clock)), clock


def test_the_same_id_keeps_one_conversation_until_the_key_rotates():
    edge, clock = edge_with_clock()
    first = edge.pseudonym("rest", "jan.devries@example.nl")
    clock.now = 23.9 * 3600
    assert edge.pseudonym("rest", "jan.devries@example.nl") == first
    clock.now = 24 * 3600
    assert edge.pseudonym("rest", "jan.devries@example.nl") != first


def test_the_pseudonym_reveals_nothing_of_the_id():
    edge, _ = edge_with_clock()
    raw = "U024BE7LH"  # a Slack-style user id
    pseudonym = edge.pseudonym("slack", raw)
    assert raw.lower() not in pseudonym.lower() and len(pseudonym) == 32
    # Another process (another key) cannot compute the same pseudonym from the same id.
    assert PrivacyEdge(RotatingKey(3600)).pseudonym("slack", raw) != pseudonym
    # Different people, and the same id on two channels, are different conversations.
    assert edge.pseudonym("slack", "U024BE7LJ") != pseudonym
    assert edge.pseudonym("msteams", raw) != pseudonym


def test_odd_ids_do_not_crash():
    edge, _ = edge_with_clock()
    names = {edge.pseudonym("rest", raw) for raw in (" ", "\ud800", "x" * 100_000, "😀")}
    assert len(names) == 4


def test_messages_without_an_id_do_not_share_a_conversation():
    edge, _ = edge_with_clock()
    names = {edge.pseudonym("rest", raw) for raw in (None, None, "", "")}
    assert len(names) == 4


def test_the_message_keeps_its_text_and_loses_id_and_metadata():
    edge, _ = edge_with_clock()
    original = UserMessage("ik word gepest", CollectingOutputChannel(), "piet@example.nl",
                           input_channel="rest", metadata={"users": ["U024BE7LH"], "from": {"name": "Piet"}})
    private = edge.message(original)
    assert private.text == "ik word gepest"
    assert private.sender_id == edge.pseudonym("rest", "piet@example.nl") != "piet@example.nl"
    assert private.metadata is None
    assert private.output_channel is original.output_channel


@pytest.mark.parametrize("hours", ["0", "-1", "25", "een dag", ""])
def test_a_bad_key_lifetime_is_refused_with_a_clear_message(monkeypatch, hours):
    monkeypatch.setenv("WEGWIJZER_ID_KEY_HOURS", hours)
    with pytest.raises(SystemExit, match="WEGWIJZER_ID_KEY_HOURS"):
        key_lifetime()


def test_the_key_lives_a_day_by_default(monkeypatch):
    monkeypatch.delenv("WEGWIJZER_ID_KEY_HOURS", raising=False)
    assert key_lifetime() == 24 * 3600


def test_socketio_replies_go_to_the_browsers_room_not_the_pseudonym():
    sent = []

    class FakeServer:
        async def emit(self, event, data, room=None):
            sent.append((event, data, room))

    output = RoomOutput(FakeServer(), "bot_uttered", room="browser-session-1")
    asyncio.run(output.send_text_message("3f2a-pseudonym", "Hallo"))
    assert sent == [("bot_uttered", {"text": "Hallo"}, "browser-session-1")]


def test_a_socketio_conversation_gets_its_replies(bot):
    """The intranet page's path, end to end: session, message, replies in the same session."""
    replies: queue.Queue = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", lambda data: replies.put(data))
    client.on("session_confirm", lambda session_id: replies.put({"session": session_id}))
    client.connect(f"http://127.0.0.1:{bot.rasa_port}", transports=["polling"], wait_timeout=10)
    try:
        client.emit("session_request", {"session_id": "browser-session-e2e"})
        assert replies.get(timeout=10) == {"session": "browser-session-e2e"}
        client.emit("user_uttered", {"message": "ik wil niet meer leven", "session_id": "browser-session-e2e"})
        texts = [replies.get(timeout=30).get("text", "")]
        while True:
            try:
                texts.append(replies.get(timeout=2).get("text", ""))
            except queue.Empty:
                break
    finally:
        client.disconnect()
    answer = "\n".join(texts)
    assert "113" in answer and "112" in answer


def test_rest_messages_without_a_sender_are_not_one_shared_conversation(bot):
    """Without the edge, Rasa files every sender-less message under "default", so the second
    would continue the first one's conversation."""
    def texts(replies):
        return [r.get("text") for r in replies]

    bot.say("shared-check-1", "ik word gepest")
    continued = texts(bot.say("shared-check-1", "vertel me meer"))   # pesten, told in full
    alone = texts(bot.say("shared-check-2", "vertel me meer"))       # no topic to continue
    assert continued != alone  # so the check below can tell the two apart

    url = f"http://127.0.0.1:{bot.rasa_port}/webhooks/rest/webhook"
    post_json(url, {"message": "ik word gepest"})
    assert texts(post_json(url, {"message": "vertel me meer"})) == alone
