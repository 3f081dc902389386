"""The training data covers the routing contract and the held-out set stays unseen."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ROUTING_INTENTS = {
    "pesten", "seksuele_intimidatie", "discriminatie", "agressie_geweld",
    "arbeidsconflict", "prive_probleem", "integriteit", "beschuldigd", "crisis",
}


def examples(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for block in yaml.safe_load(path.read_text()).get("nlu", []):
        if "intent" in block:
            lines = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
            found.setdefault(block["intent"], []).extend(lines)
    return found


def training() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for path in sorted((ROOT / "data").rglob("*.yml")):
        for intent, lines in examples(path).items():
            merged.setdefault(intent, []).extend(lines)
    return merged


HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"


def test_each_routing_intent_has_at_least_forty_examples():
    counts = {intent: len(training().get(intent, [])) for intent in ROUTING_INTENTS}
    assert all(n >= 40 for n in counts.values()), counts


def test_every_domain_intent_has_training_examples():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    trained = training()
    assert [i for i in domain["intents"] if not trained.get(i)] == []


def test_the_holdout_set_is_large_enough_for_each_routing_intent():
    heldout = examples(HOLDOUT)
    assert sum(len(lines) for lines in heldout.values()) >= 200
    assert all(len(heldout.get(intent, [])) >= 15 for intent in ROUTING_INTENTS)


def test_the_evaluation_config_is_the_served_config_without_the_fallback():
    served = yaml.safe_load((ROOT / "config.yml").read_text())
    evaluated = yaml.safe_load((ROOT / "config_eval.yml").read_text())
    assert evaluated["pipeline"] == [c for c in served["pipeline"] if c["name"] != "FallbackClassifier"]
    assert any(c["name"] == "FallbackClassifier" for c in served["pipeline"])


def normalised(text: str) -> str:
    return re.sub(r"[?!.,\s]+$", "", " ".join(text.lower().split()))


def test_evaluation_examples_are_never_trained_on():
    trained = {normalised(e) for lines in training().values() for e in lines}
    for path in [*sorted((ROOT / "tests" / "nlu").glob("*.yml")), HOLDOUT]:
        heldout = examples(path)
        leaked = [e for lines in heldout.values() for e in lines if normalised(e) in trained]
        assert not leaked, f"{path.name}: {leaked}"
    assert ROUTING_INTENTS <= set(examples(ROOT / "tests" / "nlu" / "heldout.yml"))


def test_no_example_is_claimed_by_two_intents():
    owner: dict[str, str] = {}
    for intent, lines in training().items():
        for line in lines:
            assert owner.setdefault(line.lower(), intent) == intent, f"{line!r}: {owner[line.lower()]} and {intent}"


def test_held_out_search_questions_are_never_trained_on():
    from actions.knowledge import load_knowledge
    asked = {normalised(q) for topic in load_knowledge().topics.values() for q in topic.questions}
    asked |= {normalised(e) for lines in training().values() for e in lines}
    for path in sorted((ROOT / "tests").glob("search_*.yml")):
        heldout = yaml.safe_load(path.read_text())["questions"]
        leaked = [item["question"] for item in heldout if normalised(item["question"]) in asked]
        assert not leaked, f"{path.name}: {leaked}"
