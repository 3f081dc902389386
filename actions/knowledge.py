"""Load and validate the knowledge base in knowledge/.

Layout:
  topics/*.md        one topic per file: YAML front matter between '---' lines, then a body
  referrals.yml      where the bot can send people
  routes.yml         intent -> kind and topic (the routing table)
  organisation.yml   this organisation's vertrouwenspersonen and contacts
  phrases.yml        the short Dutch labels that stitch answers together
  situation.yml      the optional situation check: its questions, buttons and advice

Every error names the file and the field, so someone editing content can fix it without
reading code. Cross references (related topics, referral ids, route topics, settings) are
checked at load time: a broken reference stops the action server at start, not mid-chat.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "knowledge"
AUDIENCES = {"werknemer", "vertrouwenspersoon", "werkgever"}
FIND_VP_TOPIC = "vertrouwenspersoon-vinden"  # the general guidance when no VP is configured
ROUTE_KINDS = {"vorm", "doorverwijzen", "info", "crisis"}
ORGANISATION_CONTACTS = (
    "klachtencommissie", "bedrijfsarts", "bedrijfsmaatschappelijk_werk", "hr", "vertrouwenspersoon_integriteit",
    "meldregeling",
)
VP_CONTACT_FIELDS = ("phone", "email", "page")
SITUATION_SLOTS = ("dader", "frequentie", "wens")  # the situation check's slots (domain.yml)
LIST_ITEM = re.compile(r"^([-*+]|\d+[.)])\s")
PHRASES = (
    "reach_vp_heading", "also_heading", "referral_heading", "more_button", "vp_button",
    "no_topic", "unknown_route", "vp_internal", "vp_external", "contact_label", "danger_note", "suggest_heading",
    "phone_label", "email_label", "web_label", "also_integriteit", "suggest_safety",
    "clarify_heading", "clarify_other", "fallback_again", "no_answer", "no_answer_safety",
)


class KnowledgeError(ValueError):
    """A knowledge file is missing, malformed, or refers to something that does not exist."""


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    audience: tuple[str, ...]
    intro: str
    summary: str
    source: str
    related: tuple[str, ...]
    referrals: tuple[str, ...]
    body: str
    questions: tuple[str, ...] = ()  # how people ask for this topic; the search matches on them


@dataclass(frozen=True)
class Referral:
    """Somewhere the bot can send people. Public organisations carry their own checked
    contact details (phone, cost, hours, web, email) and the source they were checked
    against; organisation-specific ones name the `setting` in organisation.yml and say what
    to do when it is empty (`otherwise`). `verified: false` hides every contact detail."""

    id: str
    name: str
    text: str
    phone: str = ""
    cost: str = ""
    hours: str = ""
    web: str = ""
    email: str = ""
    source: str = ""
    verified: bool = True
    setting: str = ""
    otherwise: str = ""

    @property
    def has_public_contact(self) -> bool:
        return self.verified and bool(self.phone or self.web or self.email)


@dataclass(frozen=True)
class Route:
    intent: str
    kind: str
    topic: str | None = None
    response: str | None = None
    danger_note: bool = False
    label: str = ""  # a short button title, for "which of these do you mean?"


@dataclass(frozen=True)
class Vertrouwenspersoon:
    name: str
    external: bool
    phone: str = ""
    email: str = ""
    page: str = ""
    also_integriteit: bool = False


@dataclass(frozen=True)
class Organisation:
    name: str
    vertrouwenspersonen: tuple[Vertrouwenspersoon, ...]
    contacts: dict[str, str]


@dataclass(frozen=True)
class Question:
    """One question of the situation check: its text and its options (key -> (button, advice))."""
    slot: str
    ask: str
    options: dict[str, tuple[str, str]]


@dataclass(frozen=True)
class SituationCheck:
    start_button: str
    advice_heading: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Knowledge:
    topics: dict[str, Topic]
    referrals: dict[str, Referral]
    routes: dict[str, Route]
    organisation: Organisation
    phrases: dict[str, str]
    situation: SituationCheck


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: file is missing") from None
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path}: not valid YAML: {error}") from None


def _top_level(path: Path, key: str, kind: type) -> Any:
    """The value under `key` in a YAML file, which must be a list or a mapping."""
    data = _read_yaml(path)
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, kind):
        raise KnowledgeError(f"{path}: must contain a {'list' if kind is list else 'mapping'} '{key}'")
    return value


def _entry(entry: Any, where: str) -> dict:
    if not isinstance(entry, dict):
        raise KnowledgeError(f"{where} must be a mapping")
    return entry


def _text(data: dict, field: str, where: str, *, required: bool = True) -> str:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise KnowledgeError(f"{where}: field '{field}' is missing or empty")
        return ""
    if not isinstance(value, str):
        raise KnowledgeError(f"{where}: field '{field}' must be text, got {type(value).__name__}")
    return value.strip()


def _texts(data: dict, field: str, where: str) -> tuple[str, ...]:
    value = data.get(field) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise KnowledgeError(f"{where}: field '{field}' must be a list of non-empty texts")
    return tuple(v.strip() for v in value)


def _ids(data: dict, field: str, where: str) -> tuple[str, ...]:
    value = data.get(field) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KnowledgeError(f"{where}: field '{field}' must be a list of ids")
    return tuple(value)


def unwrap(markdown: str) -> str:
    """Join hard-wrapped lines, keeping paragraphs and list items.

    Topic files are wrapped for easy editing; chat clients (Slack, Teams) would show each
    line break, so lines are joined within a paragraph and within a list item.
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines: list[str] = []
        for line in block.splitlines():
            line = line.strip()
            if lines and not LIST_ITEM.match(line):
                lines[-1] = f"{lines[-1]} {line}"
            else:
                lines.append(line)
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def load_topic(path: Path) -> Topic:
    where = str(path)
    text = path.read_text(encoding="utf-8")
    parts = text.split("\n---\n", 1) if text.startswith("---\n") else []
    if len(parts) != 2:
        raise KnowledgeError(f"{where}: must start with YAML front matter between two '---' lines")
    try:
        meta = yaml.safe_load(parts[0][4:])
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{where}: front matter is not valid YAML: {error}") from None
    if not isinstance(meta, dict):
        raise KnowledgeError(f"{where}: front matter must be a mapping of fields")
    topic = Topic(
        id=_text(meta, "id", where),
        title=_text(meta, "title", where),
        audience=_ids(meta, "audience", where),
        intro=_text(meta, "intro", where, required=False),
        summary=_text(meta, "summary", where),
        source=_text(meta, "source", where),
        related=_ids(meta, "related", where),
        referrals=_ids(meta, "referrals", where),
        body=unwrap(parts[1]),
        questions=_texts(meta, "questions", where),
    )
    if topic.id != path.stem:
        raise KnowledgeError(f"{where}: field 'id' is '{topic.id}' but must equal the file name '{path.stem}'")
    if not topic.audience or not set(topic.audience) <= AUDIENCES:
        raise KnowledgeError(f"{where}: field 'audience' must list one or more of {sorted(AUDIENCES)}")
    if not topic.body:
        raise KnowledgeError(f"{where}: the body after the front matter is empty")
    return topic


def _only_known(entry: dict, known: set[str], where: str) -> None:
    for field in entry:
        if field not in known:
            raise KnowledgeError(f"{where}: unknown field '{field}' (allowed: {', '.join(sorted(known))})")


def _flag(entry: dict, field: str, where: str, default: bool) -> bool:
    value = entry.get(field, default)
    if not isinstance(value, bool):
        raise KnowledgeError(f"{where}: field '{field}' must be true or false")
    return value


REFERRAL_CONTACT_FIELDS = ("phone", "cost", "hours", "web", "email")


def _load_referrals(path: Path) -> dict[str, Referral]:
    referrals: dict[str, Referral] = {}
    for index, raw in enumerate(_top_level(path, "referrals", list)):
        where = f"{path}: referrals[{index}]"
        entry = _entry(raw, where)
        _only_known(entry, {"id", "name", "text", "source", "verified", "setting", "otherwise",
                            *REFERRAL_CONTACT_FIELDS}, where)
        referral = Referral(
            id=_text(entry, "id", where),
            name=_text(entry, "name", where),
            text=_text(entry, "text", where),
            **{field: _text(entry, field, where, required=False) for field in REFERRAL_CONTACT_FIELDS},
            source=_text(entry, "source", where, required=False),
            verified=_flag(entry, "verified", where, True),
            setting=_text(entry, "setting", where, required=False),
            otherwise=_text(entry, "otherwise", where, required=False),
        )
        where = f"{where} ({referral.id})"
        has_contact = any(getattr(referral, field) for field in REFERRAL_CONTACT_FIELDS)
        if has_contact and not referral.source:
            raise KnowledgeError(f"{where}: public contact details need the 'source' they were checked against")
        if has_contact and referral.setting:
            raise KnowledgeError(f"{where}: give either public contact details or a 'setting', not both")
        if referral.setting and referral.setting not in ("vertrouwenspersonen", *ORGANISATION_CONTACTS):
            raise KnowledgeError(f"{where}: unknown 'setting' '{referral.setting}'")
        if referral.otherwise and not referral.setting:
            raise KnowledgeError(f"{where}: 'otherwise' only applies to a referral with a 'setting'")
        if referral.id in referrals:
            raise KnowledgeError(f"{where}: duplicate id '{referral.id}'")
        referrals[referral.id] = referral
    return referrals


def _load_routes(path: Path) -> dict[str, Route]:
    routes = {}
    for intent, raw in _top_level(path, "routes", dict).items():
        where = f"{path}: routes.{intent}"
        entry = _entry(raw, where)
        _only_known(entry, {"kind", "topic", "response", "danger_note", "label"}, where)
        route = Route(
            intent=intent,
            kind=_text(entry, "kind", where),
            topic=_text(entry, "topic", where, required=False) or None,
            response=_text(entry, "response", where, required=False) or None,
            danger_note=entry.get("danger_note", False),
            label=_text(entry, "label", where, required=False),
        )
        if not isinstance(route.danger_note, bool):
            raise KnowledgeError(f"{where}: field 'danger_note' must be true or false")
        if route.kind not in ROUTE_KINDS:
            raise KnowledgeError(f"{where}: field 'kind' must be one of {sorted(ROUTE_KINDS)}")
        if route.kind == "crisis" and not route.response:
            raise KnowledgeError(f"{where}: a crisis route needs 'response' (a domain response)")
        if route.kind != "crisis" and not route.topic:
            raise KnowledgeError(f"{where}: field 'topic' is missing")
        if route.kind in ("vorm", "doorverwijzen") and not route.label:
            raise KnowledgeError(f"{where}: field 'label' is missing (the button title when the bot asks which is meant)")
        routes[intent] = route
    return routes


def _load_organisation(path: Path) -> Organisation:
    data = _read_yaml(path) or {}
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}: must be a mapping of settings")
    _only_known(data, {"name", "vertrouwenspersonen", *ORGANISATION_CONTACTS}, str(path))
    people = data.get("vertrouwenspersonen") or []
    if not isinstance(people, list):
        raise KnowledgeError(f"{path}: field 'vertrouwenspersonen' must be a list")
    vps = []
    for index, raw in enumerate(people):
        where = f"{path}: vertrouwenspersonen[{index}]"
        person = _entry(raw, where)
        _only_known(person, {"name", "external", "also_integriteit", *VP_CONTACT_FIELDS}, where)
        vp = Vertrouwenspersoon(
            name=_text(person, "name", where),
            external=_flag(person, "external", where, False),
            **{field: _text(person, field, where, required=False) for field in VP_CONTACT_FIELDS},
            also_integriteit=_flag(person, "also_integriteit", where, False),
        )
        if not any(getattr(vp, field) for field in VP_CONTACT_FIELDS):
            raise KnowledgeError(f"{where}: give at least one of 'phone', 'email' or 'page'")
        vps.append(vp)
    contacts = {key: _text(data, key, str(path), required=False) for key in ORGANISATION_CONTACTS}
    return Organisation(_text(data, "name", str(path), required=False), tuple(vps), contacts)


def _load_phrases(path: Path) -> dict[str, str]:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}: must be a mapping of phrases")
    return {key: _text(data, key, str(path)) for key in PHRASES}


def _load_situation(path: Path) -> SituationCheck:
    data = _entry(_read_yaml(path), str(path))
    _only_known(data, {"start_button", "advice_heading", "questions"}, str(path))
    raw_questions = _top_level(path, "questions", dict)
    if set(raw_questions) != set(SITUATION_SLOTS):
        raise KnowledgeError(f"{path}: field 'questions' must hold exactly {list(SITUATION_SLOTS)}")
    questions = []
    for slot, raw in raw_questions.items():
        where = f"{path}: questions.{slot}"
        entry = _entry(raw, where)
        _only_known(entry, {"ask", "options"}, where)
        options = entry.get("options")
        if not isinstance(options, dict) or not options:
            raise KnowledgeError(f"{where}: field 'options' must be a non-empty mapping")
        parsed = {}
        for key, option in options.items():
            there = f"{where}.options.{key}"
            option = _entry(option, there)
            _only_known(option, {"button", "advice"}, there)
            parsed[str(key)] = (_text(option, "button", there), _text(option, "advice", there, required=False))
        questions.append(Question(slot, _text(entry, "ask", where), parsed))
    return SituationCheck(_text(data, "start_button", str(path)), _text(data, "advice_heading", str(path)),
                          tuple(questions))


def _check_references(kb: Knowledge, directory: Path) -> None:
    if FIND_VP_TOPIC not in kb.topics:
        raise KnowledgeError(f"{directory / 'topics'}: topic '{FIND_VP_TOPIC}' is required (how to find the VP)")
    for topic in kb.topics.values():
        where = directory / "topics" / f"{topic.id}.md"
        for related in topic.related:
            if related not in kb.topics:
                raise KnowledgeError(f"{where}: field 'related' names unknown topic '{related}'")
        for referral in topic.referrals:
            if referral not in kb.referrals:
                raise KnowledgeError(f"{where}: field 'referrals' names unknown referral '{referral}'")
    asked: dict[str, str] = {}
    for topic in kb.topics.values():
        for question in topic.questions:
            other = asked.setdefault(question.lower(), topic.id)
            if other != topic.id:
                raise KnowledgeError(f"{directory / 'topics' / (topic.id + '.md')}: field 'questions' repeats "
                                     f"'{question}', which topic '{other}' already lists")
    for route in kb.routes.values():
        if route.topic and route.topic not in kb.topics:
            raise KnowledgeError(f"{directory / 'routes.yml'}: routes.{route.intent} names unknown topic '{route.topic}'")


def load_knowledge(directory: Path | str | None = None) -> Knowledge:
    directory = Path(directory or os.environ.get("WEGWIJZER_KNOWLEDGE_DIR") or DEFAULT_DIR)
    topic_files = sorted((directory / "topics").glob("*.md"))
    if not topic_files:
        raise KnowledgeError(f"{directory / 'topics'}: no topic files (*.md) found")
    kb = Knowledge(
        topics={topic.id: topic for topic in map(load_topic, topic_files)},
        referrals=_load_referrals(directory / "referrals.yml"),
        routes=_load_routes(directory / "routes.yml"),
        organisation=_load_organisation(directory / "organisation.yml"),
        phrases=_load_phrases(directory / "phrases.yml"),
        situation=_load_situation(directory / "situation.yml"),
    )
    _check_references(kb, directory)
    return kb
