"""Entities from our own resolvers: places (the gazetteer), dispute types, language names.

It replaces DIET, which only tagged entities here: on the held-out set it predicted spans such as
"my" or "where is" as dispute types, spent most of the training time, and brought TensorFlow
into the server. The rules live in bot/understanding/entities.py, shared with the action server
and `python -m bot understand`, so what Rasa sees is what the bot acts on. Nothing is trained.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.places.gazetteer import Gazetteer
from bot.places.gazetteer import default as default_gazetteer
from bot.understanding.entities import entities


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class KelisimEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds location, dispute_type and language entities with canonical values."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, places: Gazetteer) -> None:
        self._places = places

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KelisimEntityExtractor:
        # Loaded once per process, when the model loads, not on the first message.
        return cls(default_gazetteer())

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = self.add_extractor_name(entities(text, self._places))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
