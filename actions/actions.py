"""The Rasa actions. They read the recognised intent and delegate to actions.answers.

Nothing here logs or stores message text.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import Message, answer_route, tell_more
from actions.knowledge import Knowledge, load_knowledge

# Loaded once when the action server starts; invalid content stops the start with a clear error.
KNOWLEDGE: Knowledge = load_knowledge()


def _send(dispatcher: CollectingDispatcher, messages: list[Message]) -> None:
    for message in messages:
        dispatcher.utter_message(text=message.text, buttons=message.buttons or None)


class ActionAnswerRoute(Action):
    """Answer a routed intent from the routing table (knowledge/routes.yml)."""

    def name(self) -> str:
        return "action_answer_route"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        route = KNOWLEDGE.routes.get(intent or "")
        if route is None or route.topic is None:
            dispatcher.utter_message(text=KNOWLEDGE.phrases["unknown_route"])
            return []
        _send(dispatcher, answer_route(KNOWLEDGE, route))
        return [SlotSet("topic", route.topic)]


class ActionTellMore(Action):
    """Give the longer explanation of the current topic ("Vertel me meer")."""

    def name(self) -> str:
        return "action_tell_more"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        _send(dispatcher, tell_more(KNOWLEDGE, tracker.get_slot("topic")))
        return []
