"""Development report for the topic search: the data its thresholds are chosen on.

Never reads the held-out questions (tests/search_heldout.yml); scripts/search_eval.py
scores those. Reports:
  1. 5-fold cross-validation over the topics' example questions: each question is scored by
     a classifier trained without it (and without the rest of its fold), blended with passage
     retrieval over the topic texts as served. Top-1 and top-3
     accuracy, and for each candidate ANSWER_P: the share answered and how many of those
     answers are right.
  2. Messages that are not knowledge questions (the NLU's greet, thanks, goodbye, affirm
     and deny examples): the share the search would wrongly answer or suggest at SUGGEST_P.
  3. The development questions in tests/test_search.py: top-1 and top-3, and the time one
     query takes (median and slowest, single-threaded client, warm model).

Usage: python -m scripts.search_dev     (takes a few minutes: five classifiers are trained)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
NOT_QUESTIONS = ["greet", "goodbye", "thanks", "affirm", "deny"]


def development_data(kb):
    """The search's training texts, labels and embeddings, and the positions of the example
    questions among them (the texts that cross-validation holds out)."""
    from actions import search
    from components.embedding import embed

    texts, labels = search.training_examples(kb)
    questions = np.array([i for i, text in enumerate(texts) if text in kb.topics[labels[i]].questions])
    return texts, labels, embed(texts), questions


def fold_indexes(kb, texts, labels, embeddings, questions, splits: int = 5):
    """For each of `splits` folds over the example questions: an index fitted without the
    fold (passages included, as served) and the fold's positions."""
    from actions import search
    from components.embedding import embed_passages

    passage_texts, passage_owners = search.passages(kb)
    passage_embeddings = embed_passages(passage_texts)
    folds = StratifiedKFold(n_splits=splits, shuffle=True, random_state=0)
    for _, test_q in folds.split(questions, np.array(labels)[questions]):
        held = set(questions[test_q])
        train = [i for i in range(len(texts)) if i not in held]
        yield (search.fit([texts[i] for i in train], [labels[i] for i in train], embeddings[train],
                          passage_texts, passage_owners, passage_embeddings), sorted(held))


def main() -> int:
    from actions import search
    from actions.knowledge import load_knowledge

    kb = load_knowledge()
    texts, labels, embeddings, questions = development_data(kb)

    # 1. cross-validation over the example questions
    out_of_fold: dict[int, np.ndarray] = {}
    classes = None
    for index, test in fold_indexes(kb, texts, labels, embeddings, questions):
        classes = list(index.classifier.classes_)
        probabilities = index.predict([texts[i] for i in test], embeddings[test])
        out_of_fold.update(zip(test, probabilities))
    top1 = top3 = 0
    best = []
    for i, p in out_of_fold.items():
        order = np.argsort(-p)
        top1 += classes[order[0]] == labels[i]
        top3 += labels[i] in {classes[k] for k in order[:3]}
        best.append((p[order[0]], classes[order[0]] == labels[i], labels[i] in {classes[k] for k in order[:3]}))
    n = len(out_of_fold)
    print(f"cross-validated example questions: {n}; top-1 {top1 / n:.1%}; top-3 {top3 / n:.1%}")
    for threshold in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
        answered = [right for p, right, _ in best if p >= threshold]
        precision = sum(answered) / len(answered) if answered else 0.0
        choices = [shown for p, _, shown in best if p < threshold]
        print(f"  ANSWER_P {threshold:.2f}: answered {len(answered) / n:.1%}, of which right {precision:.1%}; "
              f"choices offered {len(choices) / n:.1%}, right one among them {sum(choices) / max(1, len(choices)):.1%}")

    # 2 and 3 use the classifier trained on everything, as served
    full = search.TopicSearch(kb)
    general = search.nlu_examples(ROOT / "data" / "nlu" / "general.yml")
    chatter = [text for intent in NOT_QUESTIONS for text in general.get(intent, [])]
    caught = sum(search.decide(full.search(t))[0] != "none" for t in chatter)
    print(f"non-questions (greet, thanks, ...): {len(chatter)}; answered or suggested at SUGGEST_P "
          f"{search.SUGGEST_P}: {caught} ({caught / len(chatter):.1%})")
    sys.path.insert(0, str(ROOT / "tests"))
    from test_search import DEV_QUESTIONS

    timings, top1, top3 = [], 0, 0
    for question, expected in DEV_QUESTIONS:
        started = time.perf_counter()
        hits = full.search(question)
        timings.append(time.perf_counter() - started)
        top1 += hits[0].topic_id in expected
        top3 += bool(expected & {hit.topic_id for hit in hits})
    n = len(DEV_QUESTIONS)
    print(f"development questions: {n}; top-1 {top1}/{n}; top-3 {top3}/{n}; per query median "
          f"{statistics.median(timings) * 1000:.0f} ms, slowest {max(timings) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
