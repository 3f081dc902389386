"""tests/gates.yml, the floors `make test` holds the model to, covers every held-out set."""

from pathlib import Path

from scripts.gates import load_gates

ROOT = Path(__file__).resolve().parent.parent


def test_every_held_out_nlu_set_is_gated():
    gated = {gate["set"] for gate in load_gates("nlu")}
    sets = {str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "nlu").glob("*.yml")} | {"tests/nlu_holdout.yml"}
    assert gated == sets


def test_every_held_out_question_set_is_gated():
    gated = {gate["questions"] for gate in load_gates("search")}
    assert gated == {str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("search_*.yml")}


def test_every_nlu_set_has_its_own_report_and_a_floor():
    gates = load_gates("nlu")
    assert len({gate["out"] for gate in gates}) == len(gates)  # else one report overwrites another
    assert all("min_accuracy" in gate for gate in gates)


def test_only_picks_sets_by_name():
    assert [g["set"] for g in load_gates("nlu", ["blind9"])] == ["tests/nlu/blind9.yml"]
    assert [g["questions"] for g in load_gates("search", ["search_fresh.yml"])] == ["tests/search_fresh.yml"]
