"""Anonymous insight: how many conversations per kind of question, per ISO week. Nothing else.

The guide asks the vertrouwenspersoon (VP) for an anonymous annual report and the employer
to use such signals in the RI&E. This module counts, per ISO week (for example "2026-W49"):

- `route:<intent>`: conversations in which one of the nine routing intents came up;
- `publiek:<audience>`: conversations that said who they are (the welcome's buttons, or
  typed): werknemer, omstander, vertrouwenspersoon, werkgever;
- `uitkomst:<outcome>`: conversations in which the bot showed a referral (`verwijzing`:
  another organisation, the crisis numbers) or how to reach the VP (`vp_contact`).

Each counts a conversation at most once per week key and name: the tracker store calls
`Insight.record` after every message, and a name is counted only when the latest turn
brings it up and no earlier turn of the same conversation did (a restart, "opnieuw", starts
a new conversation). What is stored is the week and the counter, no text, no conversation
id, no time finer than the week: the store's entire content is {"2026-W49": {"route:pesten": 7}}.

Where: a JSON file (WEGWIJZER_INSIGHT_FILE, default var/insight.json), or with
WEGWIJZER_INSIGHT_REDIS_URL a Redis hash per week (`wegwijzer:insight:2026-W49`). One setting,
WEGWIJZER_INSIGHT=off, switches counting off. Counting never breaks a conversation: a store
that fails is logged (without any text) and skipped.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

ROUTES = ("pesten", "seksuele_intimidatie", "discriminatie", "agressie_geweld",
          "arbeidsconflict", "prive_probleem", "integriteit", "beschuldigd", "crisis")
AUDIENCE_OF_INTENT = {"zelf_meemaken": "werknemer", "omstander": "omstander",
                      "ben_vertrouwenspersoon": "vertrouwenspersoon", "ben_werkgever": "werkgever"}
AUDIENCES = tuple(AUDIENCE_OF_INTENT.values())
OUTCOMES = ("verwijzing", "vp_contact")
# The slot the action server sets to what an answer showed (a list of OUTCOMES).
OUTCOME_SLOT = "getoond"
# The crisis answer comes from a rule (no action server): its numbers are a referral.
REFERRAL_RESPONSES = frozenset({"utter_crisis"})
COUNTERS = (*(f"route:{r}" for r in ROUTES), *(f"publiek:{a}" for a in AUDIENCES),
            *(f"uitkomst:{o}" for o in OUTCOMES))
WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")
DEFAULT_FILE = "var/insight.json"


def week_of(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _signals(events: Iterable[Any]) -> set[str]:
    found: set[str] = set()
    for event in events:
        if isinstance(event, UserUttered):
            intent = event.intent_name
            if intent in ROUTES:
                found.add(f"route:{intent}")
            elif intent in AUDIENCE_OF_INTENT:
                found.add(f"publiek:{AUDIENCE_OF_INTENT[intent]}")
        elif isinstance(event, SlotSet) and event.key == OUTCOME_SLOT:
            values = event.value if isinstance(event.value, list) else [event.value]
            found.update(f"uitkomst:{v}" for v in values if v in OUTCOMES)
        elif getattr(event, "metadata", None) and event.metadata.get("utter_action") in REFERRAL_RESPONSES:
            found.add("uitkomst:verwijzing")
    return found


def new_in_latest_turn(tracker: DialogueStateTracker) -> set[str]:
    """The counters the latest turn (the last user message and what followed) brings up for
    the first time in this conversation."""
    events = tracker.applied_events()
    last_user = max((i for i, e in enumerate(events) if isinstance(e, UserUttered)), default=None)
    if last_user is None:
        return set()
    return _signals(events[last_user:]) - _signals(events[:last_user])


class Store(Protocol):
    def add(self, week: str, names: Iterable[str]) -> None: ...
    def read(self) -> dict[str, dict[str, int]]: ...


def validated(data: Any, origin: str) -> dict[str, dict[str, int]]:
    """Counts as {week: {counter: n}}; anything else is an error naming `origin`."""
    if not isinstance(data, dict):
        raise ValueError(f"{origin}: expected a mapping of ISO weeks to counts")
    for week, counts in data.items():
        if not isinstance(week, str) or not WEEK.match(week):
            raise ValueError(f"{origin}: {week!r} is not an ISO week such as 2026-W49")
        if not isinstance(counts, dict):
            raise ValueError(f"{origin}: week {week} holds no counts")
        for name, n in counts.items():
            if name not in COUNTERS:
                raise ValueError(f"{origin}: week {week} has an unknown counter {name!r}")
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise ValueError(f"{origin}: week {week}, {name} is not a count")
    return data


class FileStore:
    """Counts in one JSON file, updated under an exclusive lock (several Rasa processes on one
    machine may share it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def add(self, week: str, names: Iterable[str]) -> None:
        names = [n for n in names if n in COUNTERS]
        if not names:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self.read()
            counts = data.setdefault(week, {})
            for name in names:
                counts[name] = counts.get(name, 0) + 1
            fresh = self.path.with_suffix(".tmp")
            fresh.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            fresh.replace(self.path)

    def read(self) -> dict[str, dict[str, int]]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValueError(f"{self.path}: not a readable counts file ({type(error).__name__})") from None
        return validated(data, str(self.path))


class RedisStore:
    """Counts in Redis: one hash per week. Use a Redis with persistence for these (the
    conversations' Redis runs without it, so counts kept there are lost on its restart)."""

    PREFIX = "wegwijzer:insight:"

    def __init__(self, url: str) -> None:
        import redis

        from channels.storage import redis_settings

        s = redis_settings(url)
        self._redis = redis.Redis(host=s["host"], port=s["port"], db=s["db"], username=s["username"],
                                  password=s["password"], ssl=s["use_ssl"], socket_timeout=2)

    def add(self, week: str, names: Iterable[str]) -> None:
        with self._redis.pipeline() as pipe:
            for name in names:
                if name in COUNTERS:
                    pipe.hincrby(self.PREFIX + week, name, 1)
            pipe.execute()

    def read(self) -> dict[str, dict[str, int]]:
        data = {}
        for key in self._redis.scan_iter(match=self.PREFIX + "*"):
            week = key.decode()[len(self.PREFIX):]
            data[week] = {k.decode(): int(v) for k, v in self._redis.hgetall(key).items()}
        return validated(data, f"Redis {self.PREFIX}*")


def configured_store(env: dict[str, str] | None = None) -> Store | None:
    """The store the environment asks for, or None when WEGWIJZER_INSIGHT=off."""
    env = os.environ if env is None else env
    switch = env.get("WEGWIJZER_INSIGHT", "on").strip().lower()
    if switch in {"off", "0", "false", "no", "uit"}:
        return None
    if switch not in {"on", "1", "true", "yes", "aan", ""}:
        raise SystemExit(f"WEGWIJZER_INSIGHT must be on or off, not {switch!r}")
    url = env.get("WEGWIJZER_INSIGHT_REDIS_URL", "").strip()
    if url:
        return RedisStore(url)
    return FileStore(env.get("WEGWIJZER_INSIGHT_FILE", "").strip() or DEFAULT_FILE)


class Insight:
    """Records what each turn adds; used by the tracker stores (channels/storage.py)."""

    def __init__(self, store: Store | None, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.store = store
        self._today = today

    def record(self, tracker: DialogueStateTracker) -> None:
        if self.store is None:
            return
        try:
            names = new_in_latest_turn(tracker)
            if names:
                self.store.add(week_of(self._today()), sorted(names))
        except Exception as error:  # never let counting break a conversation; no text logged
            logger.warning("Insight counting skipped: %s", type(error).__name__)
