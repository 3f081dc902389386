"""CPU time per message of the running servers (`make run` must be up on the default ports).

Sends the benchmark's conversations (scripts/bench.py) one message at a time, and reads the
CPU time (user + system, all threads) of the Rasa server and the action server from /proc
before and after. CPU time, not wall time, is what limits how many messages two cores can
answer per second; spare threads spinning show up here and not in a single user's latency.

Usage: python -m scripts.cpu_per_message [--rounds 3] [--port 5005]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench import SCRIPTS  # noqa: E402
from scripts.processes import pids  # noqa: E402


def server_pid(fragment: str) -> int:
    found = pids(fragment)
    if not found:
        raise SystemExit(f"no running process with {fragment!r}: start `make run` first")
    return min(found)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def say(port: int, sender: str, text: str) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                                     data=json.dumps({"sender": sender, "message": text}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def measure(port: int, messages: list[tuple[str, str]], rounds: int, tag: str) -> str:
    rasa, actions = server_pid("rasa run --model"), server_pid("rasa run actions")
    r0, a0, t0 = cpu_seconds(rasa), cpu_seconds(actions), time.perf_counter()
    for number in range(rounds):
        for name, text in messages:
            say(port, f"cpu-{tag}-{number}-{name}-{t0}", text)
    n = rounds * len(messages)
    r1, a1, t1 = cpu_seconds(rasa), cpu_seconds(actions), time.perf_counter()
    return (f"{n} messages: wall {1000 * (t1 - t0) / n:.1f} ms, CPU per message: Rasa "
            f"{1000 * (r1 - r0) / n:.1f} ms, action server {1000 * (a1 - a0) / n:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", "5005")))
    args = parser.parse_args()
    every = [(name, text) for name, turns in SCRIPTS.items() for text in turns]
    for name, text in every:  # warm-up: every code path once
        say(args.port, f"cpu-warm-{name}-{time.time()}", text)
    print("all benchmark turns:", measure(args.port, every, args.rounds, "all"))
    typed = [(name, text) for name, text in every if not text.startswith("/")]
    print("typed text only:    ", measure(args.port, typed, args.rounds, "typed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
