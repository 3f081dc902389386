"""A second opinion for DIET: logistic regression on the same sentence features, blended in.

On a few thousand short examples DIET (a neural network) and a linear model make different
mistakes: DIET learns word interactions, the linear model generalises more evenly from the
meaning embedding (components/sentence_embedder.py) and the word and character counts. This
component trains a scikit-learn logistic regression on the sentence-level features the
pipeline already computed, and replaces DIET's ranking by the weighted mean of both
probability distributions. docs/nlu.md compares DIET alone, this blend and the baselines.

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
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.linear_model import LogisticRegression

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
            "weight": 0.5,           # share of the logistic regression in the blend
            "C": 10.0,               # inverse regularisation strength
            "max_iter": 3000,
            "ranking_length": 10,
            "random_state": 42,
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 classifier: LogisticRegression | None = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.classifier = classifier

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> IntentBlend:
        return cls(config, model_storage, resource)

    @staticmethod
    def _features(messages: list[Message]) -> csr_matrix:
        rows = []
        for message in messages:
            _, sparse = message.get_sparse_features(TEXT)
            _, dense = message.get_dense_features(TEXT)
            parts = [csr_matrix(f.features) for f in (sparse, dense) if f is not None]
            rows.append(hstack(parts) if parts else csr_matrix((1, 0)))
        return vstack(rows).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        self.classifier = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"],
                                             random_state=self.config["random_state"])
        self.classifier.fit(self._features(examples), [e.get(INTENT) for e in examples])
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(self.classifier, directory / MODEL_FILE)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> IntentBlend:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                # Only scikit-learn and numpy types are expected in our own model file.
                classifier = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        except ValueError:
            logger.warning("IntentBlend: no trained classifier in the model; DIET's ranking is used alone")
            classifier = None
        return cls(config, model_storage, resource, classifier)

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
