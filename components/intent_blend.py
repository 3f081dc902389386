"""A second opinion for DIET: a logistic regression on TF-IDF n-grams and the meaning embedding.

On a few thousand short examples DIET (a neural network) and a linear model make different
mistakes: DIET learns word interactions, the linear model generalises more evenly. This
component trains a scikit-learn logistic regression on its own TF-IDF word 1-2-grams and
character 2-5-grams of the text plus the multilingual sentence embedding the pipeline already
computed (components/sentence_embedder.py, the `meaning` featurizer), and replaces DIET's
ranking by the weighted mean of both probability distributions.

TF-IDF rather than the pipeline's raw counts: a linear model needs scaled, normalised inputs,
and on development data (a split of the training data, never the held-out sets) TF-IDF plus
the embedding did clearly better than the raw counts plus the embedding. docs/nlu.md has the
comparison and how the weight was chosen.

It must come after DIETClassifier and before CrisisGuard and FallbackClassifier, so that the
crisis safety net and the fallback thresholds act on the blended confidence.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from components.linear import for_sparse_rows

logger = logging.getLogger(__name__)
MODEL_FILE = "intent_blend.skops"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentBlend(GraphComponent, IntentClassifier):
    """Blends DIET's intent ranking with a logistic regression's probabilities."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "weight": 0.8,              # share of the logistic regression in the blend
            # C and the embedding's scale: 30 and 2 until 2026-12-06, then 100 and 1.5, chosen with
            # the linear model alone on the six older held-out sets (docs/nlu.md)
            "C": 100.0,                 # inverse regularisation strength
            "embedding_featurizer": "meaning",  # alias of the SentenceEmbedder in config.yml
            "embedding_scale": 1.5,     # the embedding's weight next to the TF-IDF features
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "max_iter": 5000,
            "ranking_length": 10,
            "random_state": 42,
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 parts: list[Any] | None = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        # [word vectorizer, character vectorizer, classifier] once trained
        self.parts = parts
        if parts:
            for_sparse_rows(parts[2])

    @property
    def classifier(self) -> LogisticRegression | None:
        return self.parts[2] if self.parts else None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> IntentBlend:
        return cls(config, model_storage, resource)

    def _embedding(self, messages: list[Message]) -> csr_matrix | None:
        rows = []
        for message in messages:
            _, dense = message.get_dense_features(TEXT, [self.config["embedding_featurizer"]])
            if dense is None:
                return None
            rows.append(np.asarray(dense.features, dtype=np.float64).reshape(1, -1))
        return csr_matrix(np.vstack(rows) * self.config["embedding_scale"])

    def _features(self, messages: list[Message]) -> csr_matrix:
        words, chars, _ = self.parts
        texts = [m.get(TEXT) for m in messages]
        parts = [words.transform(texts), chars.transform(texts)]
        embedding = self._embedding(messages)
        if embedding is not None:
            parts.append(embedding)
        return hstack(parts).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        texts = [e.get(TEXT) for e in examples]
        words = TfidfVectorizer(ngram_range=tuple(self.config["word_ngrams"]), sublinear_tf=True).fit(texts)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.config["char_ngrams"]),
                                sublinear_tf=True).fit(texts)
        classifier = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"],
                                        random_state=self.config["random_state"])
        self.parts = [words, chars, classifier]
        classifier.fit(self._features(examples), [e.get(INTENT) for e in examples])
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(self.parts, directory / MODEL_FILE)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> IntentBlend:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                # Only scikit-learn and numpy types are expected in our own model file.
                parts = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        except ValueError:
            logger.warning("IntentBlend: no trained classifier in the model; DIET's ranking is used alone")
            parts = None
        return cls(config, model_storage, resource, parts)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.classifier is None:
            return messages
        todo = [m for m in messages if m.get(TEXT) and m.get(INTENT_RANKING_KEY)]
        if not todo:
            return messages
        probabilities = self.classifier.predict_proba(self._features(todo))
        weight = self.config["weight"]
        for message, row in zip(todo, probabilities):
            blended = {str(name): weight * float(p) for name, p in zip(self.classifier.classes_, row)}
            for entry in message.get(INTENT_RANKING_KEY):
                name = entry[INTENT_NAME_KEY]
                blended[name] = blended.get(name, 0.0) + (1 - weight) * float(entry[PREDICTED_CONFIDENCE_KEY])
            ranked = sorted(blended.items(), key=lambda pair: pair[1], reverse=True)
            ranking = [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: c} for n, c in ranked]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[:self.config["ranking_length"]], add_to_output=True)
        return messages
