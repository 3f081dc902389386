"""The Rasa actions. They read the recognised intent and delegate to actions.answers.

Nothing here logs or stores message text.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import Message, answer_route, show_topic, suggest_topics, tell_more
from actions.knowledge import Knowledge, load_knowledge
from actions.search import TopicSearch, choose

# Loaded once when the action server starts; invalid content stops the start with a clear error.
KNOWLEDGE: Knowledge = load_knowledge()
SEARCH = TopicSearch(KNOWLEDGE)
ROUTE_OF_TOPIC = {route.topic: route for route in KNOWLEDGE.routes.values() if route.topic}
SEARCH.search("vertrouwenspersoon")  # load the embedding model now, not on the first user's question
TOPIC_ENTITY = "onderwerp"


def _send(dispatcher: CollectingDispatcher, messages: list[Message]) -> None:
    for message in messages:
        dispatcher.utter_message(text=message.text, buttons=message.buttons or None)


def _reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Answer the latest message with the topic(s) `choose` picks for its intent and text."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    choice = choose(KNOWLEDGE, SEARCH, intent, tracker.latest_message.get("text") or "")
    if choice.kind == "topic":
        topic_id = choice.topic_ids[0]
        route = ROUTE_OF_TOPIC.get(topic_id)
        if route is not None:  # a route's own topic gets the full route answer, however it was found
            _send(dispatcher, answer_route(KNOWLEDGE, route))
        else:  # found by the search, possibly more specific than an info route's own topic
            _send(dispatcher, show_topic(KNOWLEDGE, topic_id, alternatives=choice.topic_ids[1:]))
        return [SlotSet("topic", topic_id)]
    if choice.kind == "suggest":
        _send(dispatcher, suggest_topics(KNOWLEDGE, list(choice.topic_ids)))
        return []
    dispatcher.utter_message(response="utter_default")
    return []


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
        return _reply(dispatcher, tracker)


class ActionTellMore(Action):
    """Give the longer explanation of the current topic ("Vertel me meer")."""

    def name(self) -> str:
        return "action_tell_more"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        _send(dispatcher, tell_more(KNOWLEDGE, tracker.get_slot("topic")))
        return []


class ActionShowTopic(Action):
    """Show the topic a button asked for (`/toon_onderwerp{"onderwerp": "<id>"}`)."""

    def name(self) -> str:
        return "action_show_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        topic_id = next(tracker.get_latest_entity_values(TOPIC_ENTITY), None)
        _send(dispatcher, show_topic(KNOWLEDGE, topic_id))
        return [SlotSet("topic", topic_id)] if topic_id in KNOWLEDGE.topics else []


class ActionSearchTopic(Action):
    """A knowledge question, or no intent fits: answer the clear best topic or offer the top three."""

    def name(self) -> str:
        return "action_search_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return _reply(dispatcher, tracker)
