"""The privacy edge (channels/privacy.py): a channel's id never becomes Rasa's sender id.

The end-to-end checks through the running servers are in test_end_to_end.py."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.privacy import PrivacyEdge, RotatingKey, RoomOutput, key_lifetime


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
                           input_channel="socketio", metadata={"users": ["U024BE7LH"], "from": {"name": "Piet"}})
    private = edge.message(original, "rest")
    assert private.text == "ik word gepest"
    # The channel's own name counts, not the input_channel a REST client may claim.
    assert private.sender_id == edge.pseudonym("rest", "piet@example.nl") != "piet@example.nl"
    assert private.input_channel == "rest"
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


def store_with_clock(minutes: float = 30):
    from rasa.shared.core.domain import Domain

    from channels.storage import ExpiringInMemoryTrackerStore

    clock = FakeClock()
    return ExpiringInMemoryTrackerStore(Domain.empty(), idle_minutes=minutes, clock=clock), clock


def test_a_conversation_is_forgotten_after_the_idle_time(monkeypatch):
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    monkeypatch.delenv("WEGWIJZER_IDLE_MINUTES", raising=False)
    store, clock = store_with_clock(30)

    async def scenario():
        for sender in ("a", "b"):
            tracker = DialogueStateTracker(sender, slots=[])
            tracker.update(UserUttered("ik word gepest"))
            await store.save(tracker)
        clock.now = 29 * 60
        assert await store.retrieve("a") is not None
        tracker = await store.retrieve("b")
        tracker.update(UserUttered("vertel me meer"))
        await store.save(tracker)          # b is active again at 29 minutes
        clock.now = 30 * 60
        assert await store.retrieve("a") is None
        assert list(await store.keys()) == ["b"]
        clock.now = 59 * 60
        assert list(await store.keys()) == []  # b: 30 minutes after its last message

    asyncio.run(scenario())


@pytest.mark.parametrize("minutes", ["0", "-5", "1441", "lang", ""])
def test_a_bad_idle_time_is_refused_with_a_clear_message(monkeypatch, minutes):
    from channels.storage import idle_limit

    monkeypatch.setenv("WEGWIJZER_IDLE_MINUTES", minutes)
    with pytest.raises(SystemExit, match="WEGWIJZER_IDLE_MINUTES"):
        idle_limit(30)


def test_the_idle_time_comes_from_endpoints_yml(monkeypatch):
    import yaml

    from channels.storage import idle_limit

    monkeypatch.delenv("WEGWIJZER_IDLE_MINUTES", raising=False)
    config = yaml.safe_load(open("endpoints.yml"))["tracker_store"]
    assert config["type"] == "channels.storage.PrivateTrackerStore"
    assert idle_limit(config["idle_minutes"]) == 30 * 60


def test_redis_url_switches_to_redis_with_expiring_records(monkeypatch):
    from rasa.core.tracker_store import RedisTrackerStore
    from rasa.shared.core.domain import Domain

    from channels.storage import ExpiringInMemoryTrackerStore, PrivateTrackerStore

    monkeypatch.delenv("WEGWIJZER_IDLE_MINUTES", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(PrivateTrackerStore(Domain.empty(), idle_minutes=30), ExpiringInMemoryTrackerStore)
    monkeypatch.setenv("REDIS_URL", "redis://:s%40cret@redis.internal:6380/2")
    store = PrivateTrackerStore(Domain.empty(), idle_minutes=30)  # connects lazily
    assert isinstance(store, RedisTrackerStore)
    assert store.record_exp == 30 * 60 and isinstance(store.record_exp, int)  # redis-py needs an int
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == (
        "redis.internal", 6380, 2, "s@cret")


@pytest.mark.parametrize("url", ["localhost:6379", "http://redis:6379", "redis://", "redis://h:port/0",
                                 "redis://h:6379/zero"])
def test_a_bad_redis_url_is_refused_with_a_clear_message(url):
    from channels.storage import redis_settings

    with pytest.raises(SystemExit, match="REDIS_URL"):
        redis_settings(url)


def test_a_restart_forgets_what_came_before_it_in_the_store(monkeypatch):
    from rasa.shared.core.events import ActionExecuted, Restarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    monkeypatch.delenv("WEGWIJZER_IDLE_MINUTES", raising=False)
    store, _ = store_with_clock(30)

    async def scenario():
        tracker = DialogueStateTracker("r", slots=[])
        tracker.update(UserUttered("mijn geheim is zonnebloem"))
        tracker.update(UserUttered("/restart"))
        tracker.update(ActionExecuted("action_restart"))
        tracker.update(Restarted())
        tracker.update(UserUttered("ik word gepest"))
        await store.save(tracker)
        assert "zonnebloem" not in store.store["r"]
        again = await store.retrieve("r")
        assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["ik word gepest"]

    asyncio.run(scenario())


def test_replicas_share_one_key_through_redis_and_it_rotates(redis_url):
    import time

    import redis

    from channels.privacy import SharedKey

    redis.Redis.from_url(redis_url).delete(SharedKey.NAME)
    first, second = SharedKey(redis_url, 2), SharedKey(redis_url, 2)
    one, other = PrivacyEdge(first), PrivacyEdge(second)
    assert one.pseudonym("rest", "jan") == other.pseudonym("rest", "jan")  # two replicas agree
    key = first.current()
    time.sleep(2.2)
    assert first.current() != key and first.current() == second.current()  # rotated, shared
    assert redis.Redis.from_url(redis_url).ttl(SharedKey.NAME) <= 2


def test_redis_url_selects_redis_locks_too(monkeypatch):
    from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

    from channels.storage import PrivateLockStore

    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(PrivateLockStore(), InMemoryLockStore)
    monkeypatch.setenv("REDIS_URL", "redis://redis.internal:6380/3")
    store = PrivateLockStore()  # connects lazily
    assert isinstance(store, RedisLockStore)
    assert store.red.connection_pool.connection_kwargs["port"] == 6380
