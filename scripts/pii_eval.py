"""Score the scrubber (channels/scrubber.py) on tests/pii_cases.yml.

The cases were written for this evaluation only, by an author who did not see the scrubber.
Per category of personal data:
  caught      every character of the item is inside something the scrubber replaced;
  right type  ... and replaced by the placeholder of its own type.
Plus: role and context words that must survive (`keep`), and ordinary messages (no personal
data) that must come back unchanged. Exits non-zero below the floors given.

Usage: python -m scripts.pii_eval [--cases FILE] [--min-recall 0.95] [--min-clean 0.0] [--verbose]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

from channels.scrubber import PLACEHOLDERS, find, scrub

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "pii_cases.yml"


def evaluate(cases: list[dict], verbose: bool = False) -> dict:
    items, caught, typed = Counter(), Counter(), Counter()
    kept = keep_total = clean = clean_total = 0
    for case in cases:
        text = case["text"]
        spans = find(text)
        out = scrub(text)
        for item in case.get("pii") or []:
            kind = item["type"]
            start = text.index(item["text"])
            end = start + len(item["text"])
            covering = [s for s in spans if s.start < end and start < s.end]
            covered = all(any(s.start <= i < s.end for s in covering)
                          for i in range(start, end) if not text[i].isspace())
            items[kind] += 1
            caught[kind] += covered
            typed[kind] += covered and all(s.kind == kind for s in covering)
            if verbose and not covered:
                print(f"  missed {kind:9s} {item['text']!r} in {out!r}")
        for word in case.get("keep") or []:
            keep_total += 1
            survived = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", out) is not None
            kept += survived
            if verbose and not survived:
                print(f"  lost   {word!r}: {out!r}")
        if not case.get("pii"):
            clean_total += 1
            clean += out == text
            if verbose and out != text:
                print(f"  changed clean: {text!r} -> {out!r}")
    return {"items": items, "caught": caught, "typed": typed, "kept": kept,
            "keep_total": keep_total, "clean": clean, "clean_total": clean_total}


def main() -> int:
    parser = argparse.ArgumentParser(description="Score the scrubber on the PII cases.")
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--min-recall", type=float, default=0.0,
                        help="floor for the share caught, in every category")
    parser.add_argument("--min-clean", type=float, default=0.0,
                        help="floor for the share of ordinary messages left unchanged")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    cases = yaml.safe_load(args.cases.read_text(encoding="utf-8"))["cases"]
    r = evaluate(cases, args.verbose)
    print(f"{'category':10s} {'items':>5s} {'caught':>7s} {'right type':>10s}")
    failed = []
    for kind in PLACEHOLDERS:
        n = r["items"][kind]
        if not n:
            continue
        recall = r["caught"][kind] / n
        print(f"{kind:10s} {n:5d} {recall:7.3f} {r['typed'][kind] / n:10.3f}")
        if recall < args.min_recall:
            failed.append(f"{kind} recall {recall:.3f} < {args.min_recall}")
    total = sum(r["items"].values())
    print(f"{'all':10s} {total:5d} {sum(r['caught'].values()) / total:7.3f} "
          f"{sum(r['typed'].values()) / total:10.3f}")
    print(f"context words kept: {r['kept']}/{r['keep_total']}; "
          f"ordinary messages unchanged: {r['clean']}/{r['clean_total']}")
    clean_share = r["clean"] / max(r["clean_total"], 1)
    if clean_share < args.min_clean:
        failed.append(f"ordinary messages unchanged {clean_share:.3f} < {args.min_clean}")
    for line in failed:
        print("FAIL:", line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
