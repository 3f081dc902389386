"""Rerunnable NLU evaluation (`make eval`): our pipeline against two baselines, same split.

  1. Trains three NLU models on data/nlu/ (Rasa's cache makes retraining an unchanged one fast):
     - ours:      config_eval.yml (config.yml without the FallbackClassifier, so every message
                  gets a real intent to score);
     - rasa_init: scripts/rasa_init_config.yml, the pipeline `rasa init` creates;
     - tfidf_lr:  scikit-learn TF-IDF (words and character n-grams) + logistic regression.
  2. Scores each on tests/nlu_holdout.yml, the independent sets tests/nlu/fresh.yml and
     blind*.yml (all never trained on) and tests/nlu/crisis_eval.yml.
  3. Runs Rasa's NLU cross-validation of config_eval.yml on the training data
     (EVAL_CV_FOLDS, default 3; 0 skips it).
  4. Writes results/eval/ and the generated part of docs/nlu.md (between the markers).

Usage: python -m scripts.nlu_eval
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from actions.search import nlu_examples
from scripts.nlu_gate import CRISIS, ROUTING

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).with_name("rasa"))
HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"
# Sets written by authors who saw neither the training data nor any other set (docs/nlu.md says
# which of them have had their errors read).
INDEPENDENT = [ROOT / "tests" / "nlu" / "fresh.yml", *sorted((ROOT / "tests" / "nlu").glob("blind*.yml"))]
CRISIS_SET = ROOT / "tests" / "nlu" / "crisis_eval.yml"
DATA = ROOT / "data" / "nlu"
RESULTS = ROOT / "results" / "eval"
DOC = ROOT / "docs" / "nlu.md"
START, END = "<!-- eval:start -->", "<!-- eval:end -->"
CONFIGS = {"ours": ROOT / "config_eval.yml", "rasa_init": ROOT / "scripts" / "rasa_init_config.yml"}


def examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs of an NLU YAML file, without entity markup."""
    return [(text, intent) for intent, texts in nlu_examples(path).items() for text in texts]


def training_examples() -> list[tuple[str, str]]:
    return [pair for path in sorted(DATA.glob("*.yml")) for pair in examples(path)]


def run(*args: str) -> None:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    subprocess.run([RASA, *args], check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def rasa_predictions(name: str, test_sets: list[Path]) -> dict[Path, list[tuple[str, str, str]]]:
    """(text, true intent, predicted intent) for every example of each test set, scored as
    `rasa test nlu --successes` scores it, with the model loaded once (scripts/gates.py)."""
    from scripts.gates import evaluate_set, load_agent

    agent = load_agent(RESULTS / name / "model.tar.gz")

    async def evaluate_all() -> None:
        for test_set in test_sets:
            await evaluate_set(agent, test_set, RESULTS / name / test_set.stem, successes=True)

    asyncio.run(evaluate_all())
    predictions = {}
    for test_set in test_sets:
        rows = []
        for file in ("intent_successes.json", "intent_errors.json"):
            path = RESULTS / name / test_set.stem / file
            if path.exists():
                rows += [(r["text"], r["intent"], r["intent_prediction"]["name"]) for r in json.loads(path.read_text())]
        predictions[test_set] = rows
    return predictions


def train_rasa(name: str) -> float:
    started = time.monotonic()
    run("train", "nlu", "--config", str(CONFIGS[name]), "--nlu", str(DATA),
        "--out", str(RESULTS / name), "--fixed-model-name", "model")
    return time.monotonic() - started


def tfidf_lr(test_sets: list[Path]) -> tuple[float, dict[Path, list[tuple[str, str, str]]]]:
    """The scikit-learn baseline: word 1-2-grams and character 2-5-grams, TF-IDF, logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    started = time.monotonic()
    texts, labels = zip(*training_examples())
    model = make_pipeline(
        make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        LogisticRegression(C=10, max_iter=5000, random_state=42),
    ).fit(texts, labels)
    seconds = time.monotonic() - started
    predictions = {}
    for test_set in test_sets:
        pairs = examples(test_set)
        predicted = model.predict([text for text, _ in pairs])
        predictions[test_set] = [(text, truth, str(p)) for (text, truth), p in zip(pairs, predicted)]
    return seconds, predictions


def scores(rows: list[tuple[str, str, str]]) -> dict:
    """Accuracy, routing accuracy, crisis recall and false-crisis rate, per-intent P/R/F1."""
    truths = Counter(t for _, t, _ in rows)
    predicted = Counter(p for _, _, p in rows)
    correct = Counter(t for _, t, p in rows if t == p)
    per_intent = {}
    for intent in sorted(truths):
        precision = correct[intent] / predicted[intent] if predicted[intent] else 0.0
        recall = correct[intent] / truths[intent]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        confusions = Counter(p for _, t, p in rows if t == intent and p != intent).most_common(3)
        per_intent[intent] = {"precision": precision, "recall": recall, "f1": f1,
                              "support": truths[intent], "confused_with": dict(confusions)}
    routing = [(t, p) for _, t, p in rows if t in ROUTING]
    non_crisis = [p for _, t, p in rows if t != CRISIS]
    return {
        "n": len(rows),
        "accuracy": sum(correct.values()) / len(rows),
        "routing_n": len(routing),
        "routing_accuracy": sum(t == p for t, p in routing) / len(routing) if routing else 0.0,
        "macro_f1": sum(s["f1"] for s in per_intent.values()) / len(per_intent),
        "crisis_recall": per_intent.get(CRISIS, {}).get("recall", 0.0),
        "crisis_missed": [text for text, t, p in rows if t == CRISIS and p != CRISIS],
        "false_crisis": [text for text, t, p in rows if t != CRISIS and p == CRISIS],
        "false_crisis_rate": sum(p == CRISIS for p in non_crisis) / len(non_crisis) if non_crisis else 0.0,
        "per_intent": per_intent,
        "errors": [{"text": text, "intent": t, "predicted": p} for text, t, p in rows if t != p],
    }


def cross_validation(folds: int) -> dict | None:
    if folds < 2:
        return None
    out = RESULTS / "cv"
    run("test", "nlu", "--cross-validation", "--folds", str(folds), "--config", str(CONFIGS["ours"]),
        "--nlu", str(DATA), "--out", str(out), "--no-plot")
    report = json.loads((out / "intent_report.json").read_text())
    routing_recall = [report[i]["recall"] * report[i]["support"] for i in ROUTING if i in report]
    routing_support = sum(report[i]["support"] for i in ROUTING if i in report)
    return {"folds": folds, "accuracy": report["accuracy"], "macro_f1": report["macro avg"]["f1-score"],
            "routing_accuracy": sum(routing_recall) / routing_support if routing_support else 0.0}


def markdown(results: dict, seconds: dict, cv: dict | None) -> str:
    ours = results["ours"][HOLDOUT.name]
    lines = [
        START,
        "_Generated by `make eval` (scripts/nlu_eval.py); edit the text outside the markers._",
        "",
        f"Held-out set: `tests/nlu_holdout.yml`, {ours['n']} messages ({ours['routing_n']} for the nine "
        "routing intents). Crisis set: `tests/nlu/crisis_eval.yml` (crisis messages and hard negatives).",
        "",
        "| pipeline | training (as run; Rasa's cache may apply) | accuracy | routing accuracy | macro F1 | crisis recall | false crisis (held-out) | crisis set: recall / false alarms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    names = {"ours": "ours (config_eval.yml)", "rasa_init": "`rasa init` default", "tfidf_lr": "TF-IDF + logistic regression"}
    for name, label in names.items():
        held, crisis = results[name][HOLDOUT.name], results[name][CRISIS_SET.name]
        lines.append(
            f"| {label} | {seconds[name]:.0f} s | {held['accuracy']:.3f} | {held['routing_accuracy']:.3f} | "
            f"{held['macro_f1']:.3f} | {held['crisis_recall']:.3f} | {len(held['false_crisis'])} "
            f"({held['false_crisis_rate']:.1%}) | {crisis['crisis_recall']:.3f} / {len(crisis['false_crisis'])} |")
    lines += ["", "Independent held-out sets (`tests/nlu/`), each written by an author who saw neither the "
              "training data nor the other sets:", "",
              "| set (messages / routing) | pipeline | accuracy | routing accuracy | macro F1 | crisis recall | false crisis |",
              "|---|---|---|---|---|---|---|"]
    for test_set in INDEPENDENT:
        size = results["ours"][test_set.name]
        for name, label in names.items():
            held = results[name][test_set.name]
            lines.append(f"| `{test_set.name}` ({size['n']} / {size['routing_n']}) | {label} | {held['accuracy']:.3f} | "
                         f"{held['routing_accuracy']:.3f} | {held['macro_f1']:.3f} | {held['crisis_recall']:.3f} | "
                         f"{len(held['false_crisis'])} ({held['false_crisis_rate']:.1%}) |")
    lines.append("")
    if cv:
        lines += [f"Cross-validation of config_eval.yml on the training data ({cv['folds']} folds): "
                  f"accuracy {cv['accuracy']:.3f}, routing accuracy {cv['routing_accuracy']:.3f}, "
                  f"macro F1 {cv['macro_f1']:.3f}.", ""]
    lines += ["### Ours, per intent (held-out set)", "",
              "| intent | precision | recall | F1 | support | confused with |", "|---|---|---|---|---|---|"]
    for intent, s in ours["per_intent"].items():
        confused = ", ".join(f"{k} ({v})" for k, v in s["confused_with"].items()) or "-"
        lines.append(f"| {intent} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | {s['support']} | {confused} |")
    lines += ["", "### Ours, every held-out error", "", "| message | expected | predicted |", "|---|---|---|"]
    lines += [f"| {e['text']} | {e['intent']} | {e['predicted']} |" for e in ours["errors"]]
    lines += ["", END]
    return "\n".join(lines)


def write_doc(generated: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# NLU evaluation\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text = f"{text.rstrip()}\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    DOC.write_text(before + generated + after, encoding="utf-8")


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    test_sets = [HOLDOUT, *INDEPENDENT, CRISIS_SET]
    results: dict[str, dict] = {}
    seconds: dict[str, float] = {}
    for name in CONFIGS:
        print(f"training {name} ...", flush=True)
        seconds[name] = train_rasa(name)
        predictions = rasa_predictions(name, test_sets)
        results[name] = {t.name: scores(predictions[t]) for t in test_sets}
    print("training tfidf_lr ...", flush=True)
    seconds["tfidf_lr"], predictions = tfidf_lr(test_sets)
    results["tfidf_lr"] = {t.name: scores(predictions[t]) for t in test_sets}
    print("cross-validation ...", flush=True)
    cv = cross_validation(int(os.environ.get("EVAL_CV_FOLDS", "3")))
    (RESULTS / "summary.json").write_text(json.dumps({"results": results, "seconds": seconds, "cv": cv},
                                                     indent=2, ensure_ascii=False))
    generated = markdown(results, seconds, cv)
    write_doc(generated)
    print(generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
