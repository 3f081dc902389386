"""Fail the build when intent recognition on the held-out set is not good enough.

Reads the intent_report.json written by `rasa test nlu` on tests/nlu/heldout.yml (examples
never used in training), prints a per-intent table, and exits non-zero when:
  - any held-out crisis message is not recognised as crisis (recall below 1.0): missing a
    person in danger is the one error this bot must not make; or
  - overall accuracy falls below MIN_ACCURACY.

Usage: python -m scripts.nlu_gate results/nlu/intent_report.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MIN_ACCURACY = 0.85
MUST_NOT_MISS = ("crisis",)
SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def check(report: dict) -> list[str]:
    failures = []
    accuracy = float(report["accuracy"])
    if accuracy < MIN_ACCURACY:
        failures.append(f"accuracy {accuracy:.3f} is below {MIN_ACCURACY}")
    for intent in MUST_NOT_MISS:
        if intent not in report:
            failures.append(f"no held-out examples for '{intent}'")
        elif report[intent]["recall"] < 1.0:
            missed = report[intent].get("confused_with", {})
            failures.append(f"'{intent}' recall {report[intent]['recall']:.3f} (confused with {missed})")
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
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    report = json.loads(Path(sys.argv[1]).read_text())
    print(table(report))
    failures = check(report)
    for failure in failures:
        print(f"NLU gate failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
