"""The knowledge base loads, is complete for every route, and bad content fails clearly."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from actions.knowledge import KnowledgeError, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
ROUTING_INTENTS = {
    "pesten", "seksuele_intimidatie", "discriminatie", "agressie_geweld",
    "arbeidsconflict", "prive_probleem", "integriteit", "beschuldigd", "crisis",
}
FORMS = {"pesten", "seksuele_intimidatie", "discriminatie", "agressie_geweld"}


def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text())


def test_every_routing_intent_has_a_route(knowledge):
    assert ROUTING_INTENTS <= set(knowledge.routes)
    assert {i for i in FORMS} == {i for i, r in knowledge.routes.items() if r.kind == "vorm"}
    assert {i for i, r in knowledge.routes.items() if r.kind == "doorverwijzen"} == {
        "arbeidsconflict", "prive_probleem", "integriteit", "beschuldigd"}


def test_routes_and_domain_agree(knowledge):
    intents = set(domain()["intents"])
    assert ROUTING_INTENTS <= intents
    assert set(knowledge.routes) <= intents, "routes.yml names an intent the domain does not know"
    # The crisis answer must come from the domain (works without the action server).
    assert knowledge.routes["crisis"].response in domain()["responses"]


def test_crisis_response_gives_the_emergency_numbers():
    text = domain()["responses"]["utter_crisis"][0]["text"]
    for number in ("112", "113", "0800-0113", "0800-0188", "0800-2000"):
        assert number in text


def test_form_topics_mention_the_vertrouwenspersoon_and_stay_short(knowledge):
    for intent in FORMS | {"vraag_vertrouwenspersoon"}:
        topic = knowledge.topics[knowledge.routes[intent].topic]
        assert "vertrouwenspersoon" in topic.summary.lower(), topic.id
    for topic in knowledge.topics.values():
        assert len(topic.summary.split()) <= 80, f"{topic.id}: summary has {len(topic.summary.split())} words"


def test_out_of_scope_topics_refer_somewhere(knowledge):
    for intent, route in knowledge.routes.items():
        if route.kind == "doorverwijzen":
            assert knowledge.topics[route.topic].referrals, f"{intent} has no referral"


def test_every_shown_contact_has_a_checked_source(knowledge):
    for referral in knowledge.referrals.values():
        if referral.has_public_contact:
            assert referral.source.startswith("https://"), referral.id


def test_an_unverified_contact_is_never_shown(knowledge):
    from actions.answers import describe_referral
    lvv = knowledge.referrals["lvv"]
    assert not lvv.verified and lvv.web
    assert lvv.web not in describe_referral(knowledge, lvv)


def test_public_referrals_show_phone_hours_and_web(knowledge):
    from actions.answers import describe_referral
    line = describe_referral(knowledge, knowledge.referrals["juridisch-loket"])
    assert "0900-8020" in line and "werkdagen 9.00-18.00 uur" in line and "juridischloket.nl" in line


@pytest.fixture
def editable(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


def test_missing_front_matter_names_the_file(editable):
    (editable / "topics" / "pesten.md").write_text("Pesten is...\n")
    with pytest.raises(KnowledgeError, match=r"pesten\.md: must start with YAML front matter"):
        load_knowledge(editable)


def test_missing_field_names_file_and_field(editable):
    path = editable / "topics" / "pesten.md"
    path.write_text(path.read_text().replace("summary: >-", "samenvatting: >-", 1))
    with pytest.raises(KnowledgeError, match=r"pesten\.md: field 'summary' is missing"):
        load_knowledge(editable)


def test_unknown_referral_is_refused(editable):
    path = editable / "topics" / "pesten.md"
    path.write_text(path.read_text().replace("referrals: [", "referrals: [bestaat-niet, ", 1))
    with pytest.raises(KnowledgeError, match=r"pesten\.md: field 'referrals' names unknown referral 'bestaat-niet'"):
        load_knowledge(editable)


def test_route_to_unknown_topic_is_refused(editable):
    path = editable / "routes.yml"
    path.write_text(path.read_text().replace("topic: pesten,", "topic: gepest,", 1))
    with pytest.raises(KnowledgeError, match=r"routes\.pesten names unknown topic 'gepest'"):
        load_knowledge(editable)


def test_public_contact_without_source_is_refused(editable):
    path = editable / "referrals.yml"
    text = path.read_text()
    path.write_text(re.sub(r"\n    source: https://www\.juridischloket\.nl\S*", "", text, count=1))
    with pytest.raises(KnowledgeError, match=r"juridisch-loket.*need the 'source'"):
        load_knowledge(editable)


@pytest.mark.parametrize("vp, error", [
    # an unknown field is named with the file and the entry
    ("{name: VP, telefoon: '010-0000000'}", r"organisation\.yml: vertrouwenspersonen\[0\]: unknown field 'telefoon'"),
    # a VP nobody can reach is refused
    ("{name: VP, external: true}", r"vertrouwenspersonen\[0\]: give at least one of 'phone'"),
])
def test_a_malformed_vp_entry_names_file_and_field(editable, vp, error):
    (editable / "organisation.yml").write_text(f"vertrouwenspersonen:\n  - {vp}\n")
    with pytest.raises(KnowledgeError, match=error):
        load_knowledge(editable)


def test_the_same_question_in_two_topics_is_refused(editable):
    question = load_knowledge(editable).topics["discriminatie"].questions[0]
    path = editable / "topics" / "pesten.md"
    path.write_text(path.read_text().replace("questions:\n", f'questions:\n  - "{question}"\n', 1))
    with pytest.raises(KnowledgeError, match=r"pesten\.md: field 'questions' repeats .* 'discriminatie'"):
        load_knowledge(editable)


def test_invalid_yaml_names_the_file(editable):
    (editable / "organisation.yml").write_text("vertrouwenspersonen: [\n")
    with pytest.raises(KnowledgeError, match=r"organisation\.yml: not valid YAML"):
        load_knowledge(editable)


def test_topic_bodies_are_unwrapped_but_keep_paragraphs_and_lists():
    from actions.knowledge import unwrap
    text = "Een zin die\ndoorloopt.\n\n- punt een\n  gaat verder\n- punt twee\n"
    assert unwrap(text) == "Een zin die doorloopt.\n\n- punt een gaat verder\n- punt twee"


def test_general_guidance_on_finding_the_vp_is_required(editable):
    (editable / "topics" / "vertrouwenspersoon-vinden.md").unlink()
    with pytest.raises(KnowledgeError, match=r"topic 'vertrouwenspersoon-vinden' is required"):
        load_knowledge(editable)


def test_a_route_without_its_button_label_is_refused(editable):
    path = editable / "routes.yml"
    path.write_text(path.read_text().replace(', label: "Pesten of buitensluiten"', "", 1))
    with pytest.raises(KnowledgeError, match=r"routes\.pesten: field 'label' is missing"):
        load_knowledge(editable)


def test_a_situation_option_without_a_button_is_refused(editable):
    path = editable / "situation.yml"
    path.write_text(path.read_text().replace('button: "Mijn leidinggevende"', 'knop: "Mijn leidinggevende"', 1))
    with pytest.raises(KnowledgeError, match=r"situation\.yml: questions\.dader\.options\.leidinggevende: unknown field 'knop'"):
        load_knowledge(editable)
