"""The dialogue around the answers: welcome, audience menus, the situation check, asking which
route is meant, repeated misunderstanding, restart, and the crisis message in the domain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import actions as rasa_actions

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RULES = yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]


def response(name: str) -> dict:
    return DOMAIN["responses"][name][0]


def payloads(messages) -> list[str]:
    return [b["payload"] for m in messages for b in (m.get("buttons") or [])]


def run(action, intent: str, slots: dict | None = None, entities=(), ranking=(), events=(), text="x"):
    latest = {"intent": {"name": intent, "confidence": 0.5}, "text": text, "entities": list(entities),
              "intent_ranking": list(ranking)}
    tracker = Tracker("test", {"topic": None, **(slots or {})}, latest, list(events), False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker, {})
    return dispatcher.messages, result


def user_event(intent: str) -> dict:
    return {"event": "user", "text": "x", "parse_data": {"intent": {"name": intent}}}


# --- welcome, menus, fixed responses ---------------------------------------------------------

def test_welcome_says_bot_anonymous_no_names_and_offers_the_four_audiences():
    welcome = response("utter_welcome")
    text = welcome["text"].lower()
    assert "computerprogramma" in text and "anoniem" in text and "namen" in text
    assert [b["title"] for b in welcome["buttons"]] == [
        "Ik maak zelf iets mee", "Ik zie het bij een ander", "Ik ben vertrouwenspersoon", "Ik ben werkgever"]


def test_every_topic_button_in_the_domain_opens_an_existing_topic(knowledge):
    found = re.findall(r'payload: \'/toon_onderwerp\{"onderwerp": "([^"]+)"', (ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert found, "the audience menus should offer topics"
    assert [t for t in found if t not in knowledge.topics] == []


def test_audience_menus_offer_topics_for_their_audience(knowledge):
    for response_name, audience in (("utter_ben_vertrouwenspersoon", "vertrouwenspersoon"),
                                    ("utter_ben_werkgever", "werkgever")):
        ids = re.findall(r'"onderwerp": "([^"]+)"', str(response(response_name)["buttons"]))
        assert len(ids) >= 5
        assert all(audience in knowledge.topics[t].audience for t in ids), response_name


def test_every_button_payload_in_the_domain_names_a_domain_intent():
    intents = set(DOMAIN["intents"])
    for name, variants in DOMAIN["responses"].items():
        for button in variants[0].get("buttons", []):
            intent = re.match(r"/(\w+)", button["payload"]).group(1)
            assert intent in intents, f"{name}: {button['payload']}"


def test_crisis_message_has_every_emergency_number_and_needs_no_action_server():
    text = response("utter_crisis")["text"]
    for number in ("112", "113", "0800-0113", "0800-0188", "0800-2000"):
        assert number in text
    crisis_rules = [r for r in RULES if r["steps"][0].get("intent") == "crisis"]
    assert crisis_rules and all(r["steps"][1] == {"action": "utter_crisis"} for r in crisis_rules)


def test_every_intent_a_user_can_type_has_a_rule():
    handled = {r["steps"][0]["intent"] for r in RULES if "intent" in r["steps"][0]}
    typed = set(DOMAIN["intents"]) - {"affirm"}  # affirm depends on context: two rules, checked in stories
    assert typed - handled == set()


def test_opnieuw_restarts_and_greets_again():
    assert {"steps": [{"intent": "opnieuw"}, {"action": "action_restart"}]} in [
        {"steps": r["steps"]} for r in RULES]
    assert [b["title"] for b in response("utter_restart")["buttons"]] == [
        b["title"] for b in response("utter_welcome")["buttons"]]


def test_privacy_answer_is_honest_about_slack_and_teams():
    text = response("utter_privacy")["text"]
    assert "anoniem" in text and "Slack of Teams" in text and "opnieuw" in text


def test_welcome_and_privacy_answer_say_what_is_kept_as_it_is_configured():
    """The texts promise what the code does: personal data is taken out before reading, the
    conversation is forgotten after the idle time endpoints.yml sets (30 minutes), the id
    changes at least daily, and nothing goes to disk."""
    import yaml

    from channels.privacy import key_lifetime

    store = yaml.safe_load(open("endpoints.yml"))["tracker_store"]
    assert store["idle_minutes"] == 30 and key_lifetime() == 24 * 3600
    for name in ("utter_welcome", "utter_privacy"):
        text = response(name)["text"]
        assert "half uur" in text and "schijf" in text and "uit je bericht" in text, name
    assert "elke dag" in response("utter_privacy")["text"]


def test_privacy_answer_says_what_is_counted_as_the_counter_counts_it():
    """The anonymous counts (channels/insight.py) are per ISO week and hold no text, id or
    time; the report hides counts below 5. The answer says exactly that."""
    from channels.insight import WEEK
    from scripts.report import THRESHOLD

    text = response("utter_privacy")["text"]
    assert WEEK.match("2026-W49") and "per week" in text
    assert "zonder je woorden" in text.lower() and "zonder code" in text and "zonder tijdstip" in text
    assert f"onder de {THRESHOLD}" in text


# --- the situation check ---------------------------------------------------------------------

def test_situation_check_asks_who_without_names_then_how_often_then_what_they_want():
    messages, events = run(rasa_actions.ActionSituatie(), "situatie_check")
    assert "naam" in messages[0]["text"]
    assert '/situatie{"dader": "leidinggevende"}' in payloads(messages)
    messages, events = run(rasa_actions.ActionSituatie(), "situatie", entities=[{"entity": "dader", "value": "collega"}])
    assert SlotSet("dader", "collega") in events
    assert '/situatie{"frequentie": "herhaald"}' in payloads(messages)
    messages, _ = run(rasa_actions.ActionSituatie(), "situatie", slots={"dader": "collega"},
                      entities=[{"entity": "frequentie", "value": "eenmalig"}])
    assert '/situatie{"wens": "klacht"}' in payloads(messages)


def test_situation_advice_fits_the_answers_and_says_how_to_reach_the_vp(knowledge):
    slots = {"dader": "leidinggevende", "frequentie": "herhaald"}
    messages, events = run(rasa_actions.ActionSituatie(), "situatie", slots=slots,
                           entities=[{"entity": "wens", "value": "klacht"}])
    text = messages[0]["text"]
    assert "klachtencommissie" in text and "geen toestemming nodig" in text
    assert knowledge.topics["vertrouwenspersoon-vinden"].summary in text
    assert SlotSet("wens", "klacht") in events


def test_situation_check_skips_what_the_message_already_said():
    # "mijn baas scheldt me elke dag uit" filled dader and frequentie: straight to what they want
    messages, _ = run(rasa_actions.ActionSituatie(), "situatie_check",
                      slots={"dader": "leidinggevende", "frequentie": "herhaald", "wens": "stoppen"})
    assert '/situatie{"wens": "praten"}' in payloads(messages)


def test_situation_values_outside_the_categories_are_ignored():
    messages, events = run(rasa_actions.ActionSituatie(), "situatie",
                           entities=[{"entity": "dader", "value": "Jan de Vries"}])
    assert events == [] and '/situatie{"dader": "collega"}' in payloads(messages)


def test_a_route_answer_reads_who_did_it_and_fills_the_slot(knowledge):
    messages, events = run(rasa_actions.ActionAnswerRoute(), "pesten", text="mijn baas kleineert me",
                           entities=[{"entity": "dader", "value": "leidinggevende"}])
    assert "Het gaat om je leidinggevende" in messages[0]["text"]
    assert SlotSet("dader", "leidinggevende") in events
    assert "/situatie_check" in payloads(messages)


# --- not understood --------------------------------------------------------------------------

def test_a_message_torn_between_two_routes_gets_one_question_with_both():
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "pesten", "confidence": 0.38},
               {"name": "discriminatie", "confidence": 0.33}, {"name": "greet", "confidence": 0.01}]
    messages, events = run(rasa_actions.ActionSearchTopic(), "nlu_fallback", ranking=ranking)
    assert payloads(messages)[:2] == ["/pesten", "/discriminatie"]
    assert "112" in messages[-1]["text"] and events == []


def test_a_second_misunderstanding_in_a_row_offers_topics_and_the_vp(knowledge):
    events = [user_event("nlu_fallback"), {"event": "bot"}, user_event("nlu_fallback")]
    messages, _ = run(rasa_actions.ActionSearchTopic(), "nlu_fallback", events=events, text="qwerty zxcv")
    text = "\n".join(m["text"] for m in messages)
    assert "vertrouwenspersoon" in text and knowledge.topics["vertrouwenspersoon-vinden"].summary in text
    assert any(p.startswith("/toon_onderwerp") for p in payloads(messages))
    assert "113" in text


def test_one_misunderstanding_is_not_yet_repeated():
    events = [user_event("pesten"), {"event": "bot"}, user_event("nlu_fallback")]
    messages, _ = run(rasa_actions.ActionSearchTopic(), "nlu_fallback", events=events, text="qwerty zxcv")
    assert "Het lukt me niet goed" not in "\n".join(m.get("text") or "" for m in messages)


def test_a_route_button_answers_its_own_route_without_searching(knowledge):
    messages, events = run(rasa_actions.ActionAnswerRoute(), "arbeidsconflict", text="/arbeidsconflict")
    assert SlotSet("topic", "arbeidsconflict") in events


def test_an_info_answer_offers_the_searched_alternatives_first(knowledge):
    from actions.answers import answer_route
    messages = answer_route(knowledge, knowledge.routes["vraag_vertrouwelijkheid"], alternatives=("bemiddeling",))
    titles = [b["title"] for m in messages for b in m.buttons]
    assert titles[:2] == ["Vertel me meer", knowledge.topics["bemiddeling"].title]
