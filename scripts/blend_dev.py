"""Development check for IntentBlend: which linear model, and what share of it next to DIET.

Never reads tests/. Steps:
  1. split data/nlu/ 80/20 with `rasa data split nlu --random-seed 42` (into results/blend_dev/);
  2. train DIET alone on the 80 % (config_eval.yml without IntentBlend and CrisisGuard, with
     `ranking_length: 0` so every intent gets a probability); skipped with --diet-model;
  3. fit scikit-learn variants of the linear model on the same 80 %;
  4. score the blend of both on the 20 % for several shares: accuracy / routing accuracy /
     false crisis, and how many messages the FallbackClassifier (config.yml) would catch.

Usage: python -m scripts.blend_dev [--diet-model M]   (8 minutes with --diet-model on 2 cores,
plus about 18 for training DIET without it)
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "blend_dev"
WEIGHTS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
# name: (C, embedding scale; 0 = TF-IDF only, None = embedding only)
VARIANTS = {
    "TF-IDF only, C 10": (10, 0.0),
    "TF-IDF + embedding x1, C 10": (10, 1.0),
    "TF-IDF + embedding x2, C 10": (10, 2.0),
    "TF-IDF + embedding x3, C 10": (10, 3.0),
    "TF-IDF + embedding x2, C 30 (served)": (30, 2.0),
    "TF-IDF + embedding x2, C 3": (3, 2.0),
    "embedding only, C 10": (10, None),
}


def diet_config() -> Path:
    text = (ROOT / "config_eval.yml").read_text()
    text = text.replace("    featurizers: [regex, lexical, words, chars]\n",
                        "    featurizers: [regex, lexical, words, chars]\n    ranking_length: 0\n")
    text = re.sub(r"  - name: components\.(intent_blend\.IntentBlend|crisis_guard\.CrisisGuard)\n", "", text)
    path = OUT / "config_diet.yml"
    path.write_text(text)
    return path


def linear_probabilities(train: list[tuple[str, str]], test: list[tuple[str, str]],
                         embeddings: tuple[np.ndarray, np.ndarray], C: float,
                         scale: float | None) -> tuple[list[str], np.ndarray]:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    train_texts, labels = zip(*train)
    test_texts = [text for text, _ in test]
    parts_train, parts_test = [], []
    if scale is not None:
        for vectorizer in (TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                           TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)):
            parts_train.append(vectorizer.fit_transform(train_texts))
            parts_test.append(vectorizer.transform(test_texts))
    if scale is None or scale:
        factor = 1.0 if scale is None else scale
        parts_train.append(csr_matrix(embeddings[0] * factor))
        parts_test.append(csr_matrix(embeddings[1] * factor))
    model = LogisticRegression(C=C, max_iter=5000, random_state=42)
    model.fit(hstack(parts_train).tocsr(), labels)
    return [str(c) for c in model.classes_], model.predict_proba(hstack(parts_test).tocsr())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diet-model", type=Path, help="a DIET model already trained on the 80 %% split")
    args = parser.parse_args()
    from scripts.nlu_eval import examples, run
    from scripts.nlu_gate import CRISIS, ROUTING
    from scripts.search_tune import parse_all

    OUT.mkdir(parents=True, exist_ok=True)
    run("data", "split", "nlu", "--nlu", "data/nlu", "--training-fraction", "0.8",
         "--random-seed", "42", "--out", str(OUT / "split"))
    train = examples(OUT / "split" / "training_data.yml")
    test = examples(OUT / "split" / "test_data.yml")
    model = args.diet_model
    if model is None:
        run("train", "nlu", "--config", str(diet_config()), "--nlu", str(OUT / "split" / "training_data.yml"),
             "--out", str(OUT), "--fixed-model-name", "diet")
        model = OUT / "diet.tar.gz"
    rankings = [{entry["name"]: entry["confidence"] for entry in parsed["intent_ranking"]}
                for parsed in asyncio.run(parse_all(model, [text for text, _ in test]))]
    truths = [intent for _, intent in test]
    from components.embedding import embed

    embeddings = (np.asarray(embed([t for t, _ in train])), np.asarray(embed([t for t, _ in test])))
    print(f"split: {len(train)} training, {len(test)} development messages")
    print("accuracy / routing accuracy / false crisis, per share of the linear model:")
    print("| linear model | " + " | ".join(f"{w:g}" for w in WEIGHTS) + " | fallback at 0.8 |")
    for name, (C, scale) in VARIANTS.items():
        classes, probabilities = linear_probabilities(train, test, embeddings, C, scale)
        cells, caught = [], 0
        for weight in WEIGHTS:
            predicted = []
            for row, ranking in zip(probabilities, rankings):
                blend = {c: weight * p for c, p in zip(classes, row)}
                for intent, p in ranking.items():
                    blend[intent] = blend.get(intent, 0.0) + (1 - weight) * p
                top = sorted(blend.values(), reverse=True)
                if weight == 0.8 and (top[0] < 0.4 or top[0] - top[1] < 0.1):
                    caught += 1
                predicted.append(max(blend, key=blend.get))
            routing = [(t, p) for t, p in zip(truths, predicted) if t in ROUTING]
            accuracy = sum(t == p for t, p in zip(truths, predicted)) / len(truths)
            routing_accuracy = sum(t == p for t, p in routing) / len(routing)
            false_crisis = sum(t != CRISIS and p == CRISIS for t, p in zip(truths, predicted))
            cells.append(f"{accuracy:.3f} / {routing_accuracy:.3f} / {false_crisis}")
        print(f"| {name} | " + " | ".join(cells) + f" | {caught} of {len(test)} |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
