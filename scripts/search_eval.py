"""Score how often a free question gets the right knowledge topic, end to end.

Each question in a held-out file (default tests/search_heldout.yml; also tests/search_fresh.yml;
both written independently of the topics, never used for training or tuning) is parsed by the
trained model and then handled by the same `actions.search.choose` the actions use. Reports:
  answered right   the bot answers with one of the expected topics;
  shown            the expected topic is the answer or among the offered choices.
Exits non-zero when either share is below its --min-answered / --min-shown floor.

Usage: python -m scripts.search_eval [--questions FILE] [--model M] [--min-answered 0.0] [--min-shown 0.0] [--verbose]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "search_heldout.yml"


@functools.lru_cache(maxsize=None)
def _search():
    from actions.knowledge import load_knowledge
    from actions.search import TopicSearch

    kb = load_knowledge()
    return kb, TopicSearch(kb)


async def score(agent, questions_file: Path, verbose: bool = False) -> tuple[int, int, int]:
    """(answered right, right topic shown, questions) for one question set."""
    from actions.search import choose

    kb, search = _search()
    questions = yaml.safe_load(questions_file.read_text())["questions"]
    answered = shown = 0
    for item in questions:
        parsed = await agent.parse_message(item["question"])
        choice = choose(kb, search, parsed["intent"]["name"], item["question"])
        expected = set(item["topics"])
        right = choice.kind == "topic" and choice.topic_ids[0] in expected
        answered += right
        shown += bool(expected & set(choice.topic_ids))
        if verbose and not right:
            print(f"  {parsed['intent']['name']:24s} {choice.kind:8s} {list(choice.topic_ids)} "
                  f"expected {sorted(expected)} | {item['question']}")
    return answered, shown, len(questions)


async def evaluate(questions_file: Path, model: Path | None, verbose: bool) -> tuple[int, int, int]:
    from scripts.gates import load_agent

    return await score(load_agent(model), questions_file, verbose)


def report(questions_file: Path, answered: int, shown: int, total: int,
           min_answered: float, min_shown: float) -> list[str]:
    """Print one set's figures; return what falls below its floors."""
    print(f"{questions_file.name}: answered right: {answered}/{total} ({answered / total:.1%}); "
          f"right topic shown (answer or choice): {shown}/{total} ({shown / total:.1%})")
    return [f"{name} {value / total:.1%} is below {floor:.0%}"
            for name, value, floor in (("answered right", answered, min_answered),
                                       ("right topic shown", shown, min_shown))
            if value / total < floor]


def main() -> int:
    parser = argparse.ArgumentParser(description="Score topic answers on the held-out questions.")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--model", type=Path, help="a trained model (default: the one for the current data)")
    parser.add_argument("--min-answered", type=float, default=0.0)
    parser.add_argument("--min-shown", type=float, default=0.0)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    answered, shown, total = asyncio.run(evaluate(args.questions, args.model, args.verbose))
    failures = report(args.questions, answered, shown, total, args.min_answered, args.min_shown)
    for failure in failures:
        print(f"search gate failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
