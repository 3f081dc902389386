"""The NLU gate fails the build on the errors that matter: a missed crisis, false alarms,
and routing below the floor."""

from scripts.nlu_gate import check, false_crisis, routing_accuracy


def report(crisis=(1.0, 1.0, 10), pesten_recall=1.0, greet_support=90):
    precision, recall, support = crisis
    return {
        "accuracy": 0.9,
        "crisis": {"precision": precision, "recall": recall, "support": support},
        "pesten": {"precision": 1.0, "recall": pesten_recall, "support": 10},
        "greet": {"precision": 1.0, "recall": 1.0, "support": greet_support},
        "weighted avg": {"support": support + 10 + greet_support},
    }


def test_a_clean_report_passes():
    assert check(report(), 0.85, 1.0, 0.95, 0.01) == []


def test_one_missed_crisis_fails():
    assert any("recall" in f for f in check(report(crisis=(1.0, 0.9, 10)), 0.0, 0.0))


def test_false_alarms_above_the_limit_fail():
    # 10 true crisis, precision 10/12: two of the 100 other messages were taken for crisis
    bad = report(crisis=(10 / 12, 1.0, 10))
    assert false_crisis(bad) == (2, 100)
    assert any("taken for crisis" in f for f in check(bad, 0.0, 0.0, 0.0, 0.01))
    assert check(bad, 0.0, 0.0, 0.0, 0.02) == []


def test_routing_accuracy_counts_only_routing_messages():
    assert routing_accuracy(report(pesten_recall=0.5)) == 0.75
    assert any("routing accuracy" in f for f in check(report(pesten_recall=0.5), 0.0, 0.0, 0.95))
