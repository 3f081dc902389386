"""The scrubber (channels/scrubber.py): personal data out, meaning in.

The measured figures are in docs/privacy.md (`python -m scripts.pii_eval`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.privacy import PrivacyEdge
from channels.scrubber import eleven_test, scrub, scrub_message
from scripts.pii_eval import evaluate

TESTS = Path(__file__).resolve().parent


def cases(name: str) -> list[dict]:
    return yaml.safe_load((TESTS / name).read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("name", ["pii_cases.yml", "pii_fresh.yml"])
def test_every_kind_of_personal_data_is_caught(name):
    if not (TESTS / name).exists():
        pytest.skip(f"{name} is not there")
    result = evaluate(cases(name))
    for kind, total in result["items"].items():
        assert result["caught"][kind] / total >= 0.95, (kind, result["caught"][kind], total)
    # role words before a name stay: they say who did it
    assert result["kept"] / result["keep_total"] >= 0.97
    assert result["clean"] / result["clean_total"] >= 0.9


def held_out_messages() -> list[str]:
    """Every message of the NLU and search evaluation sets: ordinary sentences."""
    texts = []
    for path in [TESTS / "nlu_holdout.yml", *sorted((TESTS / "nlu").glob("*.yml"))]:
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            texts += [line[2:].strip() for line in block["examples"].splitlines()
                      if line.startswith("- ")]
    for name in ("search_heldout.yml", "search_fresh.yml"):
        texts += [q["question"] for q in
                  yaml.safe_load((TESTS / name).read_text(encoding="utf-8"))["questions"]]
    return texts


def test_ordinary_sentences_come_through_untouched():
    """No held-out message holds personal data, so none may change: then none can lose its
    routing either."""
    texts = held_out_messages()
    assert len(texts) > 700
    changed = [(t, scrub(t)) for t in texts if scrub(t) != t]
    assert changed == []


@pytest.mark.parametrize("text, expected", [
    ("mijn collega Jan de Vries belt me op 06-12345678",
     "mijn collega [NAAM] belt me op [TELEFOON]"),
    ("Wil je me helpen? Ben ik gek?", "Wil je me helpen? Ben ik gek?"),
    ("de bakker op de hoek en mevrouw De Groot", "de bakker op de hoek en mevrouw [NAAM]"),
    ("bel 112, 113 of 0800-0113", "bel 112, 113 of 0800-0113"),
    ("ik verdien 2500 euro, sinds maart 2023, 15,6 procent",
     "ik verdien 2500 euro, sinds maart 2023, 15,6 procent"),
    ("mijn bsn is 123456782", "mijn bsn is [BSN]"),
    # once scrubbed by mistake (lines of tests/nlu/blind5-7.yml; paraphrases), and their near misses
    ("hij stuurt me dick pics", "hij stuurt me dick pics"),
    ("mijn collega Dick pest me", "mijn collega [NAAM] pest me"),
    ("met mijn ervaring 300 euro minder", "met mijn ervaring 300 euro minder"),
    ("ik woon op de kerkstraat 12", "ik woon op de [ADRES]"),
    ("ik heb gewoon mijn B-rijbewijs", "ik heb gewoon mijn B-rijbewijs"),
])
def test_what_a_user_would_see(text, expected):
    assert scrub(text) == expected


def test_a_nine_digit_number_is_a_bsn_only_with_the_eleven_test():
    assert eleven_test("123456782")
    assert not eleven_test("123456789")
    assert scrub("mijn bsn is 123456789") == "mijn bsn is [NUMMER]"


def test_button_payloads_stay_payloads_but_their_values_are_scrubbed():
    payload = '/toon_onderwerp{"onderwerp": "vp-rol"}'
    assert scrub_message(payload) == '/toon_onderwerp{"onderwerp": "vp-rol"}'
    assert scrub_message("/pesten") == "/pesten"
    sneaky = scrub_message('/pesten{"dader": "mijn collega Sanne Visser 0612345678"}')
    assert "Sanne" not in sneaky and "0612345678" not in sneaky
    assert sneaky.startswith("/pesten{")


def test_odd_input_does_not_break_the_scrubber():
    for text in ["", " ", "\x00\x01", "😀" * 50, "א" * 20, "[NAAM]", "/", "/{", "a" * 100_000]:
        assert isinstance(scrub_message(text), str)
    assert scrub_message(None) is None


def test_the_edge_hands_rasa_the_scrubbed_text():
    edge = PrivacyEdge()
    message = UserMessage("mijn leidinggevende Bakker mailt naar sanne.visser@bedrijf.nl",
                          CollectingOutputChannel(), "socket-1")
    seen = edge.message(message, "rest")
    assert seen.text == "mijn leidinggevende [NAAM] mailt naar [EMAIL]"


# Words of our own data that are also first names somewhere and not in spaCy's Dutch word list,
# checked by hand to be ordinary words here (English words of the domain file, "koos" from
# kiezen, "keet", "maatje", "rie" from "RI&E", "win" from winnen, "candy" from "eye candy",
# "islam", "lieve" from lief, "ouwe" for an old man).
REVIEWED_WORDS = {"aan", "alike", "an", "can", "candy", "carry", "deny", "else", "erin", "france",
                  "greet", "has", "hee", "hoi", "ids", "islam", "keet", "ken", "kent", "koos",
                  "lieve", "line", "maatje", "may", "ouwe", "rie", "win"}


def test_our_own_texts_hold_no_names():
    """The scrubber never takes a word of our own training data, responses or topics for a
    name. That is safe only while those texts contain no names, which this test guards."""
    from channels.scrubber import lists, own_vocabulary

    words = lists()
    suspicious = {w for w in own_vocabulary() if w in words.first and w not in words.lexicon}
    assert suspicious <= REVIEWED_WORDS, f"names in our own texts? {sorted(suspicious - REVIEWED_WORDS)}"
