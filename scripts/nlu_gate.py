"""Fail the build when intent recognition on the held-out set is not good enough.

Reads the intent_report.json written by `rasa test nlu` on an evaluation set (examples
never used in training), prints a per-intent table, and exits non-zero when:
  - any crisis message is not recognised as crisis (recall below 1.0): missing a person in
    danger is the one error this bot must not make;
  - crisis precision is below --crisis-precision (false alarms); or
  - overall accuracy is below --min-accuracy.

Usage: python -m scripts.nlu_gate REPORT [--min-accuracy 0.85] [--crisis-precision 0.0]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CRISIS = "crisis"
SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def check(report: dict, min_accuracy: float, crisis_precision: float) -> list[str]:
    failures = []
    accuracy = float(report["accuracy"])
    if accuracy < min_accuracy:
        failures.append(f"accuracy {accuracy:.3f} is below {min_accuracy}")
    if CRISIS not in report:
        return [*failures, f"no '{CRISIS}' examples in the evaluation set"]
    scores = report[CRISIS]
    if scores["recall"] < 1.0:
        failures.append(f"'{CRISIS}' recall {scores['recall']:.3f} (confused with {scores.get('confused_with', {})})")
    if scores["precision"] < crisis_precision:
        failures.append(f"'{CRISIS}' precision {scores['precision']:.3f} is below {crisis_precision} (false alarms)")
    return failures


def table(report: dict) -> str:
    rows = ["| intent | precision | recall | f1 | support |", "|---|---|---|---|---|"]
    for intent, scores in sorted(report.items()):
        if intent in SUMMARY_KEYS:
            continue
        rows.append(f"| {intent} | {scores['precision']:.2f} | {scores['recall']:.2f} | "
                    f"{scores['f1-score']:.2f} | {scores['support']} |")
    rows.append(f"\naccuracy: {report['accuracy']:.3f}, macro F1: {report['macro avg']['f1-score']:.3f}")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description="Fail when intent recognition is not good enough.")
    parser.add_argument("report", type=Path)
    parser.add_argument("--min-accuracy", type=float, default=0.85)
    parser.add_argument("--crisis-precision", type=float, default=0.0)
    args = parser.parse_args()
    report = json.loads(args.report.read_text())
    print(table(report))
    failures = check(report, args.min_accuracy, args.crisis_precision)
    for failure in failures:
        print(f"NLU gate failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
