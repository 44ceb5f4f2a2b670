"""Dense sentence features for Rasa's DIET classifier from the project's embedding model (E5 by default).

Intent classification then also sees meaning, not only words and characters: "去哪里办" and "在哪个大厅办"
land close together. The model is the same one retrieval uses, loaded once per process.

At inference the vector also goes out with the parse data (``index.query_vector.PARSE_KEY``), so the answering
action passes it on and retrieval does not embed the same message again.
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

from govbot.components import embedder_for
from index.query_vector import PARSE_KEY, CarriedVector


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds one sentence feature vector per message text (query embedding, L2-normalised)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config()}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to validate: the model comes from govbot settings."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5SentenceFeaturizer:
        return cls(config, execution_context.node_name)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._embedder = embedder_for()

    def _featurize(self, messages: list[Message]) -> list[tuple[Message, np.ndarray]]:
        texts = [m for m in messages if m.get(TEXT)]
        if not texts:
            return []
        vectors = self._embedder.embed_queries([m.get(TEXT) for m in texts])
        for message, vector in zip(texts, vectors, strict=True):
            self.add_features_to_message(None, np.expand_dims(vector, 0), TEXT, message)
        return list(zip(texts, vectors, strict=True))

    def process(self, messages: list[Message]) -> list[Message]:
        for message, vector in self._featurize(messages):
            message.set(PARSE_KEY, CarriedVector(message.get(TEXT), vector).to_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data
