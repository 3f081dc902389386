"""The Rasa actions. They read the recognised intent and delegate to actions.answers.

Nothing here logs or stores message text.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import (OUTCOME_SLOT, Message, answer_route, clarify, fallback_again, show_topic,
                             situation_step, suggest_topics, tell_more)
from actions.knowledge import SITUATION_SLOTS, Knowledge, load_knowledge
from actions.search import BYSTANDER_TOPIC, TopicSearch, choose

# Loaded once when the action server starts; invalid content stops the start with a clear error.
KNOWLEDGE: Knowledge = load_knowledge()
SEARCH = TopicSearch(KNOWLEDGE)
ROUTE_OF_TOPIC = {route.topic: route for route in KNOWLEDGE.routes.values() if route.topic}
SEARCH.search("vertrouwenspersoon")  # load the embedding model now, not on the first user's question
TOPIC_ENTITY = "onderwerp"
FALLBACK_INTENT = "nlu_fallback"
CRISIS_INTENT = "crisis"
# Ambiguity between two routes is worth a question only when both are plausible at all.
CLARIFY_MIN_CONFIDENCE = 0.2
# A message the NLU is unsure about, with crisis among its likely meanings, gets the emergency
# numbers first (a false alarm costs a paragraph; a miss withholds them). On the twelve NLU
# evaluation sets this shows them for 1 of 2,260 non-crisis messages (docs/nlu.md).
CRISIS_DOUBT = 0.25
OPTIONS = {q.slot: set(q.options) for q in KNOWLEDGE.situation.questions}


def _send(dispatcher: CollectingDispatcher, messages: list[Message]) -> list[EventType]:
    """Send the messages; returns the event that records what they showed (a referral, the
    VP's contact), for the anonymous counts (channels/insight.py), or nothing."""
    shows: set[str] = set()
    for message in messages:
        dispatcher.utter_message(text=message.text, buttons=message.buttons or None)
        shows |= message.shows
    return [SlotSet(OUTCOME_SLOT, sorted(shows))] if shows else []


def _categories(tracker: Tracker) -> dict[str, str]:
    """The situation categories in the latest message (from the user's words or a button).
    Only known category keys pass: an entity value is never user text."""
    found = {}
    for slot in SITUATION_SLOTS:
        values = (str(v).lower() for v in tracker.get_latest_entity_values(slot))
        value = next((v for v in values if v in OPTIONS[slot]), None)
        if value:
            found[slot] = value
    return found


def _reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Answer the latest message with the topic(s) `choose` picks for its intent and text."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    choice = choose(KNOWLEDGE, SEARCH, intent, tracker.latest_message.get("text") or "")
    if choice.kind == "topic":
        topic_id = choice.topic_ids[0]
        route = ROUTE_OF_TOPIC.get(topic_id)
        found = _categories(tracker)
        asked = KNOWLEDGE.routes.get(intent or "")
        if route is not None and topic_id == BYSTANDER_TOPIC and asked is not None and asked.danger_note:
            route = replace(route, danger_note=True)  # a bystander of aggression or harassment: 112 too
        if route is not None:  # a route's own topic gets the full route answer, however it was found
            shown = _send(dispatcher, answer_route(KNOWLEDGE, route, dader=found.get("dader"),
                                                   alternatives=choice.topic_ids[1:]))
        else:  # found by the search, possibly more specific than an info route's own topic
            shown = _send(dispatcher, show_topic(KNOWLEDGE, topic_id, alternatives=choice.topic_ids[1:]))
        return [SlotSet("topic", topic_id), *(SlotSet(slot, value) for slot, value in found.items()),
                *shown]
    if choice.kind == "suggest":
        return _send(dispatcher, suggest_topics(KNOWLEDGE, list(choice.topic_ids)))
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
        return _send(dispatcher, tell_more(KNOWLEDGE, tracker.get_slot("topic")))


class ActionShowTopic(Action):
    """Show the topic a button asked for (`/toon_onderwerp{"onderwerp": "<id>"}`)."""

    def name(self) -> str:
        return "action_show_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        topic_id = next(tracker.get_latest_entity_values(TOPIC_ENTITY), None)
        shown = _send(dispatcher, show_topic(KNOWLEDGE, topic_id))
        return [SlotSet("topic", topic_id), *shown] if topic_id in KNOWLEDGE.topics else shown


class ActionSearchTopic(Action):
    """A knowledge question, or no intent fits. A message torn between two routes gets the
    question which one it is; after repeated misunderstanding the bot offers a way into the
    topics and the VP; otherwise it answers the clear best topic or offers the top three."""

    def name(self) -> str:
        return "action_search_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        latest = tracker.latest_message or {}
        if (latest.get("intent") or {}).get("name") == FALLBACK_INTENT:
            ranking = latest.get("intent_ranking") or []
            if _crisis_in_doubt(ranking):
                dispatcher.utter_message(response="utter_crisis")
            torn = _torn_between_routes(ranking)
            if torn:
                return _send(dispatcher, clarify(KNOWLEDGE, torn))
            if _fallbacks_in_a_row(tracker) >= 2:
                return _send(dispatcher, fallback_again(KNOWLEDGE))
        return _reply(dispatcher, tracker)


def _crisis_in_doubt(ranking: list[dict[str, Any]]) -> bool:
    """Whether a message the NLU did not understand may well be a crisis."""
    return any(r.get("name") == CRISIS_INTENT and r.get("confidence", 0) >= CRISIS_DOUBT for r in ranking)


def _torn_between_routes(ranking: list[dict[str, Any]]) -> list[str]:
    """The two routes a message is torn between, when the fallback was triggered by
    ambiguity between two forms or out-of-scope routes (e.g. pesten or discriminatie)."""
    ranked = [r for r in ranking if r.get("name") != FALLBACK_INTENT][:2]
    if len(ranked) < 2 or ranked[1].get("confidence", 0) < CLARIFY_MIN_CONFIDENCE:
        return []
    names = [r.get("name") for r in ranked]
    if all(KNOWLEDGE.routes.get(n) is not None and KNOWLEDGE.routes[n].label for n in names):
        return names
    return []


def _fallbacks_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, up to this one, the NLU did not understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionSituatie(Action):
    """The optional situation check: who, how often, what the user wants; buttons only."""

    def name(self) -> str:
        return "action_situatie"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        answers = {slot: tracker.get_slot(slot) for slot in SITUATION_SLOTS}
        events: list[EventType] = []
        if intent == "situatie_check":  # (re)start: what the user wants is asked anew
            answers["wens"] = None
            events.append(SlotSet("wens", None))
        for slot, value in _categories(tracker).items():
            answers[slot] = value
            events.append(SlotSet(slot, value))
        return events + _send(dispatcher, situation_step(KNOWLEDGE, answers))
