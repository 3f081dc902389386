"""The anonymous insight counts (channels/insight.py): each conversation counted once per
route, audience and outcome; nothing but weeks, counter names and numbers is written; the
report (scripts/report.py) shows what scripted conversations did."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT
from rasa.shared.core.events import (ActionExecuted, BotUttered, Restarted, SlotSet, UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker

from actions.answers import OUTCOME_SLOT as ACTIONS_OUTCOME_SLOT
from channels.insight import (COUNTERS, OUTCOME_SLOT, FileStore, Insight, configured_store,
                              new_in_latest_turn, week_of)


def user(intent: str, text: str = "iets") -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 0.9})


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("pseudonym", list(events))


def test_a_route_counts_once_per_conversation_and_again_after_a_restart():
    first = tracker(user("pesten"), ActionExecuted("action_answer_route"))
    assert new_in_latest_turn(first) == {"route:pesten"}
    again = tracker(*first.events, user("pesten"), ActionExecuted("action_answer_route"))
    assert new_in_latest_turn(again) == set()
    restarted = tracker(*again.events, Restarted(), user("pesten"))
    assert new_in_latest_turn(restarted) == {"route:pesten"}


def test_audience_and_outcomes_come_from_intents_slots_and_the_crisis_answer():
    turn = tracker(user("zelf_meemaken"), user("discriminatie"),
                   SlotSet(OUTCOME_SLOT, ["verwijzing", "vp_contact"]))
    assert new_in_latest_turn(turn) == {"route:discriminatie", "uitkomst:verwijzing", "uitkomst:vp_contact"}
    crisis = tracker(user("crisis"), BotUttered("Bel 112", metadata={"utter_action": "utter_crisis"}))
    assert new_in_latest_turn(crisis) == {"route:crisis", "uitkomst:verwijzing"}
    assert new_in_latest_turn(tracker(user("ben_werkgever"))) == {"publiek:werkgever"}
    # anything not on the fixed list is never a counter
    odd = tracker(user("greet"), SlotSet(OUTCOME_SLOT, ["Jan de Vries"]), SlotSet("topic", "pesten"))
    assert new_in_latest_turn(odd) == set()


def test_the_action_server_and_the_counter_agree_on_the_slot():
    assert ACTIONS_OUTCOME_SLOT == OUTCOME_SLOT
    domain = (ROOT / "domain.yml").read_text()
    assert f"  {OUTCOME_SLOT}:\n    type: list" in domain


def test_the_file_holds_only_weeks_counters_and_numbers(tmp_path):
    store = FileStore(tmp_path / "insight.json")
    insight = Insight(store, today=lambda: dt.date(2026, 12, 2))
    insight.record(tracker(user("pesten", "Jan de Vries pest me, 06-12345678")))
    insight.record(tracker(user("crisis"), BotUttered("x", metadata={"utter_action": "utter_crisis"})))
    text = (tmp_path / "insight.json").read_text()
    assert json.loads(text) == {"2026-W49": {"route:pesten": 1, "route:crisis": 1, "uitkomst:verwijzing": 1}}
    assert "Jan" not in text and "0612" not in text and "pseudonym" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["insight.json", "insight.lock"]
    assert week_of(dt.date(2021, 1, 3)) == "2020-W53"


def test_counting_never_breaks_a_conversation(tmp_path, caplog):
    (tmp_path / "insight.json").write_text("{not json")
    Insight(FileStore(tmp_path / "insight.json")).record(tracker(user("pesten", "geheime tekst")))
    assert "Insight counting skipped" in caplog.text and "geheime" not in caplog.text


def test_one_setting_switches_counting_off_and_bad_settings_stop_the_start(tmp_path):
    assert configured_store({"WEGWIJZER_INSIGHT": "off"}) is None
    store = configured_store({"WEGWIJZER_INSIGHT_FILE": str(tmp_path / "x.json")})
    assert isinstance(store, FileStore) and store.path == tmp_path / "x.json"
    with pytest.raises(SystemExit, match="WEGWIJZER_INSIGHT"):
        configured_store({"WEGWIJZER_INSIGHT": "misschien"})
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"2026-W49": {"naam:Jan": 1}}))
    with pytest.raises(ValueError, match="bad.json.*naam:Jan"):
        FileStore(bad).read()


# Scripted conversations through the running assistant (conftest.bot: `make run`'s launcher,
# action server included). Each list is one conversation; payloads are what the buttons send.
SCRIPT = (
    [["/zelf_meemaken", "/pesten", "/pesten"]] * 6          # pesten counted once per conversation
    + [["/omstander", "/discriminatie"]] * 2
    + [["/arbeidsconflict", "opnieuw", "/arbeidsconflict"]] * 3  # a restart is a new conversation
    + [["ik wil niet meer leven"]]
    + [["/ben_werkgever", "/greet"]] * 5
)
EXPECTED = {"route:pesten": 6, "publiek:werknemer": 6, "publiek:omstander": 2,
            "route:discriminatie": 2, "route:arbeidsconflict": 6, "route:crisis": 1,
            "publiek:werkgever": 5,
            # every route answer here shows referrals (the forms: huisarts, bedrijfsarts, ...;
            # the crisis numbers) and all but the crisis answer how to reach the VP
            "uitkomst:vp_contact": 14, "uitkomst:verwijzing": 15}


def totals(path: Path) -> Counter:
    found: Counter = Counter()
    for counts in FileStore(path).read().values():
        found.update(counts)
    return found


def test_scripted_conversations_are_counted_and_reported(bot, tmp_path):
    path = Path(os.environ["WEGWIJZER_INSIGHT_FILE"])  # the file the test bot counts in
    before = totals(path)
    for number, conversation in enumerate(SCRIPT):
        for message in conversation:
            assert bot.say(f"insight-{number}", message)
    added = totals(path) - before
    assert dict(added) == EXPECTED
    assert set(json.loads(path.read_text()).get(week_of(dt.date.today()), {})) <= set(COUNTERS)

    # make report on just these conversations
    counts = tmp_path / "counts.json"
    counts.write_text(json.dumps({week_of(dt.date.today()): dict(added)}))
    done = subprocess.run([sys.executable, "-m", "scripts.report", "--counts", str(counts),
                           "--year", str(dt.date.today().isocalendar()[0]), "--out", str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = next((tmp_path / "out").glob("*.md")).read_text()
    assert "| Pesten | " in report or "Pesten |" in report
    rows = {line.split("|")[1].strip(): line for line in report.splitlines() if line.startswith("|")}
    assert "6" in rows["Pesten"].split("|")[2:] or " 6 " in rows["Pesten"]
    assert "< 5" in rows["Discriminatie"] and "2" not in rows["Discriminatie"].split("|")[2:]
