"""The custom actions compose the right answer for each route from the knowledge base."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import actions as rasa_actions
from actions.answers import OUTCOME_SLOT, answer_route, reach_vertrouwenspersoon, show_topic
from actions.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parent.parent


def tracker(intent: str | None, topic: str | None = None, text: str = "(niet gebruikt)", entities=()) -> Tracker:
    latest = {"intent": {"name": intent, "confidence": 0.99}, "text": text, "entities": list(entities)} if intent else {}
    return Tracker("test", {"topic": topic}, latest, [], False, None, {}, "action_listen")


def run(action, intent=None, topic=None, **latest):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker(intent, topic, **latest), {})
    return dispatcher.messages, events


def texts(messages) -> str:
    return "\n".join(m["text"] for m in messages)


def test_pesten_explains_the_form_and_how_to_reach_the_vp(knowledge):
    messages, events = run(rasa_actions.ActionAnswerRoute(), "pesten")
    text = texts(messages)
    assert knowledge.topics["pesten"].summary in text
    assert knowledge.topics["vertrouwenspersoon-vinden"].summary in text
    # the anonymous counts learn that this answer showed other help and the VP's contact
    assert events == [SlotSet("topic", "pesten"), SlotSet(OUTCOME_SLOT, ["verwijzing", "vp_contact"])]
    payloads = [b["payload"] for m in messages for b in (m.get("buttons") or [])]
    assert "/meer_info" in payloads and "/vraag_vertrouwenspersoon" in payloads


@pytest.mark.parametrize("intent, expected", [
    ("integriteit", "088-133 10 00"),           # Huis voor Klokkenluiders
    ("arbeidsconflict", "0900-8020"),           # Het Juridisch Loket
    ("beschuldigd", "Je huisarts"),
    ("prive_probleem", "Je gemeente of het wijkteam"),
])
def test_out_of_scope_routes_give_their_referral(intent, expected):
    messages, _ = run(rasa_actions.ActionAnswerRoute(), intent)
    assert expected in texts(messages)


def test_each_form_mentions_the_vertrouwenspersoon():
    for intent in ("pesten", "seksuele_intimidatie", "discriminatie", "agressie_geweld"):
        messages, _ = run(rasa_actions.ActionAnswerRoute(), intent)
        assert "vertrouwenspersoon" in texts(messages).lower(), intent


@pytest.mark.parametrize("intent, shown", [
    ("agressie_geweld", True), ("seksuele_intimidatie", True), ("pesten", False), ("arbeidsconflict", False),
])
def test_routes_where_danger_is_possible_end_with_112(knowledge, intent, shown):
    messages, _ = run(rasa_actions.ActionAnswerRoute(), intent)
    assert (knowledge.phrases["danger_note"] in texts(messages)) is shown
    if shown:
        assert "112" in texts(messages)


def test_unknown_intent_asks_to_rephrase_and_sets_nothing(knowledge):
    messages, events = run(rasa_actions.ActionAnswerRoute(), "greet")
    assert texts(messages) == knowledge.phrases["unknown_route"]
    assert events == []


def test_tell_more_gives_the_body_of_the_current_topic(knowledge):
    messages, _ = run(rasa_actions.ActionTellMore(), "meer_info", topic="discriminatie")
    assert texts(messages) == knowledge.topics["discriminatie"].body


def test_tell_more_without_a_topic_asks_what_about(knowledge):
    messages, _ = run(rasa_actions.ActionTellMore(), "meer_info", topic=None)
    assert texts(messages) == knowledge.phrases["no_topic"]


def test_organisation_settings_replace_the_general_guidance(tmp_path):
    directory = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", directory)
    (directory / "organisation.yml").write_text(
        "vertrouwenspersonen:\n"
        "  - {name: Externe vertrouwenspersoon, external: true, phone: '010-0000000'}\n"
        "  - {name: Interne vertrouwenspersoon, email: vp@example.org, also_integriteit: true}\n"
        "bedrijfsarts: 'via de arbodienst, 020-0000000'\n"
        "klachtencommissie: 'klachtencommissie@example.org'\n"
    )
    kb = load_knowledge(directory)
    assert reach_vertrouwenspersoon(kb) == ("- Externe vertrouwenspersoon (extern): 010-0000000\n"
                                            "- Interne vertrouwenspersoon (intern): vp@example.org")
    text = "\n".join(m.text for m in answer_route(kb, kb.routes["pesten"]))
    assert "via de arbodienst, 020-0000000" in text
    assert kb.topics["vertrouwenspersoon-vinden"].summary not in text
    integrity = "\n".join(m.text for m in answer_route(kb, kb.routes["integriteit"]))
    assert "vp@example.org" in integrity and "ook vertrouwenspersoon integriteit" in integrity
    assert "010-0000000" not in integrity  # only the VP who also does integriteit
    complaint = "\n".join(m.text for m in show_topic(kb, "formele-klacht"))
    assert "klachtencommissie@example.org" in complaint


def test_without_settings_the_bot_gives_the_general_guidance(knowledge):
    complaint = "\n".join(m.text for m in show_topic(knowledge, "formele-klacht"))
    for referral in ("vertrouwenspersoon", "klachtencommissie"):  # both listed, both say where to look
        assert knowledge.referrals[referral].otherwise in complaint


def buttons(messages) -> list[str]:
    return [b["payload"] for m in messages for b in (m.get("buttons") or [])]


def test_a_topic_button_shows_that_topic_and_offers_related_ones(knowledge):
    entity = [{"entity": "onderwerp", "value": "integriteit"}]
    messages, events = run(rasa_actions.ActionShowTopic(), "toon_onderwerp", entities=entity)
    topic = knowledge.topics["integriteit"]
    assert topic.summary in texts(messages)
    # a referral elsewhere (the integrity route), not the VP ongewenste omgangsvormen
    assert events == [SlotSet("topic", "integriteit"), SlotSet(OUTCOME_SLOT, ["verwijzing"])]
    related = [p for p in buttons(messages) if p.startswith("/toon_onderwerp")]
    assert related and all(any(f'"{r}"' in p for r in topic.related) for p in related)


def test_an_unknown_topic_button_asks_what_about(knowledge):
    entity = [{"entity": "onderwerp", "value": "bestaat-niet"}]
    messages, events = run(rasa_actions.ActionShowTopic(), "toon_onderwerp", entities=entity)
    assert texts(messages) == knowledge.phrases["no_topic"] and events == []


def test_search_answers_a_clear_free_question(knowledge):
    messages, events = run(rasa_actions.ActionSearchTopic(), "nlu_fallback", text="waar kan ik de vertrouwenspersoon vinden")
    assert knowledge.topics["vertrouwenspersoon-vinden"].summary in texts(messages)
    assert events == [SlotSet("topic", "vertrouwenspersoon-vinden"), SlotSet(OUTCOME_SLOT, ["vp_contact"])]


def test_search_without_a_match_falls_back_to_the_safe_reply():
    dispatcher = CollectingDispatcher()
    rasa_actions.ActionSearchTopic().run(dispatcher, tracker("nlu_fallback", text="qwrtzxv plmkjn"), {})
    assert dispatcher.messages[0]["response"] == "utter_default"


def test_answers_offer_related_topics_as_buttons(knowledge):
    messages, _ = run(rasa_actions.ActionAnswerRoute(), "discriminatie")
    assert any(p.startswith("/toon_onderwerp") for p in buttons(messages))


def test_a_route_topic_found_by_the_search_gets_the_full_route_answer(knowledge):
    # However a message reaches the pesten topic, the answer must include how to reach the VP.
    messages, events = run(rasa_actions.ActionSearchTopic(), "vraag_kennis",
                           text="wat valt er eigenlijk allemaal onder pesten op je werk")
    assert knowledge.phrases["reach_vp_heading"] in texts(messages)
    assert events == [SlotSet("topic", "pesten"), SlotSet(OUTCOME_SLOT, ["verwijzing", "vp_contact"])]


@pytest.mark.parametrize("intent, danger", [("agressie_geweld", True), ("pesten", False)])
def test_a_bystander_gets_the_bystander_answer_and_the_numbers_where_danger_is_possible(knowledge, intent, danger):
    text = "ik zie dat een collega door een klant wordt geduwd en uitgescholden, wat kan ik doen?"
    messages, events = run(rasa_actions.ActionAnswerRoute(), intent, text=text)
    assert knowledge.topics["omstander"].summary in texts(messages)
    assert "Wat jij meemaakt telt" not in texts(messages)  # the victim's opening
    assert (knowledge.phrases["danger_note"] in texts(messages)) is danger
    assert SlotSet("topic", "omstander") in events


def test_a_searched_answer_offers_the_other_likely_topics_first():
    from actions.answers import show_topic
    kb = rasa_actions.KNOWLEDGE
    messages = show_topic(kb, "vp-faciliteiten", alternatives=("wg-faciliteiten", "vp-faciliteiten"))
    titles = [b["title"] for b in messages[0].buttons]
    assert titles[0] == kb.phrases["more_button"] and titles[1] == kb.topics["wg-faciliteiten"].title
    assert titles.count(kb.topics["vp-faciliteiten"].title) == 0 and len(titles) <= 5


def test_a_choice_of_topics_also_gives_the_emergency_numbers():
    from actions.answers import suggest_topics
    kb = rasa_actions.KNOWLEDGE
    messages = suggest_topics(kb, ["vertrouwelijkheid", "vertrouwenspersoon-vinden"])
    assert len(messages[0].buttons) == 2
    text = " ".join(m.text for m in messages)
    assert "112" in text and "113" in text and "0800-0113" in text


def unsure(ranking: list[tuple[str, float]], text: str) -> Tracker:
    latest = {"intent": {"name": "nlu_fallback", "confidence": 0.4}, "text": text, "entities": [],
              "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]}
    return Tracker("test", {}, latest, [], False, None, {}, "action_listen")


def test_an_unclear_message_that_may_be_a_crisis_gets_the_emergency_numbers_first():
    dispatcher = CollectingDispatcher()
    rasa_actions.ActionSearchTopic().run(dispatcher, unsure(
        [("nlu_fallback", 0.4), ("agressie_geweld", 0.38), ("crisis", 0.36)],
        "er is gedoe op de afdeling met een patiënt"), {})
    assert dispatcher.messages[0]["response"] == "utter_crisis"
    assert len(dispatcher.messages) > 1  # the usual answer still follows


def test_an_unclear_message_with_crisis_unlikely_gets_no_emergency_block():
    dispatcher = CollectingDispatcher()
    rasa_actions.ActionSearchTopic().run(dispatcher, unsure(
        [("nlu_fallback", 0.4), ("pesten", 0.35), ("discriminatie", 0.3), ("crisis", 0.1)],
        "ze doen raar tegen me"), {})
    assert all(m.get("response") != "utter_crisis" for m in dispatcher.messages)
