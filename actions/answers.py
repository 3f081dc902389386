"""Compose the bot's replies from the knowledge base. Pure functions: no Rasa, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from actions.knowledge import FIND_VP_TOPIC, Knowledge, Referral, Route, Topic, Vertrouwenspersoon

MORE_PAYLOAD = "/meer_info"
VP_PAYLOAD = "/vraag_vertrouwenspersoon"
CHECK_PAYLOAD = "/situatie_check"
OTHER_PAYLOAD = "/zelf_meemaken"
MAX_RELATED = 3
# Shown when the bot keeps failing to understand: a way into the knowledge for each audience.
FALLBACK_TOPICS = ("vertrouwenspersoon", "formele-klacht", "vp-rol", "wg-waarom-een-vp")


# What an answer showed, for the anonymous counts (channels/insight.py): a referral elsewhere,
# or how to reach the VP. Categories only.
OUTCOME_SLOT = "getoond"
REFERRAL = "verwijzing"
VP_CONTACT = "vp_contact"
VP_REFERRAL = "vertrouwenspersoon"


@dataclass(frozen=True)
class Message:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    shows: frozenset[str] = frozenset()


def _shows_of(referral_ids: tuple[str, ...]) -> frozenset[str]:
    return frozenset({VP_CONTACT if r == VP_REFERRAL else REFERRAL for r in referral_ids})


def topic_button(kb: Knowledge, topic_id: str) -> dict[str, str]:
    """A button that shows a topic; the payload sets the entity directly (no NLU involved)."""
    return {"title": kb.topics[topic_id].title, "payload": f'/toon_onderwerp{{"onderwerp": "{topic_id}"}}'}


def more_button(kb: Knowledge) -> dict[str, str]:
    return {"title": kb.phrases["more_button"], "payload": MORE_PAYLOAD}


def related_buttons(kb: Knowledge, topic: Topic, exclude: tuple[str, ...] = ()) -> list[dict[str, str]]:
    related = [t for t in topic.related if t not in exclude][:MAX_RELATED]
    return [topic_button(kb, t) for t in related]


def _vp_line(kb: Knowledge, person: Vertrouwenspersoon) -> str:
    kind = kb.phrases["vp_external"] if person.external else kb.phrases["vp_internal"]
    reach = ", ".join(part for part in (person.phone, person.email, person.page) if part)
    return f"- {person.name} ({kind}): {reach}"


def reach_vertrouwenspersoon(kb: Knowledge) -> str:
    """How to reach the VP: the organisation's own VPs, or the general guidance."""
    people = kb.organisation.vertrouwenspersonen
    if not people:
        return kb.topics[FIND_VP_TOPIC].summary
    return "\n".join(_vp_line(kb, person) for person in people)


def public_contact(kb: Knowledge, referral: Referral) -> str:
    """'Bel 0900-8020 (€ 0,25 per minuut, werkdagen 9.00-18.00 uur), kijk op ...'; empty when
    there are no details or they are not verified."""
    if not referral.has_public_contact:
        return ""
    parts = []
    if referral.phone:
        details = ", ".join(d for d in (referral.cost, referral.hours) if d)
        parts.append(f"{kb.phrases['phone_label']} {referral.phone}" + (f" ({details})" if details else ""))
    if referral.email:
        parts.append(f"{kb.phrases['email_label']} {referral.email}")
    if referral.web:
        parts.append(f"{kb.phrases['web_label']} {referral.web}")
    text = ", ".join(parts)
    return text[0].upper() + text[1:] + "."


def _vp_sublines(kb: Knowledge, people, suffix: str = "") -> str:
    """VPs as indented list items under a referral line (empty when there are none)."""
    return "".join(f"\n  {_vp_line(kb, person)}{suffix}" for person in people)


def _organisation_contact(kb: Knowledge, referral: Referral) -> str:
    if referral.setting == "vertrouwenspersonen":
        people = kb.organisation.vertrouwenspersonen
        return _vp_sublines(kb, people) or referral.otherwise
    contact = kb.organisation.contacts.get(referral.setting, "")
    if contact:
        return f"{kb.phrases['contact_label']} {contact}"
    if referral.setting == "vertrouwenspersoon_integriteit":
        people = [p for p in kb.organisation.vertrouwenspersonen if p.also_integriteit]
        if people:
            return _vp_sublines(kb, people, f" ({kb.phrases['also_integriteit']})")
    return referral.otherwise


def describe_referral(kb: Knowledge, referral: Referral) -> str:
    """One line: name, what it is for, and how to reach it where that is known."""
    contact = _organisation_contact(kb, referral) if referral.setting else public_contact(kb, referral)
    line = f"- **{referral.name}**: {referral.text}"
    if not contact:
        return line
    return f"{line}{contact}" if contact.startswith("\n") else f"{line} {contact}"


def _referral_list(kb: Knowledge, ids: tuple[str, ...]) -> str:
    return "\n".join(describe_referral(kb, kb.referrals[i]) for i in ids)


def _section(heading: str, content: str) -> str:
    return f"**{heading}**\n{content}"


def _advice(kb: Knowledge, slot: str, key: str | None) -> str:
    """The situation check's advice line for an answer ('' for none or an unknown key)."""
    question = next((q for q in kb.situation.questions if q.slot == slot), None)
    option = question.options.get(key or "") if question else None
    return option[1] if option else ""


def answer_route(kb: Knowledge, route: Route, dader: str | None = None,
                 alternatives: tuple[str, ...] = ()) -> list[Message]:
    """The first answer for a routed intent (the four forms, out of scope, or info).
    `dader` (a category such as "leidinggevende", read from the message) adds the line
    that fits who did it; `alternatives` are other topics the message may have meant, offered
    first among the buttons."""
    topic = kb.topics[route.topic]
    opening = f"{topic.intro}\n\n{topic.summary}" if topic.intro else topic.summary
    who = _advice(kb, "dader", dader) if route.kind == "vorm" else ""
    if who:
        opening += f"\n\n{who}"
    if route.kind == "doorverwijzen":
        follow_up = _section(kb.phrases["referral_heading"], _referral_list(kb, topic.referrals))
        shows = _shows_of(topic.referrals)
    else:
        sections = []
        if topic.id != FIND_VP_TOPIC or kb.organisation.vertrouwenspersonen:  # else the summary said it
            sections.append(_section(kb.phrases["reach_vp_heading"], reach_vertrouwenspersoon(kb)))
        shows = frozenset({VP_CONTACT})
        others = tuple(r for r in topic.referrals if r != VP_REFERRAL)
        if others:
            sections.append(_section(kb.phrases["also_heading"], _referral_list(kb, others)))
            shows |= _shows_of(others)
        follow_up = "\n\n".join(sections)
    if route.danger_note:
        follow_up += f"\n\n{kb.phrases['danger_note']}"
    buttons = [more_button(kb)]
    if route.kind == "vorm":
        buttons.append({"title": kb.situation.start_button, "payload": CHECK_PAYLOAD})
        buttons.append({"title": kb.phrases["vp_button"], "payload": VP_PAYLOAD})
    others = tuple(t for t in alternatives if t != topic.id and t in kb.topics)
    buttons += [topic_button(kb, t) for t in others]
    excluded = (*others, "vertrouwenspersoon") if route.kind == "vorm" else others
    buttons += related_buttons(kb, topic, exclude=excluded)[:max(1, MAX_RELATED - len(others))]
    if not follow_up:
        return [Message(opening, buttons, shows)]
    return [Message(opening), Message(follow_up, buttons, shows)]


def show_topic(kb: Knowledge, topic_id: str | None, alternatives: tuple[str, ...] = ()) -> list[Message]:
    """A topic chosen from a button or found by search: its summary, then where to go next.
    `alternatives` are other topics the question may have meant; they come first among the
    buttons, before the related topics."""
    topic = kb.topics.get(topic_id or "")
    if topic is None:
        return [Message(kb.phrases["no_topic"])]
    text = f"**{topic.title}**\n{topic.summary}"
    if topic.referrals:
        text += "\n\n" + _section(kb.phrases["also_heading"], _referral_list(kb, topic.referrals))
    others = tuple(t for t in alternatives if t != topic.id and t in kb.topics)
    room = MAX_RELATED + (1 if others else 0) - len(others)  # at least one related topic
    related = related_buttons(kb, topic, exclude=others)[:max(0, room)]
    return [Message(text, [more_button(kb), *(topic_button(kb, t) for t in others), *related],
                    _shows_of(topic.referrals))]


def suggest_topics(kb: Knowledge, topic_ids: list[str]) -> list[Message]:
    # The message was unclear: it may also be distress in other words, so the numbers come along.
    return [Message(kb.phrases["suggest_heading"], [topic_button(kb, t) for t in topic_ids]),
            Message(kb.phrases["suggest_safety"])]


def tell_more(kb: Knowledge, topic_id: str | None) -> list[Message]:
    """The longer explanation of the topic the conversation is about."""
    topic = kb.topics.get(topic_id or "")
    if topic is None:
        return [Message(kb.phrases["no_topic"])]
    return [Message(topic.body, related_buttons(kb, topic))]


def situation_step(kb: Knowledge, answers: dict[str, str | None]) -> list[Message]:
    """The situation check: the first question without an answer, with its options as buttons;
    once all are answered, the advice that fits the answers and how to reach the VP."""
    for question in kb.situation.questions:
        if not answers.get(question.slot):
            buttons = [{"title": button, "payload": f'/situatie{{"{question.slot}": "{key}"}}'}
                       for key, (button, _) in question.options.items()]
            return [Message(question.ask, buttons)]
    lines = [_advice(kb, q.slot, answers.get(q.slot)) for q in kb.situation.questions]
    advice = "\n".join(f"- {line}" for line in lines if line)
    text = _section(kb.situation.advice_heading, advice) if advice else ""
    reach = _section(kb.phrases["reach_vp_heading"], reach_vertrouwenspersoon(kb))
    buttons = [topic_button(kb, t) for t in ("zelf-aanspreken", "formele-klacht", "vertrouwelijkheid")
               if t in kb.topics]
    return [Message(f"{text}\n\n{reach}" if text else reach, buttons, frozenset({VP_CONTACT}))]


def clarify(kb: Knowledge, intents: list[str]) -> list[Message]:
    """Ask which of two (or more) routes the message is about, one button each."""
    buttons = [{"title": kb.routes[i].label, "payload": f"/{i}"} for i in intents]
    buttons.append({"title": kb.phrases["clarify_other"], "payload": OTHER_PAYLOAD})
    return [Message(kb.phrases["clarify_heading"], buttons), Message(kb.phrases["suggest_safety"])]


def fallback_again(kb: Knowledge) -> list[Message]:
    """After repeated misunderstanding: the way into the knowledge, and the VP (a person)."""
    text = f"{kb.phrases['fallback_again']}\n{reach_vertrouwenspersoon(kb)}"
    return [Message(text, [topic_button(kb, t) for t in FALLBACK_TOPICS if t in kb.topics],
                    frozenset({VP_CONTACT})),
            Message(kb.phrases["suggest_safety"])]
