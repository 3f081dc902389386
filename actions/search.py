"""Find the knowledge topic that best answers a free question.

Used when no intent fits. Two TF-IDF indexes from scikit-learn over every topic's title,
summary and body: one over lemmas from the project's Dutch spaCy pipeline (so "gepest" finds
"pesten"), one over character n-grams (robust to typos and Dutch compounds such as
"vertrouwenspersoon" / "persoon"). A topic's score is the mean cosine similarity of both.
The title counts three times, as titles are phrased the way people ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import spacy
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel
from spacy.lang.nl.stop_words import STOP_WORDS

from actions.knowledge import Knowledge

SPACY_PIPELINE = Path(__file__).resolve().parent.parent / "build" / "spacy_nl"
TITLE_WEIGHT = 3
# Answer straight away when the best topic scores at least ANSWER_SCORE and leads the
# runner-up by ANSWER_MARGIN; offer choices when it scores at least SUGGEST_SCORE.
ANSWER_SCORE = 0.25
ANSWER_MARGIN = 0.05
SUGGEST_SCORE = 0.08


@dataclass(frozen=True)
class Hit:
    topic_id: str
    score: float


class TopicSearch:
    def __init__(self, kb: Knowledge, pipeline: Path = SPACY_PIPELINE):
        self._nlp = spacy.load(pipeline)
        self._ids = list(kb.topics)
        documents = [
            " ".join([topic.title] * TITLE_WEIGHT + [topic.summary, topic.body])
            for topic in kb.topics.values()
        ]
        self._words = TfidfVectorizer(analyzer=self._lemmas, sublinear_tf=True)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)
        self._word_matrix = self._words.fit_transform(documents)
        self._char_matrix = self._chars.fit_transform(documents)

    def _lemmas(self, text: str) -> list[str]:
        return [
            token.lemma_.lower() for token in self._nlp(text.lower())
            if token.is_alpha and token.lower_ not in STOP_WORDS and len(token) > 1
        ]

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        words = linear_kernel(self._words.transform([query]), self._word_matrix)[0]
        chars = linear_kernel(self._chars.transform([query]), self._char_matrix)[0]
        scores = (words + chars) / 2
        ranked = sorted(zip(self._ids, scores), key=lambda pair: pair[1], reverse=True)
        return [Hit(topic_id, float(score)) for topic_id, score in ranked[:limit] if score > 0]


def decide(hits: list[Hit]) -> tuple[str, list[Hit]]:
    """'answer' with the best hit, 'suggest' the hits, or 'none'."""
    if not hits or hits[0].score < SUGGEST_SCORE:
        return "none", []
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    if hits[0].score >= ANSWER_SCORE and hits[0].score - runner_up >= ANSWER_MARGIN:
        return "answer", hits[:1]
    return "suggest", [hit for hit in hits if hit.score >= SUGGEST_SCORE]


@dataclass(frozen=True)
class Choice:
    """What the bot shows for a message: one topic, a choice of topics, or nothing."""

    kind: str  # "topic", "suggest" or "none"
    topic_ids: tuple[str, ...] = ()


def choose(kb: Knowledge, search: TopicSearch, intent: str | None, text: str) -> Choice:
    """The topic(s) for a message, given its intent. Routing intents answer with their own
    topic; an info intent (such as vraag_vertrouwenspersoon) answers with a more specific
    topic when the search finds one clearly, else its own; any other intent (vraag_kennis,
    nlu_fallback) is answered by the search alone."""
    route = kb.routes.get(intent or "")
    if route is not None and route.kind in ("vorm", "doorverwijzen"):
        return Choice("topic", (route.topic,))
    if route is not None and route.kind == "crisis":
        return Choice("none")
    outcome, hits = decide(search.search(text))
    if outcome == "answer":
        return Choice("topic", (hits[0].topic_id,))
    if route is not None and route.topic:
        return Choice("topic", (route.topic,))
    if outcome == "suggest":
        return Choice("suggest", tuple(hit.topic_id for hit in hits))
    return Choice("none")
