"""Hold the trained model to the floors in tests/gates.yml, loading it once.

`nlu`: each set is scored by Rasa's own `run_evaluation`, the function behind
`rasa test nlu --nlu SET --out results/OUT --no-plot`, so the reports in results/ are the same;
each report is then gated by scripts/nlu_gate.py. `search`: each question set is scored as
`python -m scripts.search_eval --questions SET` scores it.

Every set is scored even when an earlier one fails, so one run shows every failure. Loading the
model once saves about a minute per set: one `rasa test nlu` call took 1 min 17 s, all 13 NLU
sets in one process 3 min 41 s (docs/development.md).

Usage: python -m scripts.gates {nlu,search} [--model M] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
GATES = ROOT / "tests" / "gates.yml"
RESULTS = ROOT / "results"


def load_gates(section: str, only: list[str] | None = None) -> list[dict]:
    gates = yaml.safe_load(GATES.read_text())[section]
    key = "set" if section == "nlu" else "questions"
    if only:
        gates = [g for g in gates if Path(g[key]).stem in only or Path(g[key]).name in only]
    return gates


def load_agent(model: Path | None):
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    from scripts.model import model_path

    configure_structlog(logging.WARNING)  # as a library, Rasa would log each parse at DEBUG
    return Agent.load(str(model or model_path()))


async def evaluate_set(agent, test_set: Path, out: Path, successes: bool = False) -> dict:
    """What `rasa test nlu --model M --nlu SET --out OUT --no-plot [--successes]` does with a loaded
    model: the same function and arguments, the same files in OUT. Returns the intent report."""
    from rasa.nlu.test import run_evaluation

    out.mkdir(parents=True, exist_ok=True)
    await run_evaluation(str(test_set), agent.processor, output_directory=str(out), successes=successes,
                         errors=True, disable_plotting=True, domain_path=str(ROOT / "domain.yml"))
    return json.loads((out / "intent_report.json").read_text())


async def nlu(agent, gates: list[dict]) -> dict[str, list[str]]:
    """Each set's failures (none when it passes)."""
    from scripts.nlu_gate import check, table

    failures = {}
    for gate in gates:
        report = await evaluate_set(agent, ROOT / gate["set"], RESULTS / gate["out"])
        print(f"\n## {gate['set']}\n{table(report)}")
        failures[gate["set"]] = check(report, gate["min_accuracy"], gate.get("crisis_precision", 0.0),
                                      gate.get("min_routing_accuracy", 0.0), gate.get("max_false_crisis", 1.0))
    return failures


async def search(agent, gates: list[dict]) -> dict[str, list[str]]:
    """Each question set's failures (none when it passes)."""
    from scripts.search_eval import report, score

    failures = {}
    for gate in gates:
        questions = ROOT / gate["questions"]
        answered, shown, total = await score(agent, questions)
        failures[gate["questions"]] = report(questions, answered, shown, total,
                                             gate["min_answered"], gate["min_shown"])
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description="Hold the model to the floors in tests/gates.yml.")
    parser.add_argument("section", choices=["nlu", "search"])
    parser.add_argument("--model", type=Path, help="a trained model (default: the one for the current data)")
    parser.add_argument("--only", nargs="+", help="score only these sets (file names, with or without .yml)")
    args = parser.parse_args()
    gates = load_gates(args.section, args.only)
    if not gates:
        print(f"no {args.section} set matches {args.only}", file=sys.stderr)
        return 2
    agent = load_agent(args.model)
    run = nlu if args.section == "nlu" else search
    failures = asyncio.run(run(agent, gates))
    for name, found in failures.items():
        for failure in found:
            print(f"{args.section} gate failed: {name}: {failure}", file=sys.stderr)
    failed = sum(bool(found) for found in failures.values())
    print(f"{len(gates) - failed} of {len(gates)} {args.section} sets passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
