"""What overruling a routing intent costs and gains, for a grid of CLEAR_P and OVERRIDE_RATIO.

When the NLU routes a message to a form (say `pesten`) or an out-of-scope route, the bot
answers with that route's own topic unless the topic classifier clearly prefers a knowledge
topic (actions.search.overrules). This script counts, for each setting:
  cost  routing messages of the NLU evaluation sets (labelled with a form or an out-of-scope
        route and parsed as that route) that would be answered with another topic first:
        a victim's own report answered with, say, the bystander topic;
  gain  questions of the seen search sets answered with the right topic.
The blind sets (tests/nlu/blind.yml, tests/search_blind.yml) are left out on purpose: they
stay for the final, unbiased measurement.

Usage: python -m scripts.search_override [--model M] [--verbose]     (about three minutes)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
NLU_SETS = ("tests/nlu_holdout.yml", "tests/nlu/fresh.yml", "tests/nlu/heldout.yml")
SEARCH_SETS = ("tests/search_heldout.yml", "tests/search_fresh.yml")
CLEAR_PS = (1.0, 0.45, 0.40, 0.35, 0.30, 0.25)
RATIOS = (2.0, 3.0, 4.0, 6.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--verbose", action="store_true", help="print each overruled report")
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from actions import search
    from actions.knowledge import load_knowledge
    from scripts.search_tune import Precomputed, parse_all

    kb = load_knowledge()
    routed = {name for name, route in kb.routes.items() if route.kind in search.ROUTE_KINDS}
    reports = [(intent, text) for path in NLU_SETS for intent, lines in search.nlu_examples(ROOT / path).items()
               if intent in routed for text in lines]
    questions = [(item["question"], set(item["topics"])) for path in SEARCH_SETS
                 for item in yaml.safe_load((ROOT / path).read_text())["questions"]]
    texts = [text for _, text in reports] + [text for text, _ in questions]
    parsed = asyncio.run(parse_all(args.model, texts))
    index = search.TopicSearch(kb)
    hits = []  # each text's probabilities, computed once for the whole grid
    for text in texts:
        probabilities = index.probabilities(text)
        hits.append(Precomputed(list(probabilities), np.fromiter(probabilities.values(), float)))
    intent_of = [p["intent"]["name"] for p in parsed]

    right_route = [i for i, (intent, _) in enumerate(reports) if intent_of[i] == intent]
    print(f"routing messages in {', '.join(NLU_SETS)}: {len(reports)}, parsed as their own route: {len(right_route)}")
    print(f"questions in {', '.join(SEARCH_SETS)}: {len(questions)}")
    for clear_p in CLEAR_PS:
        for ratio in RATIOS if clear_p < 1 else RATIOS[:1]:
            search.CLEAR_P, search.OVERRIDE_RATIO = clear_p, ratio  # read by overrules()
            overruled = []  # (index, the topic answered instead)
            for i in right_route:
                first = search.choose(kb, hits[i], intent_of[i], texts[i]).topic_ids[0]
                if first != kb.routes[intent_of[i]].topic:
                    overruled.append((i, first))
            right = 0
            for j, (_, expected) in enumerate(questions):
                i = len(reports) + j
                choice = search.choose(kb, hits[i], intent_of[i], texts[i])
                right += choice.kind == "topic" and choice.topic_ids[0] in expected
            label = "off" if clear_p >= 1 else f"{clear_p:.2f} ratio {ratio:.0f}"
            print(f"  CLEAR_P {label:14s} reports overruled {len(overruled):3d} of {len(right_route)}"
                  f"   questions answered right {right} of {len(questions)}")
            if args.verbose:
                for i, first in overruled:
                    print(f"      {intent_of[i]:22s} -> {first}: {texts[i]}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
