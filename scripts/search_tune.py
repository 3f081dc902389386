"""End-to-end development check for the topic search: the trained NLU in front, then choose().

The topics' example questions are never NLU training data, so each can be parsed by the
trained NLU and handed to the same `actions.search.choose` the actions use, with a topic
index fitted without that question's fold (5-fold cross-validation). This scores the whole
path a question takes (intent, overrule rules, thresholds), not the classifier alone, for
several shares of passage retrieval in the blend (RETRIEVAL_WEIGHT) and thresholds for
answering (ANSWER_P) and for overruling a routing intent (OVERRIDE_P). Never reads tests/.

Usage: python -m scripts.search_tune [--model M]     (about ten minutes: five indexes are fitted)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = (0.0, 0.2, 0.3, 0.5)
ANSWER_PS = (0.15, 0.20, 0.25, 0.30)
OVERRIDE_PS = (0.3, 0.4, 0.5)


class Precomputed:
    """Stands in for TopicSearch: the out-of-fold probabilities of one question."""

    def __init__(self, classes: list[str], probabilities: np.ndarray | None):
        from actions.search import ranked
        self.hits = [] if probabilities is None else ranked(dict(zip(classes, probabilities)))

    def search(self, text: str, limit: int | None = 3):
        return self.hits[:limit]


async def parse_all(model: Path | None, texts: list[str]) -> list[dict]:
    """Rasa's parse of each text by the model (the served one by default)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog
    from scripts.model import model_path

    configure_structlog(logging.WARNING)  # Rasa logs the parsed text at DEBUG
    agent = Agent.load(str(model or model_path()))
    return [await agent.parse_message(text) for text in texts]


async def intents(model: Path | None, texts: list[str]) -> list[str]:
    return [parsed["intent"]["name"] for parsed in await parse_all(model, texts)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from actions import search
    from actions.knowledge import load_knowledge
    from scripts.search_dev import development_data, fold_indexes

    kb = load_knowledge()
    texts, labels, embeddings, questions = development_data(kb)
    intent_of = dict(zip(questions, asyncio.run(intents(args.model, [texts[i] for i in questions]))))

    # Out-of-fold probabilities per weight (the fits are the slow part), then every setting.
    probabilities: dict[float, dict[int, np.ndarray | None]] = {w: {} for w in WEIGHTS}
    classes: list[str] = []
    for index, test in fold_indexes(kb, texts, labels, embeddings, questions):
        classes = list(index.classifier.classes_)
        char_vectors = index.chars.transform([texts[i] for i in test])
        familiar = [index.familiar(embeddings[i], char_vectors[row]) for row, i in enumerate(test)]
        for weight in WEIGHTS:
            rows = index.predict([texts[i] for i in test], embeddings[test], char_vectors, weight)
            probabilities[weight].update((i, rows[row] if familiar[row] else None) for row, i in enumerate(test))
    scored: dict[tuple[float, float, float], tuple[int, int]] = {}
    for weight in WEIGHTS:
        for answer_p in ANSWER_PS:
            for override_p in OVERRIDE_PS:
                search.ANSWER_P, search.OVERRIDE_P = answer_p, override_p  # read by decide() and choose()
                right = shown = 0
                for i in questions:
                    choice = search.choose(kb, Precomputed(classes, probabilities[weight][i]), intent_of[i], texts[i])
                    right += choice.kind == "topic" and choice.topic_ids[0] == labels[i]
                    shown += labels[i] in choice.topic_ids
                scored[weight, answer_p, override_p] = right, shown
    n = len(questions)
    kept = sum(search.choose(kb, Precomputed([], None), intent_of[i], texts[i]).kind == "topic" for i in questions)
    print(f"example questions: {n}; given a topic by their intent alone (search finding nothing): {kept}")
    kinds = Counter(getattr(kb.routes.get(intent_of[i]), "kind", intent_of[i]) for i in questions
                    if labels[i] not in {r.topic for r in kb.routes.values()})
    print(f"intent of the questions for knowledge topics (no route's topic): {dict(kinds.most_common())}")
    for (weight, answer_p, override_p), (right, shown) in scored.items():
        print(f"  RETRIEVAL_WEIGHT {weight:.1f} ANSWER_P {answer_p:.2f} OVERRIDE_P {override_p:.1f}: "
              f"answered right {right / n:.1%}, right topic shown {shown / n:.1%}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
