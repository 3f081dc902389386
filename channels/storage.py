"""Conversations kept only while they are going on: in memory, or in Redis when REDIS_URL is set.

Rasa's InMemoryTrackerStore keeps every conversation until the process stops. This one
forgets a conversation once it has been idle for `idle_minutes` (endpoints.yml; the
environment variable WEGWIJZER_IDLE_MINUTES overrides it). Forgetting happens whenever the
store is used: a conversation older than the limit is gone before its next message is
read, so it starts afresh.

With REDIS_URL (redis://[:password@]host[:port][/db], or rediss:// for TLS; the switch the
scaled set-up uses, so replicas share conversations) the same endpoints.yml entry gives
Rasa's RedisTrackerStore instead, with `record_exp` set to the idle limit: Redis deletes a
conversation when it has not been saved for that long. Redis must run without persistence
(no RDB snapshots, no AOF), or conversations end up on its disk.
"""

from __future__ import annotations

import copy
import os
import time
from typing import Any, Callable, Iterable

import logging
from collections import OrderedDict
from urllib.parse import unquote, urlparse

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Restarted
from rasa.shared.core.trackers import DialogueStateTracker

from redis.exceptions import RedisError

from channels.insight import Insight, configured_store
from channels.privacy import bounded_number

logger = logging.getLogger(__name__)
DEFAULT_IDLE_MINUTES = 30.0


def idle_limit(configured: Any) -> float:
    """Seconds a conversation may be idle, from WEGWIJZER_IDLE_MINUTES or endpoints.yml
    (at most a day)."""
    raw = os.environ.get("WEGWIJZER_IDLE_MINUTES", configured)
    raw = DEFAULT_IDLE_MINUTES if raw is None else raw
    return bounded_number(raw, "idle_minutes / WEGWIJZER_IDLE_MINUTES", "minutes", 24 * 60) * 60


def redis_url() -> str:
    """REDIS_URL, the one switch to the scaled mode ("" when unset)."""
    return os.environ.get("REDIS_URL", "").strip()


def redis_settings(url: str) -> dict[str, Any]:
    """RedisTrackerStore's arguments from a redis:// URL; a bad URL stops the server with
    a message naming REDIS_URL."""
    parsed = urlparse(url)
    if parsed.scheme not in {"redis", "rediss"} or not parsed.hostname:
        raise SystemExit(f"REDIS_URL must look like redis://host:6379/0, not {url!r}")
    try:
        db = int(parsed.path.strip("/") or 0)
        port = parsed.port or 6379
    except ValueError:
        raise SystemExit(f"REDIS_URL has a bad port or database number: {url!r}") from None
    return {"host": parsed.hostname, "port": port, "db": db,
            "username": unquote(parsed.username) if parsed.username else None,
            "password": unquote(parsed.password) if parsed.password else None,
            "use_ssl": parsed.scheme == "rediss"}


def forget_before_restart(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """The tracker with only the events from its latest restart on. A restart ("opnieuw",
    the chat page's "Wis gesprek", `/restart`) then really forgets: Rasa itself keeps the
    whole history and merely ignores what came before."""
    events = list(tracker.events)
    last = max((i for i, e in enumerate(events) if isinstance(e, Restarted)), default=0)
    if not last:
        return tracker
    return DialogueStateTracker.from_events(tracker.sender_id, events[last:],
                                            slots=[copy.deepcopy(s) for s in tracker.slots.values()])


class RedisBreaker:
    """After Redis fails once, this process uses its in-memory fallbacks for `pause` seconds
    before trying Redis again: a hanging Redis then costs one timeout, not one per call."""

    TIMEOUT = 1.0  # seconds for any Redis call (Redis answers in well under a millisecond)

    def __init__(self, pause: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._pause, self._clock, self._until = pause, clock, 0.0

    def open(self) -> bool:
        return self._clock() < self._until

    def tripped(self, error: Exception) -> None:
        if not self.open():
            logger.warning("Redis unreachable (%s): using memory for %.0f s", type(error).__name__, self._pause)
        self._until = self._clock() + self._pause


BREAKER = RedisBreaker()


def _short_timeouts(client: Any) -> None:
    client.connection_pool.connection_kwargs.update(socket_timeout=RedisBreaker.TIMEOUT,
                                                    socket_connect_timeout=RedisBreaker.TIMEOUT)


class PrivateRedisTrackerStore(RedisTrackerStore):
    """Rasa's RedisTrackerStore that forgets what came before a restart, and counts what
    each message adds to the anonymous insight (channels/insight.py).

    While Redis cannot be reached (restarting, say), conversations are kept in this
    process's memory with the same idle limit, and Redis is tried again on every message.
    (Rasa's own fallback is an in-memory store that never forgets.) A conversation that
    began during the outage restarts cleanly once Redis answers again."""

    breaker = BREAKER

    insight = Insight(None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _short_timeouts(self.red)
        self.fallback = ExpiringInMemoryTrackerStore(self.domain, idle_minutes=self.record_exp / 60)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self.breaker.open():
            await self.fallback.save(tracker)
        else:
            try:
                await super().save(tracker)
            except RedisError as error:
                self.breaker.tripped(error)
                await self.fallback.save(tracker)
        self.insight.record(tracker)

    async def _retrieve(self, sender_id: str, fetch_all_sessions: bool) -> DialogueStateTracker | None:
        if not self.breaker.open():
            try:
                return await super()._retrieve(sender_id, fetch_all_sessions)
            except RedisError as error:
                self.breaker.tripped(error)
        return await self.fallback._retrieve(sender_id, fetch_all_sessions)

    def serialise_tracker(self, tracker: DialogueStateTracker) -> str:  # type: ignore[override]
        return super().serialise_tracker(forget_before_restart(tracker))


class ExpiringInMemoryTrackerStore(InMemoryTrackerStore):
    """InMemoryTrackerStore that drops conversations idle for longer than the limit, and
    forgets what came before a restart."""

    def __init__(self, domain: Domain, event_broker: Any = None, host: Any = None,
                 idle_minutes: Any = None, clock: Callable[[], float] = time.monotonic,
                 **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self._idle = idle_limit(idle_minutes)
        self._clock = clock
        # Conversation id -> time of its last save, oldest first: forgetting only looks at
        # the conversations that are due, not at all of them.
        self._last_seen: OrderedDict[str, float] = OrderedDict()
        self.insight = Insight(None)

    def forget_idle(self) -> None:
        cutoff = self._clock() - self._idle
        while self._last_seen and next(iter(self._last_seen.values())) <= cutoff:
            sender_id, _ = self._last_seen.popitem(last=False)
            self.store.pop(sender_id, None)

    async def save(self, tracker: DialogueStateTracker) -> None:
        self.forget_idle()
        await super().save(forget_before_restart(tracker))
        self._last_seen[tracker.sender_id] = self._clock()
        self._last_seen.move_to_end(tracker.sender_id)
        self.insight.record(tracker)

    async def _retrieve(self, sender_id: str, fetch_all_sessions: bool) -> DialogueStateTracker | None:
        self.forget_idle()
        return await super()._retrieve(sender_id, fetch_all_sessions)

    async def keys(self) -> Iterable[str]:
        self.forget_idle()
        return await super().keys()


class PrivateTrackerStore:
    """The tracker store endpoints.yml names: ExpiringInMemoryTrackerStore, or with REDIS_URL
    set, Rasa's RedisTrackerStore whose records expire after the same idle limit."""

    def __new__(cls, domain: Domain, event_broker: Any = None, host: Any = None,
                idle_minutes: Any = None, **kwargs: Any) -> TrackerStore:
        url = redis_url()
        store: ExpiringInMemoryTrackerStore | PrivateRedisTrackerStore
        if not url:
            store = ExpiringInMemoryTrackerStore(domain, event_broker, idle_minutes=idle_minutes,
                                                 **kwargs)
        else:
            store = PrivateRedisTrackerStore(domain, event_broker=event_broker,
                                             record_exp=max(1, round(idle_limit(idle_minutes))),
                                             key_prefix="wegwijzer", **redis_settings(url))
        store.insight = Insight(configured_store())
        return store


class PrivateLockStore:
    """The lock store endpoints.yml names: Rasa's in-memory one, or with REDIS_URL set its
    RedisLockStore, so that replicas never handle two messages of one conversation at once."""

    def __new__(cls, endpoint_config: Any = None, **kwargs: Any) -> LockStore:
        url = redis_url()
        if not url:
            return InMemoryLockStore()
        settings = redis_settings(url)
        return FailSafeRedisLockStore(host=settings["host"], port=settings["port"], db=settings["db"],
                                      username=settings["username"], password=settings["password"],
                                      use_ssl=settings["use_ssl"], key_prefix="wegwijzer")


class FailSafeRedisLockStore(RedisLockStore):
    """RedisLockStore that uses in-process locks while Redis cannot be reached, instead of
    failing the message with a server error (a Redis restart takes about a second)."""

    breaker = BREAKER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _short_timeouts(self.red)
        self.fallback = InMemoryLockStore()

    def get_lock(self, conversation_id: str) -> Any:
        if not self.breaker.open():
            try:
                return super().get_lock(conversation_id) or self.fallback.get_lock(conversation_id)
            except RedisError as error:
                self.breaker.tripped(error)
        return self.fallback.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.fallback.delete_lock(conversation_id)
        if not self.breaker.open():
            try:
                super().delete_lock(conversation_id)
            except RedisError as error:
                self.breaker.tripped(error)

    def save_lock(self, lock: Any) -> None:
        if not self.breaker.open():
            try:
                super().save_lock(lock)
                return
            except RedisError as error:
                self.breaker.tripped(error)
        self.fallback.save_lock(lock)
