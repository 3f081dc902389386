"""Build the Dutch spaCy pipeline that config.yml loads by path.

`nl_core_news_sm` is not on PyPI and spaCy's download host is often unreachable, so the
pipeline is made from PyPI-only parts: a blank Dutch tokenizer plus the lookup lemmatizer
with the Dutch table from `spacy-lookups-data`. The saved pipeline no longer needs
spacy-lookups-data at run time.

Usage: python scripts/build_spacy_nl.py OUTPUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy

# Words the lemmatizer must map, checked after building so a broken table fails loudly.
SELF_CHECK = {"gepest": "pesten", "gediscrimineerd": "discrimineren", "uitgescholden": "uitschelden"}


def build(output: Path) -> None:
    nlp = spacy.blank("nl")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads nl_lemma_lookup from spacy-lookups-data
    nlp.meta["name"] = "wegwijzer_nl"
    nlp.meta["description"] = "Blank Dutch tokenizer + lookup lemmatizer (spacy-lookups-data)"
    for word, lemma in SELF_CHECK.items():
        got = nlp(word)[0].lemma_
        if got != lemma:
            raise SystemExit(f"spaCy Dutch pipeline self-check failed: {word!r} -> {got!r}, expected {lemma!r}")
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    build(Path(sys.argv[1]))
    print(f"Dutch spaCy pipeline written to {sys.argv[1]}")
