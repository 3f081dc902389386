"""Run the whole assistant in the foreground: action server, Rasa server and intranet page.

Each server runs in its own process group and is told to die with this process, so Ctrl-C
(or SIGTERM, or this process being killed) stops all of them: none is left holding a port.
A server that stops on its own is restarted (Supervisor); one that keeps stopping stops
everything, with a non-zero exit code.

With --scaled (`make run-scaled`): Redis without persistence (unless REDIS_URL names one),
two Rasa replicas sharing conversations through it (RASA_REPLICA_PORTS, default 5006 and
5007), one action server, and nginx on the Rasa port in front of the replicas: REST and the
webhooks round robin, socket.io sticky by client address.

Privacy defaults are set here, for every server: telemetry off, log level WARNING (no
message text), Rasa's HTTP API not enabled. DEBUG logging is refused unless
WEGWIJZER_DEBUG_LOGS=1, and always with WEGWIJZER_MODE=production (channels/logguard.py).

Usage: python -m scripts.serve MODEL_PATH [--endpoints endpoints.yml] [--scaled]
Ports come from RASA_PORT (5005), ACTIONS_PORT (5055) and WEB_PORT (8080).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channels import logguard  # noqa: E402
BIN = Path(sys.executable).parent
PR_SET_PDEATHSIG = 1
THREAD_SETTINGS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


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
        # One thread per numeric library in each server. The sentence embedding (OpenMP) and
        # BLAS otherwise keep spare threads spinning after every call: on 2 cores that tripled
        # the action server's CPU time per message and queued messages under load
        # (docs/benchmarks.md). Each server still runs on its own core.
        **{name: os.environ.get(name, "1") for name in THREAD_SETTINGS},
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


NGINX_CONF = """worker_processes 1;
pid {tmp}/nginx.pid;
error_log stderr crit;  # no client addresses or request lines in the log
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  client_max_body_size 1m;
  # REST and the Slack/Teams webhooks: any replica (conversations live in Redis); a replica
  # that refuses connections is skipped for 5 s and the request goes to the other.
  upstream rasa {{
{servers}
    keepalive 16;
  }}
  # socket.io: sticky by client address, so a browser's polling requests and its upgrade to
  # a websocket reach the replica that holds its socket.io session.
  upstream rasa_socketio {{
    ip_hash;
{servers}
  }}
  map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
  server {{
    listen 127.0.0.1:{port};
    proxy_connect_timeout 2s;
    proxy_read_timeout 60s;
    # also POSTs: a message sent to a replica that died is handled by the other
    proxy_next_upstream error timeout http_502 http_503 non_idempotent;
    location /socket.io/ {{
      proxy_pass http://rasa_socketio;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_read_timeout 1h;
    }}
    location / {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }}
  }}
}}
"""


def nginx_conf(tmp: Path, port: int, replicas: list[int]) -> str:
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in replicas)
    return NGINX_CONF.format(tmp=tmp, port=port, servers=servers)


def scaled_commands(model: Path, ports: Ports, endpoints: Path, tmp: Path,
                    replicas: list[int], redis_port: int | None) -> dict[str, list[str]]:
    """Redis (unless REDIS_URL names one), the replicas, the action server, nginx in front
    on the Rasa port, and the chat page."""
    single = commands(model, ports, endpoints)
    found = {}
    if redis_port is not None:
        # No persistence: nothing about a conversation reaches a disk.
        found["redis"] = [shutil.which("redis-server") or "redis-server", "--port", str(redis_port),
                          "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                          "--dir", str(tmp), "--loglevel", "warning"]
    found["actions"] = single["actions"]
    for number, port in enumerate(replicas, 1):
        cmd = list(single["rasa"])
        cmd[cmd.index("--port") + 1] = str(port)
        found[f"rasa-{number}"] = cmd
    (tmp / "nginx.conf").write_text(nginx_conf(tmp, ports.rasa, replicas))
    found["nginx"] = [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf"),
                      "-g", "daemon off;"]
    found["web"] = single["web"]
    return found


def replica_ports(ports: Ports) -> list[int]:
    raw = os.environ.get("RASA_REPLICA_PORTS", f"{ports.rasa + 1} {ports.rasa + 2}")
    return [int(p) for p in raw.split()]


class Supervisor:
    """Starts the servers and restarts one that stops on its own (people in distress will not
    retry): at most MAX_RESTARTS times in RESTART_WINDOW seconds, then everything stops."""

    MAX_RESTARTS = 5
    RESTART_WINDOW = 600.0

    def __init__(self, cmds: dict[str, list[str]], env: dict[str, str]) -> None:
        self.cmds, self.env = cmds, env
        self.procs: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, list[float]] = {name: [] for name in cmds}

    def start(self, name: str) -> None:
        self.procs[name] = subprocess.Popen(self.cmds[name], cwd=ROOT, env=self.env,
                                            preexec_fn=_die_with_parent)

    def check(self) -> str | None:
        """Restart what died; the name of a server that keeps dying, else None."""
        for name, proc in list(self.procs.items()):
            if proc.poll() is None:
                continue
            now = time.monotonic()
            recent = [t for t in self.restarts[name] if now - t < self.RESTART_WINDOW]
            if len(recent) >= self.MAX_RESTARTS:
                return name
            self.restarts[name] = [*recent, now]
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # whatever it left behind
            except ProcessLookupError:
                pass
            print(f"warning: the {name} server stopped (exit {proc.returncode}); restarting it.",
                  file=sys.stderr, flush=True)
            self.start(name)
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the Wegwijzer servers in the foreground.")
    parser.add_argument("model", type=Path)
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    parser.add_argument("--scaled", action="store_true",
                        help="Redis, two Rasa replicas and nginx in front of them (make run-scaled)")
    args = parser.parse_args()
    if not args.model.is_file():
        print(f"error: model {args.model} not found: run `make model` first", file=sys.stderr)
        return 1
    env = server_env()
    reason = logguard.refusal(env, loggers=())
    if reason:
        print(f"error: {reason}", file=sys.stderr)
        return 1
    ports = Ports()
    wanted = dict(vars(ports))
    tmp = Path(tempfile.mkdtemp(prefix="wegwijzer-scaled-")) if args.scaled else None
    if args.scaled:
        missing = [tool for tool in ("nginx", "redis-server") if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists())]
        if missing and not (missing == ["redis-server"] and os.environ.get("REDIS_URL")):
            print(f"error: the scaled mode needs {' and '.join(missing)} (Debian packages nginx, "
                  "redis-server)", file=sys.stderr)
            return 1
        replicas = replica_ports(ports)
        wanted.update({f"rasa-{n}": p for n, p in enumerate(replicas, 1)})
        redis_port = None
        if not os.environ.get("REDIS_URL"):
            redis_port = int(os.environ.get("REDIS_PORT", "6379"))
            wanted["redis"] = redis_port
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        cmds = scaled_commands(args.model, ports, args.endpoints, tmp, replicas, redis_port)
    else:
        cmds = commands(args.model, ports, args.endpoints)
    busy = [f"{name} ({port})" for name, port in wanted.items() if port_in_use(port)]
    if busy:
        print(f"error: port already in use: {', '.join(busy)}. Is another `make run` still going?",
              file=sys.stderr)
        return 1

    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    supervisor = Supervisor(cmds, env)
    for name in cmds:
        supervisor.start(name)
        if name == "redis":
            time.sleep(0.5)

    checks = {"actions": f"http://127.0.0.1:{ports.actions}/health"}
    if args.scaled:  # the replicas first, so nginx is not asked before they are up
        checks.update({f"rasa-{n}": f"http://127.0.0.1:{p}/" for n, p in enumerate(replicas, 1)})
    checks.update({"rasa": f"http://127.0.0.1:{ports.rasa}/", "web": f"http://127.0.0.1:{ports.web}/"})
    announced = False
    exit_code = 0
    while not stopping:
        failing = supervisor.check()
        if failing:
            print(f"error: the {failing} server keeps stopping; stopping the rest.", file=sys.stderr)
            exit_code = 1
            break
        if not announced and all(is_up(url) for url in checks.values()):
            announced = True
            scaled = ""
            if args.scaled:
                scaled = (f"  replicas      {', '.join(str(p) for p in replicas)} behind nginx on {ports.rasa}\n"
                          f"  Redis         {env['REDIS_URL']} (no persistence)\n")
            print(f"Wegwijzer is ready after {time.monotonic() - started:.0f} s:\n"
                  f"  chat page     http://localhost:{ports.web}/\n"
                  f"  Rasa (REST)   http://localhost:{ports.rasa}/webhooks/rest/webhook\n"
                  f"  actions       http://localhost:{ports.actions}/health\n"
                  f"{scaled}"
                  "Press Ctrl-C to stop.", flush=True)
        time.sleep(0.5)
    print("Stopping the Wegwijzer servers…", file=sys.stderr)
    stop_all(supervisor.procs)
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
