"""Fail the build when intent recognition on the held-out set is not good enough.

Reads the intent_report.json written by `rasa test nlu` on an evaluation set (examples
never used in training), prints a per-intent table, and exits non-zero when:
  - any crisis message is not recognised as crisis (recall below 1.0): missing a person in
    danger is the one error this bot must not make;
  - crisis precision is below --crisis-precision (false alarms);
  - false crisis alarms exceed --max-false-crisis (a share of the non-crisis messages);
  - overall accuracy is below --min-accuracy; or
  - accuracy over the nine routing intents' messages is below --min-routing-accuracy.

Usage: python -m scripts.nlu_gate REPORT [--min-accuracy 0.85] [--min-routing-accuracy 0]
                                  [--crisis-precision 0.0] [--max-false-crisis 1.0]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CRISIS = "crisis"
ROUTING = ("pesten", "seksuele_intimidatie", "discriminatie", "agressie_geweld", "arbeidsconflict",
           "prive_probleem", "integriteit", "beschuldigd", "crisis")
SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def routing_accuracy(report: dict) -> float:
    """The share of the routing intents' messages that got their own intent."""
    support = sum(report[i]["support"] for i in ROUTING if i in report)
    right = sum(report[i]["recall"] * report[i]["support"] for i in ROUTING if i in report)
    return right / support if support else 0.0


def false_crisis(report: dict) -> tuple[int, int]:
    """(messages wrongly recognised as crisis, messages that are not crisis)."""
    scores = report.get(CRISIS, {"precision": 1.0, "recall": 0.0, "support": 0})
    total = int(report["weighted avg"]["support"])
    right = scores["recall"] * scores["support"]
    predicted = right / scores["precision"] if scores["precision"] else 0.0
    return round(predicted - right), total - int(scores["support"])


def check(report: dict, min_accuracy: float, crisis_precision: float,
          min_routing_accuracy: float = 0.0, max_false_crisis: float = 1.0) -> list[str]:
    failures = []
    accuracy = float(report["accuracy"])
    if accuracy < min_accuracy:
        failures.append(f"accuracy {accuracy:.3f} is below {min_accuracy}")
    routing = routing_accuracy(report)
    if routing < min_routing_accuracy:
        failures.append(f"routing accuracy {routing:.3f} is below {min_routing_accuracy}")
    if CRISIS not in report:
        return [*failures, f"no '{CRISIS}' examples in the evaluation set"]
    scores = report[CRISIS]
    if scores["recall"] < 1.0:
        failures.append(f"'{CRISIS}' recall {scores['recall']:.3f} (confused with {scores.get('confused_with', {})})")
    if scores["precision"] < crisis_precision:
        failures.append(f"'{CRISIS}' precision {scores['precision']:.3f} is below {crisis_precision} (false alarms)")
    wrong, others = false_crisis(report)
    if others and wrong / others > max_false_crisis:
        failures.append(f"{wrong} of {others} non-crisis messages were taken for crisis "
                        f"({wrong / others:.1%} > {max_false_crisis:.1%})")
    return failures


def table(report: dict) -> str:
    rows = ["| intent | precision | recall | f1 | support |", "|---|---|---|---|---|"]
    for intent, scores in sorted(report.items()):
        if intent in SUMMARY_KEYS:
            continue
        rows.append(f"| {intent} | {scores['precision']:.2f} | {scores['recall']:.2f} | "
                    f"{scores['f1-score']:.2f} | {scores['support']} |")
    wrong, others = false_crisis(report)
    rows.append(f"\naccuracy: {report['accuracy']:.3f}, routing accuracy: {routing_accuracy(report):.3f}, "
                f"macro F1: {report['macro avg']['f1-score']:.3f}, false crisis: {wrong} of {others}")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description="Fail when intent recognition is not good enough.")
    parser.add_argument("report", type=Path)
    parser.add_argument("--min-accuracy", type=float, default=0.85)
    parser.add_argument("--min-routing-accuracy", type=float, default=0.0)
    parser.add_argument("--crisis-precision", type=float, default=0.0)
    parser.add_argument("--max-false-crisis", type=float, default=1.0)
    args = parser.parse_args()
    report = json.loads(args.report.read_text())
    print(table(report))
    failures = check(report, args.min_accuracy, args.crisis_precision,
                     args.min_routing_accuracy, args.max_false_crisis)
    for failure in failures:
        print(f"NLU gate failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
