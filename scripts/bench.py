"""Load benchmark (`make bench`): our assistant against Rasa's own starter bot, in one run.

What it does, on this machine, with the load generator on the same cores:
1. Starts the assistant as `make run` does (scripts.serve, spare ports; with --scaled as
   `make run-scaled` does) and the starter bot that `rasa init` creates (trained once into
   build/starter/, served with `rasa run`, REST channel).
2. Records each conversation script once, alone: the expected reply to every turn.
3. One user at a time: p50/p95 latency of both bots over the same number of turns; the ratio.
4. Open loop at --rate messages per second (default 10), --turns messages in all: messages
   are due on a schedule, evenly spaced, whatever the replies do; they are shared out over
   conversations of 10 turns, each turn about --think seconds after the previous one (never
   before the previous reply arrived, as a person would). Then the same with Poisson
   arrivals (random gaps with the same mean, fixed seed). Reports p50, p95, p99,
   throughput, errors, and cross-talk: every reply must be the reply recorded for that
   conversation's turn (conversations follow different routes, so a mixed-up state shows).
5. The same open loop (evenly spaced) at rising rates (--sweep) for the highest rate whose
   p95 stays under 1 s.
6. Peak memory (VmHWM) of the servers' processes.

Writes results/bench.json and the generated part of docs/benchmarks.md.
Usage: python -m scripts.bench [--rate 10] [--turns 2000] [--sweep 12,14,16,18,20,25,30] [--scaled]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.model import model_path  # noqa: E402

STARTER = ROOT / "build" / "starter"
DOC = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "LOG_LEVEL": "WARNING", "PYTHONWARNINGS": "ignore",
       "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "WEGWIJZER_INSIGHT": "off"}

# Ten turns each, as people write them and as the buttons send them; each follows another route.
SCRIPTS = {
    "pesten": ["hoi", "mijn collega's sluiten me al weken buiten en lachen me uit", "/meer_info",
               "/situatie_check", '/situatie{"dader": "collega"}', '/situatie{"frequentie": "herhaald"}',
               '/situatie{"wens": "praten"}', "is dat gesprek vertrouwelijk?", "/meer_info", "dank je wel"],
    "seksuele_intimidatie": ["hallo", "mijn leidinggevende maakt steeds opmerkingen over mijn lichaam",
                             "/meer_info", "kan ik een klacht indienen?", "/meer_info",
                             "hoe vind ik de vertrouwenspersoon?", "/vraag_vertrouwenspersoon",
                             "wat gebeurt er met wat ik hier typ?", "/meer_info", "doei"],
    "discriminatie": ["/zelf_meemaken", "ik krijg minder betaald omdat ik een vrouw ben", "/meer_info",
                      "/situatie_check", '/situatie{"dader": "leidinggevende"}',
                      '/situatie{"frequentie": "eenmalig"}', '/situatie{"wens": "klacht"}',
                      "/vraag_klacht", "/meer_info", "bedankt"],
    "agressie_geweld": ["goedemorgen", "een klant schreeuwde en dreigde me te slaan aan de balie",
                        "/meer_info", "moet ik dit aan mijn leidinggevende vertellen?", "/meer_info",
                        "/omstander", "mag de vertrouwenspersoon iets doorvertellen?", "/meer_info",
                        "ben jij een mens?", "tot ziens"],
    "arbeidsconflict": ["hoi", "ik ben het niet eens met mijn beoordeling van mijn manager", "/meer_info",
                        "wat doet een vertrouwenspersoon eigenlijk?", "/meer_info", "/ben_werkgever",
                        "hoeveel tijd mag een interne vertrouwenspersoon aan de rol besteden?",
                        "/meer_info", "opnieuw", "bedankt"],
    "vertrouwenspersoon": ["/ben_vertrouwenspersoon", "moet ik een jaarverslag schrijven?", "/meer_info",
                           "moet de vertrouwenspersoon gecertificeerd zijn?", "/meer_info",
                           "wat als iemand in gevaar is, mag ik dan mijn geheimhouding breken?",
                           "/meer_info", "hoe maak ik mezelf bekend in de organisatie?", "/meer_info",
                           "dank je"],
}
# The starter bot's own kind of conversation (its intents are English): ten turns as well.
STARTER_SCRIPT = ["hi", "I am sad", "no", "that did not help", "bye", "hello", "I am great",
                  "are you a bot?", "yes", "goodbye"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server for {url} stopped while starting")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not come up in {seconds:.0f} s")


def start(cmd: list[str], cwd: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def ensure_starter() -> Path:
    models = sorted((STARTER / "models").glob("*.tar.gz")) if STARTER.exists() else []
    if models:
        return models[-1]
    shutil.rmtree(STARTER, ignore_errors=True)
    STARTER.mkdir(parents=True)
    print("Training Rasa's starter bot (rasa init, about a minute)…", flush=True)
    subprocess.run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(STARTER)], cwd=STARTER,
                   env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return sorted((STARTER / "models").glob("*.tar.gz"))[-1]


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def peak_memory_mb(pid: int) -> float:
    """Sum of the peak resident memory (VmHWM) of a process and its descendants."""
    total = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    crosstalk: int = 0
    late_starts: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(q: float) -> float:
            return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 1) if lat else float("nan")

        return {"turns": len(lat) + self.errors, "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
                "max_ms": round(lat[-1] * 1000, 1) if lat else None,
                "throughput_msg_s": round(len(lat) / self.seconds, 2) if self.seconds else None,
                "errors": self.errors, "crosstalk": self.crosstalk}


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> tuple[str | None, float]:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text},
                                timeout=aiohttp.ClientTimeout(total=60)) as response:
            body = await response.json(content_type=None)
            ok = response.status == 200 and isinstance(body, list) and body
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        ok, body = False, None
    took = time.perf_counter() - started
    return ("\n".join(m.get("text") or "" for m in body) if ok else None), took


async def record(url: str) -> dict[str, list[str]]:
    """Each script once, alone: the replies every later run must reproduce."""
    expected = {}
    async with aiohttp.ClientSession() as session:
        for name, turns in SCRIPTS.items():
            replies = []
            sender = f"record-{name}-{time.time_ns()}"
            for turn in turns:
                reply, _ = await send(session, url, sender, turn)
                if reply is None:
                    raise SystemExit(f"no reply while recording {name!r}")
                replies.append(reply)
            expected[name] = replies
    return expected


async def single_user(url: str, scripts: list[list[str]], rounds: int) -> Run:
    run = Run()
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        for r in range(rounds):
            for number, turns in enumerate(scripts):
                sender = f"single-{r}-{number}-{time.time_ns()}"
                for turn in turns:
                    reply, took = await send(session, url, sender, turn)
                    if reply is None:
                        run.errors += 1
                    else:
                        run.latencies.append(took)
    run.seconds = time.perf_counter() - started
    return run


def send_times(rate: float, turns_total: int, arrivals: str, seed: int = 7) -> list[float]:
    """When each message is due, in seconds from the start: evenly 1/rate apart ("even"), or
    a Poisson process with the same mean rate ("poisson", fixed seed: every run the same)."""
    if arrivals == "even":
        return [m / rate for m in range(turns_total)]
    rng = random.Random(seed)
    times, now = [], 0.0
    for _ in range(turns_total):
        times.append(now)
        now += rng.expovariate(rate)
    return times


async def open_loop(url: str, expected: dict[str, list[str]], rate: float, turns_total: int,
                    think: float, arrivals: str = "even") -> Run:
    """Messages are due on a schedule (`send_times`), shared out over conversations of 10
    turns: `concurrent` = rate x think conversations run side by side, and each gets every
    `concurrent`-th message slot, so its turns come about `think` seconds apart. A turn is
    never sent before the previous reply arrived (counted as late when that delays it).
    Messages of different conversations are therefore spread out in time, as people's are,
    instead of all conversations typing at the same instant."""
    run = Run()
    names = list(SCRIPTS)
    concurrent = max(1, round(rate * think))
    per_wave = concurrent * 10
    turns_total = max(per_wave, turns_total - turns_total % per_wave)
    due = send_times(rate, turns_total, arrivals)
    connector = aiohttp.TCPConnector(limit=0)

    async def conversation(session: aiohttp.ClientSession, number: int, slots: list[float], t0: float) -> None:
        name = names[number % len(names)]
        sender = f"load-{number}-{time.time_ns()}"
        for k, (turn, slot) in enumerate(zip(SCRIPTS[name], slots)):
            delay = t0 + slot - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            elif k:
                run.late_starts += 1
            reply, took = await send(session, url, sender, turn)
            if reply is None:
                run.errors += 1
                return
            run.latencies.append(took)
            if reply != expected[name][k]:
                run.crosstalk += 1

    async with aiohttp.ClientSession(connector=connector) as session:
        t0 = time.perf_counter() + 0.5
        tasks = []
        for wave in range(turns_total // per_wave):
            for lane in range(concurrent):
                number = wave * concurrent + lane
                slots = [due[wave * per_wave + k * concurrent + lane] for k in range(10)]
                tasks.append(asyncio.create_task(conversation(session, number, slots, t0)))
        await asyncio.gather(*tasks)
        run.seconds = time.perf_counter() - t0
    return run


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))) / 1024 / 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.platform()}"


def write_doc(result: dict) -> None:
    r, s = result, result["single_user"]
    tag = "bench-scaled" if r["scaled"] else "bench"
    begin, end = f"<!-- {tag}:begin -->", f"<!-- {tag}:end -->"
    lines = [begin, f"Run {r['date']} on {r['machine']}; command `{r['command']}`"
             f"{' (scaled mode: two replicas behind nginx, Redis)' if r['scaled'] else ' (as `make run` serves it)'}.",
             "",
             "**One user at a time** (same client, REST, conversations of 10 turns; ours: the six scripts in "
             "`scripts/bench.py`, the starter bot: its own ten-turn moodbot conversation):", "",
             "| bot | turns | p50 | p95 | errors |", "|---|---|---|---|---|",
             f"| Wegwijzer | {s['ours']['turns']} | {s['ours']['p50_ms']} ms | {s['ours']['p95_ms']} ms | {s['ours']['errors']} |",
             f"| `rasa init` starter bot | {s['starter']['turns']} | {s['starter']['p50_ms']} ms | "
             f"{s['starter']['p95_ms']} ms | {s['starter']['errors']} |",
             "", f"p50 ratio ours / starter: **{s['p50_ratio']}** (goal at most 2.0).", "",
             "**Open loop**: messages are due on a schedule, whatever the replies do: evenly spaced "
             "(`even`), or as a Poisson process with the same mean rate (`poisson`, random gaps, so "
             f"bursts happen). They are shared out over conversations of 10 turns, each turn about {r['think_s']} s "
             "after the previous one, never before its reply. Every reply is checked against the reply "
             "recorded for that conversation's turn (cross-talk).", "",
             "| offered msg/s | arrivals | turns | p50 | p95 | p99 | max | throughput msg/s | errors | cross-talk |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row in [r["open_loop"], r["open_loop_poisson"], *r["sweep"]]:
        lines.append(f"| {row['rate']} | {row['arrivals']} | {row['turns']} | {row['p50_ms']} ms | {row['p95_ms']} ms | "
                     f"{row['p99_ms']} ms | {row['max_ms']} ms | {row['throughput_msg_s']} | {row['errors']} | "
                     f"{row['crosstalk']} |")
    best = r["highest_rate_p95_under_1s"]
    lines += ["", f"Highest offered rate tried with p95 under 1 s: **{best} msg/s**" if best else
              "No rate tried kept p95 under 1 s.",
              "", f"Peak memory (VmHWM, all server processes): ours {r['peak_memory_mb']['ours']:.0f} MB, "
              f"starter bot {r['peak_memory_mb']['starter']:.0f} MB.", end]
    block = "\n".join(lines)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    DOC.write_text(head + block + rest.split(end, 1)[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--sweep", default="12,14,16,18,20,25,30", help="rates for the p95 < 1 s search ('' for none)")
    parser.add_argument("--sweep-turns", type=int, default=1200)
    parser.add_argument("--single-rounds", type=int, default=3)
    parser.add_argument("--scaled", action="store_true")
    args = parser.parse_args()

    model = model_path()
    if not model.exists():
        print("error: no model: run `make model` first", file=sys.stderr)
        return 1
    starter_model = ensure_starter()
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port()}
    config = ROOT / "build" / "bench-endpoints.yml"
    text = (ROOT / "endpoints.yml").read_text().replace("http://localhost:5055/webhook",
                                                        f"http://localhost:{ports['ACTIONS_PORT']}/webhook")
    config.write_text(text)
    env = {**ENV, **{k: str(v) for k, v in ports.items()}}
    if args.scaled:
        env.update(RASA_REPLICA_PORTS=f"{free_port()} {free_port()}", REDIS_PORT=str(free_port()))
        env.pop("REDIS_URL", None)
    ours = start([sys.executable, "-m", "scripts.serve", str(model), "--endpoints", str(config),
                  *(["--scaled"] if args.scaled else [])], ROOT, env)
    starter_port = free_port()
    starter = start([str(BIN / "rasa"), "run", "--model", str(starter_model), "--port", str(starter_port),
                     "--credentials", "credentials.yml", "--quiet"], STARTER, ENV)
    try:
        ours_url = f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook"
        starter_url = f"http://127.0.0.1:{starter_port}/webhooks/rest/webhook"
        wait_up(f"http://127.0.0.1:{ports['ACTIONS_PORT']}/health", ours)
        wait_up(f"http://127.0.0.1:{ports['RASA_PORT']}/", ours)
        wait_up(f"http://127.0.0.1:{starter_port}/", starter)
        print("Both bots are up; recording the expected replies…", flush=True)
        expected = asyncio.run(record(ours_url))
        asyncio.run(single_user(starter_url, [STARTER_SCRIPT], 1))  # warm-up
        single_ours = asyncio.run(single_user(ours_url, list(SCRIPTS.values()), args.single_rounds))
        single_starter = asyncio.run(single_user(starter_url, [STARTER_SCRIPT] * len(SCRIPTS), args.single_rounds))
        so, ss = single_ours.summary(), single_starter.summary()
        print(f"single user: ours p50 {so['p50_ms']} ms, starter p50 {ss['p50_ms']} ms", flush=True)
        loop = asyncio.run(open_loop(ours_url, expected, args.rate, args.turns, args.think))
        main_row = {"rate": args.rate, "arrivals": "even", **loop.summary(), "late_turns": loop.late_starts}
        print(f"open loop {args.rate} msg/s: {main_row}", flush=True)
        loop = asyncio.run(open_loop(ours_url, expected, args.rate, args.turns, args.think, "poisson"))
        poisson_row = {"rate": args.rate, "arrivals": "poisson", **loop.summary(), "late_turns": loop.late_starts}
        print(f"open loop {args.rate} msg/s, Poisson arrivals: {poisson_row}", flush=True)
        sweep, best = [], (args.rate if main_row["p95_ms"] < 1000 and not main_row["errors"] else None)
        for rate in [float(r) for r in args.sweep.split(",") if r.strip()]:
            row = {"rate": rate, "arrivals": "even",
                   **asyncio.run(open_loop(ours_url, expected, rate, args.sweep_turns, args.think)).summary()}
            print(f"open loop {rate} msg/s: {row}", flush=True)
            sweep.append(row)
            if row["p95_ms"] < 1000 and not row["errors"]:
                best = rate
            else:
                break
        result = {
            "date": time.strftime("%Y-%m-%d"), "machine": machine(), "scaled": args.scaled,
            "command": "make bench" + (" BENCH_ARGS=--scaled" if args.scaled else ""),
            "think_s": args.think,
            "single_user": {"ours": so, "starter": ss, "p50_ratio": round(so["p50_ms"] / ss["p50_ms"], 2)},
            "open_loop": main_row, "open_loop_poisson": poisson_row, "sweep": sweep, "highest_rate_p95_under_1s": best,
            "peak_memory_mb": {"ours": peak_memory_mb(ours.pid), "starter": peak_memory_mb(starter.pid)},
        }
    finally:
        stop(ours)
        stop(starter)
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / f"bench{'-scaled' if args.scaled else ''}.json").write_text(json.dumps(result, indent=1))
    write_doc(result)
    print(json.dumps(result, indent=1))
    ok = (main_row["p95_ms"] <= 300 and not main_row["errors"] and not main_row["crosstalk"]
          and result["single_user"]["p50_ratio"] <= 2.0)
    print("goals met" if ok else "goals NOT met", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
