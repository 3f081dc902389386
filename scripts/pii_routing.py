"""Does the NLU still route a message once the scrubber has been over it?

Two measurements on the held-out NLU sets (never used in training), with the served model:
  as written   every message as written, and scrubbed: the held-out messages hold no
               personal data, so the scrubber should change none of them;
  with data    each message gets personal data a user might add (a name after the first role
               word, or in front; a phone number or an e-mail address at the end, in turns),
               then the scrubber turns it into placeholders. Accuracy on those, against the
               accuracy on the messages as written.
The names and numbers are made up and fixed (the same run gives the same table). Intents
are scored as `rasa test nlu` scores them: a FallbackClassifier verdict is undone.

Usage: python -m scripts.pii_routing [--model M] [--sets FILE ...]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path

from rasa.nlu.classifiers.fallback_classifier import (is_fallback_classifier_prediction,
                                                      undo_fallback_prediction)

from actions.search import nlu_examples
from channels.scrubber import scrub
from scripts.nlu_gate import ROUTING
from scripts.search_tune import parse_all

ROOT = Path(__file__).resolve().parent.parent
SETS = [ROOT / "tests" / "nlu_holdout.yml", ROOT / "tests" / "nlu" / "fresh.yml"]
ROLES = re.compile(r"\b(collega|leidinggevende|manager|baas|teamleider|chef|klant|directeur|"
                   r"patiënt|leerling|begeleider|cliënt|afdelingshoofd|collega's)\b", re.I)
NAMES = ["Sanne Visser", "Mehmet Yılmaz", "Priya Ramdin", "Kees", "Anouk van den Heuvel",
         "Youssef el Amrani", "Kasia Nowak", "Bart", "Fenna de Haan", "Dewi"]
TAILS = [" (mijn nummer is 06-48213957)", " mail me op l.bakker@voorbeeld.nl",
         ", ik woon op de Tulpstraat 8"]


def with_data(text: str, n: int) -> str:
    """`text` with made-up personal data in it, the n-th variant."""
    name = NAMES[n % len(NAMES)]
    match = ROLES.search(text)
    if match:
        text = text[:match.end()] + " " + name + text[match.end():]
    elif n % 2:
        text = f"{name} hier. {text}"
    if n % 3 == 0:
        text = text.rstrip(" .?!") + TAILS[(n // 3) % len(TAILS)]
    return text


def secrets(text: str, n: int) -> list[str]:
    """The personal data with_data() put into the n-th message."""
    found = [w for w in NAMES[n % len(NAMES)].split() if len(w) > 3 and w in text]
    if n % 3 == 0:
        found += [["48213957", "l.bakker", "Tulpstraat"][(n // 3) % len(TAILS)]]
    return found


async def measure(model: Path | None, sets: list[Path]) -> dict:
    rows = [(text, intent) for path in sets for intent, texts in nlu_examples(path).items()
            for text in texts]
    texts = [t for t, _ in rows]
    scrubbed = [scrub(t) for t in texts]
    injected = [with_data(t, n) for n, t in enumerate(texts)]
    injected_scrubbed = [scrub(t) for t in injected]
    predicted = await parse_all(model, texts + injected_scrubbed)
    # as `rasa test nlu` scores (docs/nlu.md): the FallbackClassifier's verdict is undone
    names = [undo_fallback_prediction(p)["intent"]["name"]
             if is_fallback_classifier_prediction(p) else p["intent"]["name"] for p in predicted]
    plain, dirty = names[:len(texts)], names[len(texts):]
    routing = [i for i, (_, intent) in enumerate(rows) if intent in ROUTING]
    leaks = sum(any(secret in clean for secret in secrets(t, n))
                for n, (t, clean) in enumerate(zip(injected, injected_scrubbed)))
    return {
        "messages": len(rows),
        "changed_as_written": sum(a != b for a, b in zip(texts, scrubbed)),
        "accuracy": sum(p == g for p, (_, g) in zip(plain, rows)) / len(rows),
        "accuracy_with_data": sum(p == g for p, (_, g) in zip(dirty, rows)) / len(rows),
        "routing": sum(plain[i] == rows[i][1] for i in routing) / len(routing),
        "routing_with_data": sum(dirty[i] == rows[i][1] for i in routing) / len(routing),
        "same_intent": sum(a == b for a, b in zip(plain, dirty)) / len(rows),
        "leaks": leaks,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--sets", type=Path, nargs="+", default=SETS)
    args = parser.parse_args()
    r = asyncio.run(measure(args.model, args.sets))
    print(f"{r['messages']} held-out messages ({', '.join(p.name for p in args.sets)})")
    print(f"changed by the scrubber as written: {r['changed_as_written']}")
    print(f"accuracy          as written {r['accuracy']:.3f}   with data, scrubbed "
          f"{r['accuracy_with_data']:.3f}   drop {100 * (r['accuracy'] - r['accuracy_with_data']):.1f} pt")
    print(f"routing accuracy  as written {r['routing']:.3f}   with data, scrubbed "
          f"{r['routing_with_data']:.3f}   drop {100 * (r['routing'] - r['routing_with_data']):.1f} pt")
    print(f"same intent with and without the data: {r['same_intent']:.3f}")
    print(f"messages where added personal data survived scrubbing: {r['leaks']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
