"""Script normalisation for the NLU: a Traditional-Chinese message is read as its Simplified form.

The NLU was trained on Simplified examples; "身分證遺失了怎麼補辦" and "身份证丢了怎么补办" must meet the same
intents. The component runs first in the pipeline and replaces a message's text by
:func:`index.normalize.to_simplified` (width, variant and Traditional characters, Taiwan/Hong Kong spellings of
government terms). Rasa records the user's own words in the conversation (``UserUttered.text``), so the reply
still follows the script the citizen wrote in; only the parse sees Simplified text.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from govbot.nlu.stateless import StatelessComponent
from index.normalize import to_simplified


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ScriptNormalizer(StatelessComponent):
    """Replaces each message's text by its Simplified-Chinese normal form (see the module docstring)."""

    @staticmethod
    def _normalise(messages: list[Message]) -> None:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                message.set(TEXT, to_simplified(text))

    def process(self, messages: list[Message]) -> list[Message]:
        self._normalise(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._normalise(training_data.training_examples)
        return training_data
