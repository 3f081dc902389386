"""Run the whole assistant in the foreground: action server, Rasa server and intranet page.

Each server runs in its own process group and is told to die with this process, so Ctrl-C
(or SIGTERM, or this process being killed) stops all three: none is left holding a port.
If any server exits on its own, the others are stopped too and the exit code is non-zero.

Privacy defaults are set here, for every server: telemetry off, log level WARNING (no
message text), Rasa's HTTP API not enabled. DEBUG logging is refused unless
WEGWIJZER_DEBUG_LOGS=1, and always with WEGWIJZER_MODE=production (channels/logguard.py).

Usage: python -m scripts.serve MODEL_PATH [--endpoints endpoints.yml]
Ports come from RASA_PORT (5005), ACTIONS_PORT (5055) and WEB_PORT (8080).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channels import logguard  # noqa: E402
BIN = Path(sys.executable).parent
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Ports:
    rasa: int = int(os.environ.get("RASA_PORT", "5005"))
    actions: int = int(os.environ.get("ACTIONS_PORT", "5055"))
    web: int = int(os.environ.get("WEB_PORT", "8080"))


def server_env() -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        "LOG_LEVEL_LIBRARIES": os.environ.get("LOG_LEVEL_LIBRARIES", "ERROR"),
        "PYTHONUNBUFFERED": "1",
        # Library noise at start-up (deprecations, TensorFlow's CPU banner); override to see it.
        "PYTHONWARNINGS": os.environ.get("PYTHONWARNINGS", "ignore"),
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


def log_flags(level: str) -> list[str]:
    """The rasa command-line flag for a LOG_LEVEL (a flag wins over the variable, and the
    action server would otherwise log at INFO whatever LOG_LEVEL says)."""
    level = level.strip().upper()
    if level == "DEBUG":
        return ["--debug"]
    return [] if level == "INFO" else ["--quiet"]


def page_origins(web_port: int) -> list[str]:
    """The origins whose pages may talk to Rasa (CORS): the chat page on this machine, and
    the intranet addresses in WEGWIJZER_PAGE_ORIGINS (space-separated, e.g.
    "https://intranet.example.nl")."""
    extra = os.environ.get("WEGWIJZER_PAGE_ORIGINS", "").split()
    return [f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}", *extra]


def commands(model: Path, ports: Ports, endpoints: Path) -> dict[str, list[str]]:
    flags = log_flags(server_env()["LOG_LEVEL"])
    return {
        "actions": [str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                    "--port", str(ports.actions), *flags],
        "rasa": [str(BIN / "rasa"), "run", "--model", str(model), "--port", str(ports.rasa),
                 "--credentials", "credentials.yml", "--endpoints", str(endpoints),
                 "--cors", *page_origins(ports.web), *flags],
        "web": [sys.executable, "web/serve.py", "--port", str(ports.web), "--rasa-port", str(ports.rasa)],
    }


def _die_with_parent() -> None:
    """Runs in the child before exec: own process group, SIGTERM when the launcher dies."""
    os.setsid()
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def is_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def stop_all(procs: dict[str, subprocess.Popen]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 10
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the Wegwijzer servers in the foreground.")
    parser.add_argument("model", type=Path)
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    args = parser.parse_args()
    if not args.model.is_file():
        print(f"error: model {args.model} not found: run `make model` first", file=sys.stderr)
        return 1
    reason = logguard.refusal(server_env(), loggers=())
    if reason:
        print(f"error: {reason}", file=sys.stderr)
        return 1
    ports = Ports()
    busy = [f"{name} ({port})" for name, port in vars(ports).items() if port_in_use(port)]
    if busy:
        print(f"error: port already in use: {', '.join(busy)}. Is another `make run` still going?",
              file=sys.stderr)
        return 1

    procs: dict[str, subprocess.Popen] = {}
    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    for name, cmd in commands(args.model, ports, args.endpoints).items():
        procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=server_env(), preexec_fn=_die_with_parent)

    checks = {
        "actions": f"http://127.0.0.1:{ports.actions}/health",
        "rasa": f"http://127.0.0.1:{ports.rasa}/",
        "web": f"http://127.0.0.1:{ports.web}/",
    }
    announced = False
    exit_code = 0
    while not stopping:
        dead = [name for name, proc in procs.items() if proc.poll() is not None]
        if dead:
            print(f"error: the {', '.join(dead)} server stopped unexpectedly; stopping the rest.",
                  file=sys.stderr)
            exit_code = 1
            break
        if not announced and all(is_up(url) for url in checks.values()):
            announced = True
            print(f"Wegwijzer is ready after {time.monotonic() - started:.0f} s:\n"
                  f"  chat page     http://localhost:{ports.web}/\n"
                  f"  Rasa (REST)   http://localhost:{ports.rasa}/webhooks/rest/webhook\n"
                  f"  actions       http://localhost:{ports.actions}/health\n"
                  "Press Ctrl-C to stop.", flush=True)
        time.sleep(0.5)
    print("Stopping the Wegwijzer servers…", file=sys.stderr)
    stop_all(procs)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
