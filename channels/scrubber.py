"""The scrubber: personal data in a message becomes a typed placeholder before Rasa sees it.

    "mijn collega Jan de Vries belt me op 06-12345678"
    -> "mijn collega [NAAM] belt me op [TELEFOON]"

Placeholders: [NAAM] [TELEFOON] [EMAIL] [IBAN] [BSN] [ADRES] [POSTCODE] [DATUM] [KENTEKEN]
[NUMMER] [URL]. The NLU is trained on messages with these placeholders (data/nlu/), so a
scrubbed message is still understood; the role word before a name ("collega",
"leidinggevende", "meneer") stays, because it says who did it.

Names come from the lookup lists of deduce 2.5.0 (LGPL-3.0-or-later; first names, surnames,
tussenvoegsels, titles, Dutch streets and places), read as plain data files. deduce's own
pipeline is not used: it takes minutes to start, swallows the role word ("mijn collega Jan"
-> "mijn <PERSOON-1>") and misses lowercase names (docs/privacy.md has the measurements).
Everything with a fixed form (phone numbers, e-mail, IBAN, BSN with the 11-proef, postcodes,
dates, licence plates, case numbers) is a pattern here.

A word that is also a name ("Bakker", "Roos", "wil", "ben") is a name only where the context
says so: after a role word or title, capitalised in the middle of a sentence, or as part of a
full name. The ordinary words of this bot's own training data and knowledge topics are never
names on their own, so "Wil je me helpen?" and "de bakker op de hoek" stay as they are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Iterable, Iterator

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDERS = ("NAAM", "TELEFOON", "EMAIL", "IBAN", "BSN", "ADRES", "POSTCODE", "DATUM",
                "KENTEKEN", "NUMMER", "URL")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


# --- Fixed forms -------------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.I)
URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:nl|com|org|net|eu|be)/\S*",
                 re.I)
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z_][\w.]{1,29}\b")
# Dutch numbers: 0 and nine digits, or +31 / 0031 and nine digits; separators anywhere.
# Service numbers (112, 113, 0800-0113, 0800-2000) are shorter and stay.
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?31[\s.-]?(?:\(0\)[\s.-]?)?|\(?0)"
                   r"(?:[\s.)-]{0,3}\d){9}(?![\d-])")
IBAN_START = re.compile(r"\b[A-Z]{2}\d{2}(?=\s?[A-Z0-9])", re.I)
IBAN_CHAR = re.compile(r"\s?[A-Z0-9]", re.I)
NL_IBAN = re.compile(r"NL\d{2}[A-Z]{4}\d{10}")
NINE_DIGITS = re.compile(r"(?<![\d.,-])(?:\d[\s.]?){8}\d(?![\d.,]\d|\d)")
POSTCODE = re.compile(r"\b[1-9]\d{3}(?:\s?[A-Z]{2}|[a-z]{2}|\s[a-z]{2})\b")
MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
          "december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec")
DATE = re.compile(
    r"\b(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)?\d{2}\b"
    r"|\b(?:19|20)\d{2}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])\b"
    rf"|\b(?:0?[1-9]|[12]\d|3[01])(?:e|ste|de)?\s+(?:{MONTHS})\b\.?(?:\s+(?:(?:19|20)\d{{2}}|'\d{{2}}))?",
    re.I)
# Dutch licence plates: the side codes, letters (L) and digits (D), with dashes.
PLATE_SHAPES = ("LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL",
                "DD-LLL-D", "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL",
                "D-LL-DDD", "DDD-LL-D")
PLATE = re.compile(
    r"(?<![\w-])(?:" + "|".join(
        s.replace("LLL", "[A-Z]{3}").replace("LL", "[A-Z]{2}").replace("L", "[A-Z]")
         .replace("DDD", r"\d{3}").replace("DD", r"\d{2}").replace("D", r"\d")
        for s in PLATE_SHAPES) + r")(?![\w-])", re.I)
NUMBER_WORDS = ("personeels|medewerker|werknemer|dossier|zaak|klant|ticket|registratie|"
                "referentie|order|factuur|lid|pas|badge|contract|polis|patiënt|patient|"
                "cliënt|client|melding|incident|klacht|personeel|employee\\s")
NUMBERED = re.compile(
    rf"\b(?:(?:{NUMBER_WORDS})-?(?:nummer|nr\.?|no\.?|id|code)|kenmerk|referentie|id|ticket|"
    r"dossier|personeelsnr)"
    r"(?:\s+(?:is|was|luidt))?\s*[:#]?\s*([A-Z]{0,4}[-/]?\d[\w/-]*)", re.I)
LONG_NUMBER = re.compile(r"(?<![\w.,€/])[A-Za-z]{0,4}[-/]?\d[\d/-]*\d[A-Za-z]?(?![\w.,]\w)")
SERVICE_NUMBER = re.compile(r"0[89]00-?\d{4,7}")  # 0800-0113, 0800-2000: help lines, not people
YEAR_RANGE = re.compile(r"(?:19|20)\d{2}[-/](?:19|20)?\d{2}")


def eleven_test(digits: str) -> bool:
    """The BSN's 11-proef."""
    if len(digits) != 9 or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0


def iban_valid(raw: str) -> bool:
    iban = re.sub(r"\s", "", raw).upper()
    if NL_IBAN.fullmatch(iban):
        return True
    moved = iban[4:] + iban[:4]
    return 15 <= len(iban) <= 34 and int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def fixed_forms(text: str) -> Iterator[Span]:
    for m in EMAIL.finditer(text):
        yield Span(m.start(), m.end(), "EMAIL")
    for m in URL.finditer(text):
        yield Span(m.start(), m.end(), "URL")
    for m in IBAN_START.finditer(text):
        # the longest run of characters (single spaces allowed) that is a valid IBAN
        ends, pos = [], m.end()
        while len(ends) < 30 and (c := IBAN_CHAR.match(text, pos)):
            pos = c.end()
            ends.append(pos)
        for end in reversed(ends[10:]):
            if not text[end:end + 1].isalnum() and iban_valid(text[m.start():end]):
                yield Span(m.start(), end, "IBAN")
                break
    for m in PHONE.finditer(text):
        start = m.start() + (text[m.start()] == "(" and ")" not in m.group())
        yield Span(start, m.end(), "TELEFOON")
    for m in NINE_DIGITS.finditer(text):
        if eleven_test(re.sub(r"\D", "", m.group())):
            yield Span(m.start(), m.end(), "BSN")
    for m in PLATE.finditer(text):
        yield Span(m.start(), m.end(), "KENTEKEN")
    for m in DATE.finditer(text):
        yield Span(m.start(), m.end(), "DATUM")
    for m in POSTCODE.finditer(text):
        letters = m.group()[-2:].lower()
        if m.group()[-3] == " " and letters.islower() and letters in TWO_LETTER_WORDS:
            continue  # "in 2023 en" is a year, not a postcode
        yield Span(m.start(), m.end(), "POSTCODE")
    for m in NUMBERED.finditer(text):
        if sum(c.isdigit() for c in m.group(1)) >= 2:
            yield Span(m.start(1), m.end(1), "NUMMER")
    for m in LONG_NUMBER.finditer(text):
        if sum(c.isdigit() for c in m.group()) >= 5 and not YEAR_RANGE.fullmatch(m.group()) \
                and not SERVICE_NUMBER.fullmatch(m.group()):
            if not re.match(r"\s*(?:euro|eur\b)", text[m.end():], re.I):
                yield Span(m.start(), m.end(), "NUMMER")
    for m in HANDLE.finditer(text):
        yield Span(m.start(), m.end(), "NAAM")


TWO_LETTER_WORDS = {"en", "op", "is", "in", "te", "al", "ze", "we", "er", "nu", "ik", "om", "of",
                    "na", "ja", "je", "me", "zo", "ga", "da", "de", "bv", "af", "an", "at", "to",
                    "tm", "uu", "ca", "pm", "am", "hé", "he", "oh", "ok", "eh"}


# --- Word lists ----------------------------------------------------------------------------

def _deduce_lists() -> Path:
    try:
        base = Path(metadata.distribution("deduce").locate_file("deduce-data/lookup_lists"))
    except metadata.PackageNotFoundError:
        raise RuntimeError("the scrubber needs the deduce package's lookup lists: "
                           "run `make install`") from None
    if not base.is_dir():
        raise RuntimeError(f"deduce's lookup lists are missing at {base}")
    return base


def _read(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


WORD = re.compile(r"(?<![^\W\d_])(?:[A-Z]\.){1,4}(?!\w)|(?<!\w)['’][tsn](?!\w)"
                  r"|[^\W\d_]+(?:['’-][^\W\d_]+)*")

# Role words and titles: the word after them may be a name, and they stay in the text.
ROLE_WORDS = {
    "collega", "collegaatje", "leidinggevende", "manager", "teamleider", "teamleidster",
    "baas", "chef", "directeur", "directrice", "afdelingshoofd", "supervisor", "coördinator",
    "coordinator", "voorman", "meewerkend", "teamlid", "stagiair", "stagiaire", "klant",
    "patiënt", "patient", "cliënt", "client", "bewoner", "leerling", "student", "passagier",
    "buurman", "buurvrouw", "vriend", "vriendin", "ex", "partner", "man", "vrouw", "broer",
    "zus", "zoon", "dochter", "oom", "tante", "neef", "nicht", "meneer", "mevrouw", "mijnheer",
    "mevr", "mw", "mr", "dhr", "hr", "heer", "juf", "juffrouw", "meester", "dokter", "dr",
    "drs", "ir", "ing", "prof", "mej", "zuster", "broeder", "agent", "trainer", "docent",
    "mentor", "begeleider", "vertrouwenspersoon", "hrm", "hr-adviseur", "adviseur", "bedrijfsarts",
    "huisarts", "eigenaar", "werkgever", "opdrachtgever", "planner", "monteur", "chauffeur",
    "genaamd", "heet", "heten", "noemt", "alias",
}
# Capitalised words that are not people in this bot's world.
NOT_NAMES = {
    "ik", "je", "jij", "u", "hij", "zij", "ze", "we", "wij", "het", "de", "een", "dit", "dat",
    "mijn", "onze", "hallo", "hoi", "hey", "hé", "goedemorgen", "goedemiddag", "help", "sorry",
    "dank", "bedankt", "ok", "oké", "ja", "nee", "misschien", "teams", "slack", "whatsapp",
    "app", "signal", "telegram", "instagram", "facebook", "linkedin", "tiktok", "snapchat",
    "twitter", "x", "youtube", "google", "microsoft", "outlook", "excel", "word", "zoom",
    "intranet", "arbowet", "arbodienst", "inspectie", "szw", "lvv", "nea", "tno", "cbs", "fnv",
    "cnv", "or", "ondernemingsraad", "ri&e", "rie", "god", "allah", "jezus", "nederland",
    "nederlands", "nederlandse", "marokkaans", "marokkaanse", "turks", "turkse", "surinaams",
    "surinaamse", "pools", "poolse", "antilliaans", "antilliaanse", "moslim", "joods", "joodse",
    "christen", "islam", "ramadan", "kerst", "pasen", "suikerfeest", "pride", "lhbti",
    "lhbtiq", "veilig", "thuis", "centrum", "seksueel", "geweld", "politie", "wegwijzer",
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december", "mobiel", "wereld", "vertrouwenspersoon",
    # labels in a list of details ("Naam: ... / Geb.: ... / Tel: ...")
    "naam", "geb", "geboren", "tel", "telefoon", "mob", "mobiel", "adres", "woonplaats",
    "postcode", "bsn", "email", "e-mail", "mail", "iban", "rekening", "functie", "afdeling",
    "datum", "nr", "nummer", "kenteken", "geboortedatum", "leeftijd", "werkgever",
    # countries, cities abroad and the words for people from a country or region
    "marokko", "turkije", "suriname", "polen", "duitsland", "belgië", "frankrijk", "spanje",
    "italië", "engeland", "amerika", "china", "india", "indonesië", "syrië", "oekraïne",
    "rusland", "roemenië", "bulgarije", "afghanistan", "eritrea", "somalië", "irak", "iran",
    "ghana", "nigeria", "curaçao", "aruba", "bonaire", "europa", "afrika", "azië", "londen",
    "parijs", "berlijn", "brussel", "antwerpen", "gent", "keulen", "madrid", "rome", "istanbul",
    "warschau", "new", "york", "pool", "polen", "turk", "turken", "marokkaan", "marokkanen",
    "surinamer", "surinamers", "antilliaan", "antillianen", "nederlander", "nederlanders",
    "belg", "belgen", "duitser", "duitsers", "roemeen", "roemenen", "bulgaar", "bulgaren",
    "syriër", "syriërs", "afghaan", "afghanen", "eritreeër", "eritreeërs", "somaliër",
    "somaliërs", "chinees", "chinezen", "indiër", "indiërs", "jood", "joden", "hindoe",
    "hindoes", "arabier", "arabieren", "afrikaan", "afrikanen", "aziaat", "aziaten",
    "europeaan", "amerikaan", "engelsman", "engelsen", "fransman", "fransen", "spanjaard",
    "italiaan", "portugees", "grieks", "griek", "kaapverdiaan", "ghanees", "nigeriaan",
    "oekraïner", "oekraïners", "rus", "russen", "molukker", "molukkers", "indo", "hollander",
    "brabander", "limburger", "fries", "friezen", "zeeuw", "amsterdammer", "rotterdammer",
    "moslims", "christenen", "koran", "bijbel",
    # languages, and adjectives of origin and religion ("ik ben Duitse", "in het Engels")
    "engels", "frans", "duits", "spaans", "italiaans", "arabisch", "papiaments", "sranan",
    "berbers", "koerdisch", "russisch", "roemeens", "bulgaars", "hindi", "urdu", "tigrinya",
    "somalisch", "oekraïens", "duitse", "franse", "engelse", "spaanse", "italiaanse",
    "arabische", "afrikaanse", "aziatische", "europese", "amerikaanse", "belgische", "indiase",
    "indonesische", "chinese", "russische", "roemeense", "bulgaarse", "syrische", "afghaanse",
    "eritrese", "somalische", "ghanese", "nigeriaanse", "oekraïense", "hindoestaanse",
    "creoolse", "molukse", "kaapverdiaanse", "koerdische", "iraanse", "irakese", "hollandse",
    "brabantse", "limburgse", "friese", "islamitische", "christelijke", "katholieke",
    "protestantse", "joodse", "hindoeïstische", "boeddhistische", "poolse",
}
# Insults and slurs people quote: ordinary words here, even where a list has them as a name.
INSULTS = {"mietje", "flikker", "homo", "trut", "kut", "hoer", "slet", "mongool", "neger",
           "bruintje", "zwartje", "aap", "sukkel", "dombo", "dikzak", "pot", "lesbo", "sloerie",
           "teef", "kankerlijer", "tering", "kanker", "makak", "zigeuner", "spleetoog",
           "kaaskop", "mof", "allochtoon", "buitenlander", "lul", "eikel", "klootzak", "debiel",
           "mongo", "schatje", "liefje", "popje", "meisje", "jochie", "knul", "ouwe", "oudje"}
# Name particles of other languages (deduce's list is Dutch): "Samira al Hashimi".
MORE_INTERFIXES = {"al", "el", "bin", "ibn", "abu", "ben", "ould", "de los", "de las", "van't"}
# Chat spellings that are also first names somewhere.
SLANG = {"enzo", "ofzo", "egt", "idd", "mn", "zn", "ff", "wss", "btw", "gwn", "nie", "ma",
         "tog", "joh", "jah", "nah", "oke", "oki", "kga", "kben", "kheb", "tis", "das", "wa",
         "wat", "nog", "mss", "evt", "iig", "ivm", "dr", "jw", "ma", "pa", "ome", "mam", "pap",
         "ok", "lol", "omg", "sws", "thx", "tnx", "dan", "ben", "kan", "wil", "mag", "zal"}
# Fixed phrases with a first name in them.
IDIOMS = re.compile(r"\b(?:jan en alleman|jan modaal|jan met de pet|klaas vaak|"
                    r"jantje lacht|hoge piet|zwarte piet)\b", re.I)


class Lists:
    """The word lists, loaded once per process (about a second)."""

    def __init__(self) -> None:
        base = _deduce_lists()
        names = base / "names"
        first_exc = set(_read(names / "first_name_exceptions.txt"))
        sur_exc = set(_read(names / "surname_exceptions.txt"))
        self.first = {w.lower() for w in _read(names / "first_names.txt") if w not in first_exc}
        self.surname = {w.lower() for w in _read(names / "surnames.txt")
                        + _read(names / "interfix_surnames.txt") if w not in sur_exc}
        # surnames that come with a tussenvoegsel ("de Jong", "van den Broek")
        self.interfix_surname = {w.lower() for w in _read(names / "interfix_surnames.txt")}
        self.interfixes: dict[str, list[tuple[str, ...]]] = {}
        for fix in sorted({w.lower() for w in _read(names / "interfixes.txt")} | MORE_INTERFIXES,
                          key=len, reverse=True):
            parts = tuple(p.rstrip(".").replace("’", "'") for p in fix.split())
            self.interfixes.setdefault(parts[0], []).append(parts)
        self.titles = {w.lower().rstrip(".") for w in _read(names / "prefixes.txt")}
        places = base / "locations"
        street_exc = {w.lower() for w in _read(places / "streets" / "street_exceptions.txt")}
        self.streets = {w.lower() for w in _read(places / "streets" / "streets_bag.txt")
                        + _read(places / "streets" / "streets_manual.txt")} - street_exc
        self.places = {w.lower() for w in _read(places / "residences.txt")
                       + _read(places / "municipalities.txt") + _read(places / "provinces.txt")}
        self.common = ({w.lower() for w in _read(base / "top_1000_terms.txt")}
                       | {w.lower() for w in _read(base / "stop_words.txt")}
                       | own_vocabulary() | SLANG | INSULTS)
        self.lexicon, self.verbs = dutch_words()
        self.verb_after_name = self.verbs | present_forms(self.verbs)
        self.not_names = NOT_NAMES
        self.roles = ROLE_WORDS | self.titles


def dutch_words() -> tuple[set[str], set[str]]:
    """Dutch word forms and lemmas, and the verb forms among them, from spaCy's lookup
    tables (spacy-lookups-data). Many first names are Dutch words there too ("jan", "piet"),
    so these only help with lowercase words."""
    import gzip
    import spacy_lookups_data

    data = Path(spacy_lookups_data.__file__).parent / "data"
    with gzip.open(data / "nl_lemma_lookup.json.gz", "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    with gzip.open(data / "nl_lemma_index.json.gz", "rt", encoding="utf-8") as handle:
        verbs = set(json.load(handle)["verb"])
    forms = {form for form, lemma in table.items() if lemma in verbs}
    stems = {v[:-2] for v in verbs if v.endswith("aan")}  # gaan: ga, staan: sta
    return set(table) | set(table.values()), verbs | forms | stems


def present_forms(verbs: Iterable[str]) -> set[str]:
    """Present-tense forms the lookup table lacks, made by rule from the infinitive:
    pesten: pest; zeggen: zeg, zegt; heten: heet; lezen: lees, leest; gaan: ga, gaat. A few
    wrong extra forms do no harm: they only help decide whether a word is a verb."""
    out: set[str] = set()
    for verb in verbs:
        if not verb.endswith("en") or len(verb) < 4:
            continue
        if verb.endswith("aan"):
            out.update({verb[:-2], verb[:-1] + "t"})  # gaan: ga, gaat
            continue
        stem = verb[:-2]
        stems = {stem}
        if len(stem) > 1 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
            stems = {stem[:-1]}
        elif re.search(r"[^aeiou][aeiou][^aeiouj]$", stem):
            stems.add(stem[:-1] + stem[-2] + stem[-1])  # heten: heet, lopen: loop
        for st in list(stems):
            st = st[:-1] + {"z": "s", "v": "f"}.get(st[-1], st[-1])
            out.update({st, st if st.endswith("t") else st + "t"})
    return out


def own_vocabulary() -> set[str]:
    """The lowercase words of this bot's training data, responses and knowledge topics: the
    ordinary words of its domain. (They are our own texts and contain no real names; a test
    keeps it that way.)"""
    words: set[str] = set()
    for folder, pattern in ((ROOT / "data", "**/*.yml"), (ROOT / "knowledge", "**/*"),
                            (ROOT, "domain.yml")):
        for path in folder.glob(pattern):
            if path.is_file() and path.suffix in {".yml", ".md"}:
                text = path.read_text(encoding="utf-8")
                words.update(w for w in WORD.findall(text) if w.islower())
    return words


@lru_cache(maxsize=1)
def lists() -> Lists:
    return Lists()


# --- Names and addresses ---------------------------------------------------------------------

@dataclass
class Token:
    text: str
    start: int
    end: int
    sentence_start: bool

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def capitalised(self) -> bool:
        """True for "Jan", "De" or a single capital; not for "NEA" (all capitals)."""
        return self.text[:1].isupper() and (len(self.text) == 1 or not self.text.isupper())

    @property
    def initials(self) -> bool:
        return bool(re.fullmatch(r"(?:[A-Z]\.)+", self.text))


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    for m in WORD.finditer(text):
        before = text[max(0, m.start() - 40):m.start()].rstrip(" \t\"'“‘(")
        if m.start() > 40 and not before:
            before = "x"  # a long run of spaces: not the start of the message
        first = not before or before[-1] in ".!?:\n;/|" and not re.search(r"\b[A-Z]\.$", before)
        out.append(Token(m.group(), m.start(), m.end(), first))
    return out


def _adjacent(text: str, a: Token, b: Token) -> bool:
    """b follows a with only a space (or a hyphen) between them."""
    return re.fullmatch(r"\s{1,2}|-", text[a.end:b.start]) is not None


ABBREVIATIONS = {"mw", "mevr", "dhr", "hr", "mr", "dr", "drs", "ir", "ing", "prof", "mej", "ds"}


def _after_role(text: str, toks: list[Token], i: int, lst: Lists) -> bool:
    """toks[i] comes right after a role word or title ("collega", "mw."), or after "ik ben"
    or "mijn naam is"."""
    if i == 0:
        return False
    prev = toks[i - 1]
    gap = text[prev.end:toks[i].start]
    if prev.lower in ABBREVIATIONS and re.fullmatch(r"\.\s?", gap):
        return True
    if prev.lower == "naam" and re.fullmatch(r"\s*:\s*", gap):
        return True  # "Naam: Tesfay Gebremariam"
    return _adjacent(text, prev, toks[i]) and (
        prev.lower in lst.roles
        or i >= 2 and (toks[i - 2].lower, prev.lower) in {("ik", "ben"), ("naam", "is")})


def _interfix_at(text: str, toks: list[Token], i: int, lst: Lists) -> int:
    """The number of tokens from i that form a tussenvoegsel ("van der", "de", "in 't")."""
    if i >= len(toks):
        return 0
    for parts in lst.interfixes.get(toks[i].lower.rstrip(".").replace("’", "'"), ()):
        n = len(parts)
        if i + n <= len(toks) and all(toks[i + k].lower.replace("’", "'") == parts[k]
                                      for k in range(1, n)) \
                and all(_adjacent(text, toks[i + k], toks[i + k + 1]) for k in range(n - 1)):
            return n
    return 0


# Words after which a lowercase first name is a person ("door piet", "met sanne").
PERSON_CONTEXT = {"door", "met", "tegen", "van", "aan", "voor", "over", "bij", "en", "naast",
                  "zonder", "dat", "omdat", "want", "of", "maar", "als", "toen", "zei"}
DETERMINERS = {"een", "de", "het", "die", "deze", "dat", "dit", "mijn", "je", "jouw", "zijn",
               "haar", "ons", "onze", "hun", "elke", "iedere", "geen", "welke"}
PLACE_CONTEXT = {"in", "uit", "naar", "te", "richting", "bij", "rond", "vanuit"}


PARTICLES = ("in", "op", "af", "aan", "uit", "mee", "door", "over", "terug", "weg", "toe",
             "bij", "na", "voor", "om", "tegen", "samen")


def _verb_like(low: str, lst: Lists) -> bool:
    """A verb form, also a split one the lookup tables lack ("inga" = "in" + "ga")."""
    return low in lst.verbs or any(
        low.startswith(p) and low[len(p):] in lst.verbs for p in PARTICLES)


def _not_a_name(tok: Token, lst: Lists) -> bool:
    """Words that are never (part of) a person's name here: brands, places abroad,
    nationalities, languages, acronyms ("BSN-nummer") and CamelCase ("WhatsApp-groep")."""
    low = tok.lower.replace("’", "'")
    return low in lst.not_names or any(p in lst.not_names for p in low.split("-")) \
        or re.search(r"[A-Z]{2}|[a-z][A-Z]", tok.text) is not None \
        or re.fullmatch(r"[^\W\d_]-\w+", tok.text) is not None  # one letter first: "C-rijbewijs"


def _listed(low: str, lst: Lists) -> bool:
    return low in lst.first or low in lst.surname or "-" in low and any(
        p in lst.first or p in lst.surname for p in low.split("-"))


# English nouns that make the word before them a thing, not a person ("dick pics").
NOT_AFTER_A_NAME = {"pic", "pics", "pick", "picks"}


def _head_is_name(text: str, toks: list[Token], i: int, lst: Lists, after_role: bool) -> bool:
    """Whether toks[i] can start a name (no initials or tussenvoegsel before it)."""
    tok = toks[i]
    low = tok.lower.replace("’", "'")
    prev = toks[i - 1].lower if i else ""
    if _not_a_name(tok, lst) or len(low) < 2 or tok.text.isupper():
        return False
    if low in lst.places and (prev in PLACE_CONTEXT or low not in lst.first):
        return False
    listed = _listed(low, lst)
    if tok.capitalised:
        if after_role or not tok.sentence_start:
            # in the middle of a sentence a capital means a proper noun
            return listed or low not in lst.common and low not in lst.lexicon
        if listed:
            return low not in lst.common
        # an unknown word at the start of a sentence: a name when a surname follows
        # ("Tesfay Gebremariam zegt ...")
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        return low not in lst.common and low not in lst.lexicon and nxt is not None and \
            nxt.capitalised and not _not_a_name(nxt, lst) and _adjacent(text, tok, nxt)
    # lowercase: never right after "een" or "de"; a surname only after a role word
    if prev in DETERMINERS and not after_role or low in lst.common or "-" in low:
        return False
    if after_role:
        return low in lst.first and not _verb_like(low, lst)
    if low not in lst.first:
        return False
    if low not in lst.lexicon and len(low) >= 4:
        return True
    # a short lowercase first name ("tom") or one that is also a Dutch word ("piet", "roos"):
    # a person when a verb follows ("piet doet ...", "tom heet ie") or a word like "door"
    # or "met" comes first
    nxt = toks[i + 1].lower if i + 1 < len(toks) else ""
    return prev in PERSON_CONTEXT or nxt in lst.verb_after_name and nxt not in lst.first


def name_spans(text: str, toks: list[Token], lst: Lists) -> Iterator[Span]:
    i = 0
    while i < len(toks):
        after_role = _after_role(text, toks, i, lst)
        place = 0 if after_role else _place_at(text, toks, i, lst)
        if place:
            i += place
            continue
        j = i
        while j < len(toks) and toks[j].initials and (j == i or _adjacent(text, toks[j - 1], toks[j])):
            j += 1  # initials: "J. de Vries", "A.B. Smit"
        fix = _interfix_at(text, toks, j, lst)
        core = j + fix
        ok = False
        if core < len(toks) and (core == i or _adjacent(text, toks[core - 1], toks[core])):
            head = toks[core]
            if core > i:
                # "de Groot", "van den Berg", "J. Jansen": a capitalised surname-like word,
                # or anything a role word announces ("mevrouw van Dam")
                low = head.lower
                ok = head.capitalised and not _not_a_name(head, lst) and (
                    low in lst.surname or after_role or j > i
                    or low not in lst.common and low not in lst.lexicon) or \
                    after_role and _listed(low, lst) and low not in lst.common
                ok = ok and (j > i or after_role or head.capitalised and (
                    low in lst.surname or toks[i].capitalised))
            else:
                ok = _head_is_name(text, toks, core, lst, after_role) or (
                    # "ayu wibowo", "jan de vries": a lowercase first name with a surname
                    head.text.islower() and head.lower in lst.first
                    and head.lower not in lst.common
                    and _continues(text, toks, core, lst) > core + 1)
        if ok and core + 1 < len(toks) and toks[core + 1].lower in NOT_AFTER_A_NAME:
            ok = False  # "dick pics"
        if ok:
            end = _continues(text, toks, core, lst)
            yield Span(toks[i].start, toks[end - 1].end, "NAAM")
            i = end
        else:
            i += 1


def _place_at(text: str, toks: list[Token], i: int, lst: Lists) -> int:
    """The number of tokens from i that form a place name of two or three words
    ("Den Haag", "Bergen op Zoom"); 0 if none."""
    if not toks[i].capitalised and toks[i].lower not in {"'s", "'t"}:
        return 0  # "Den Haag", "'s-Hertogenbosch"
    for n in (3, 2):
        if i + n <= len(toks) and text[toks[i].start:toks[i + n - 1].end].lower() in lst.places:
            return n
    return 0


def _continues(text: str, toks: list[Token], core: int, lst: Lists) -> int:
    """The end (exclusive token index) of a name whose first part is toks[core]: more
    capitalised names, tussenvoegsels and surnames ("Jan de Vries", "Mehmet Yilmaz",
    "sanne de jong")."""
    end = core + 1
    lowercase = toks[core].text.islower()
    while end < len(toks) and _adjacent(text, toks[end - 1], toks[end]):
        fix = _interfix_at(text, toks, end, lst)
        nxt = end + fix
        if nxt >= len(toks) or not _adjacent(text, toks[nxt - 1], toks[nxt]):
            break
        cand = toks[nxt]
        low = cand.lower
        if cand.sentence_start or _not_a_name(cand, lst) or len(low) < 2 or \
                text[cand.end:cand.end + 1] == "&":
            break
        if cand.capitalised:
            end = nxt + 1  # a capital right after a name: "Bas Klein", "Mehmet Yilmaz"
        elif lowercase and (
                fix and low in lst.interfix_surname and low not in lst.roles
                or low not in lst.common and (low in lst.surname or fix or (
                    low not in lst.lexicon and not _verb_like(low, lst)))):
            end = nxt + 1  # "dennis de jong", "demi van den broek", "ayu wibowo"
        else:
            break
    return end


STREET_SUFFIX = re.compile(
    r"(?:straat|laan|weg|plein|gracht|kade|singel|dijk|steeg|hof|park|dreef|pad|baan|markt|"
    r"ring|plantsoen|allee|boulevard|erf|wal|haven|kwartier|dam|oord|akker|zoom|hoeve|"
    r"gaarde|veld|burg|straatweg|pier|kanaal|wetering|vaart)$", re.I)
HOUSE_NUMBER = re.compile(r"\s+\d{1,5}(?:\s?[a-zA-Z]\b|-?(?:bis|hs|huis|[a-zA-Z]{1,2}|\d{1,3}|"
                          r"I{1,3})\b|\s(?:bis|hs|I{1,3}|boven|bg|zw|rood)\b)?")


AMOUNT_AFTER = re.compile(r"\s*(?:euro|eur\b|€|procent|%|uur|keer|jaar|maanden|weken|dagen|km|kilo|meter|man\b|mensen)",
                          re.I)


def address_spans(text: str, toks: list[Token], lst: Lists) -> Iterator[Span]:
    for i, tok in enumerate(toks):
        m = HOUSE_NUMBER.match(text, tok.end)
        if not m:
            continue
        # the street: up to five words ending here that are a street in the BAG list, or a
        # word with a street ending ("Kerkstraat", "Burgemeester de Withstraat")
        # an amount ("400 euro", "40 uur") is no house number
        if AMOUNT_AFTER.match(text, m.end()):
            continue
        # a lowercase dictionary word with a street ending ("ervaring") is no street
        street_word = STREET_SUFFIX.search(tok.text) is not None and len(tok.text) > 5 and (
            tok.capitalised or tok.lower not in lst.lexicon)
        first = i if street_word else None
        for n in range(min(5, i + 1), 0, -1):
            words = toks[i - n + 1:i + 1]
            if all(_adjacent(text, a, b) for a, b in zip(words, words[1:])) and \
                    text[words[0].start:tok.end].lower() in lst.streets and \
                    (words[0].capitalised or street_word):
                first = i - n + 1
                break
        if first is None:
            continue
        # with the capitalised words and tussenvoegsels before it
        k = first
        while k > 0 and _adjacent(text, toks[k - 1], toks[k]) and (
                toks[k - 1].capitalised and not toks[k - 1].sentence_start
                and toks[k - 1].lower not in lst.not_names
                or toks[k - 1].lower in {"van", "de", "der", "den", "het", "'t", "ter"}
                and k > 1 and toks[k - 2].capitalised and not toks[k - 2].sentence_start):
            k -= 1
        yield Span(toks[k].start, m.end(), "ADRES")


# --- Putting it together -----------------------------------------------------------------------

PRIORITY = {kind: n for n, kind in enumerate(
    ("EMAIL", "URL", "IBAN", "TELEFOON", "BSN", "KENTEKEN", "DATUM", "POSTCODE", "ADRES",
     "NUMMER", "NAAM"))}
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(PLACEHOLDERS) + r")\]")


def find(text: str) -> list[Span]:
    """The personal data in `text`, as non-overlapping spans."""
    lst = lists()
    toks = tokens(text)
    found = list(fixed_forms(text)) + list(address_spans(text, toks, lst))
    taken = _resolve(found)
    # words already inside a span, a placeholder or an idiom are not looked at again
    blocked = bytearray(len(text))
    for a, b in [(sp.start, sp.end) for sp in taken] + [
            m.span() for m in PLACEHOLDER.finditer(text)] + [m.span() for m in IDIOMS.finditer(text)]:
        blocked[a:b] = b"\x01" * (b - a)
    free = [t for t in toks if not any(blocked[t.start:t.end])]
    names = list(name_spans(text, free, lst))
    return _resolve(taken + names)


def _resolve(spans: Iterable[Span]) -> list[Span]:
    """Overlaps go to the longer span, then to the stronger type."""
    spans = list(spans)
    used = bytearray(max((sp.end for sp in spans), default=0))
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda sp: (-(sp.end - sp.start), PRIORITY[sp.kind])):
        if not any(used[span.start:span.end]):
            used[span.start:span.end] = b"\x01" * (span.end - span.start)
            chosen.append(span)
    return sorted(chosen, key=lambda sp: sp.start)


def scrub(text: str) -> str:
    """`text` with every piece of personal data replaced by its placeholder."""
    if not text:
        return text
    out, pos = [], 0
    for span in find(text):
        out.append(text[pos:span.start])
        out.append(f"[{span.kind}]")
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


PAYLOAD = re.compile(r"/([A-Za-z0-9_]+)(\{.*\})?", re.S)


def scrub_message(text: str | None) -> str | None:
    """What a channel passes on: free text scrubbed; a button payload ("/intent" or
    "/intent{...}") kept as a payload, with its entity values scrubbed like free text."""
    if text is None:
        return None
    m = PAYLOAD.fullmatch(text.strip())
    if m:
        if not m.group(2):
            return text.strip()
        try:
            values = json.loads(m.group(2))
        except ValueError:
            values = None
        if isinstance(values, dict):
            clean = {scrub(str(k)): scrub(v) if isinstance(v, str) else None
                     for k, v in values.items()}
            return "/" + m.group(1) + json.dumps(clean, ensure_ascii=False)
    return scrub(text)


def warm_up() -> None:
    """Load the lists now (a channel calls this at start-up, not on the first message)."""
    lists()
