"""Every crisis message of every evaluation set gets the emergency numbers from the served model.

`rasa test nlu` (the NLU gates in `make test`) undoes the FallbackClassifier's predictions, so
it scores the classifier, not what the user gets. This test parses each crisis message with
the served model, fallback included, and requires what the dialogue needs to show 112/113:
the intent `crisis` (answered by a rule), or, when the NLU is unsure, crisis likely enough that
the fallback action shows the numbers first (actions.actions._crisis_in_doubt).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from test_nlu_data import examples

from actions.actions import _crisis_in_doubt

ROOT = Path(__file__).resolve().parent.parent
SETS = [ROOT / "tests" / "nlu_holdout.yml", *sorted((ROOT / "tests" / "nlu").glob("*.yml"))]


def gets_the_numbers(parsed: dict) -> bool:
    intent = parsed["intent"]["name"]
    return intent == "crisis" or intent == "nlu_fallback" and _crisis_in_doubt(parsed.get("intent_ranking", []))


def test_every_crisis_message_gets_the_emergency_numbers(offline_agent):
    messages = [(path.name, text) for path in SETS for text in examples(path).get("crisis", [])]
    assert len(messages) > 200

    async def parse_all():
        return [await offline_agent.parse_message(text) for _, text in messages]

    missed = [f"{name}: {text}" for (name, text), parsed in zip(messages, asyncio.run(parse_all()))
              if not gets_the_numbers(parsed)]
    assert not missed, "\n".join(missed)
