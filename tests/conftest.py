"""Shared fixtures. The trained model is built once by `make model` and reused by all tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.knowledge import Knowledge, load_knowledge  # noqa: E402
from scripts.model import model_path  # noqa: E402

IDLE_SECONDS = 20  # the test bot forgets a conversation after this long without a message


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()  # WEGWIJZER_KNOWLEDGE_DIR or knowledge/, as the action server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningBot:
    """The whole assistant as `make run` starts it, on spare ports, with its output in memory."""

    process: subprocess.Popen
    rasa_port: int
    actions_port: int
    web_port: int
    output: list[str] = field(default_factory=list)

    def say(self, sender: str, message: str) -> list[dict]:
        return post_json(f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook",
                         {"sender": sender, "message": message})

    def log(self) -> str:
        return "".join(self.output)


def post_json(url: str, payload: dict) -> list[dict]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="session")
def bot(tmp_path_factory) -> RunningBot:
    model = model_path()
    if not model.exists():
        pytest.fail(f"trained model {model.name} is missing: run `make model` (make test does this)")
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port()}
    # The project's endpoints.yml (tracker store included), with the action server's test port.
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    config["action_endpoint"]["url"] = f"http://localhost:{ports['ACTIONS_PORT']}/webhook"
    endpoints = tmp_path_factory.mktemp("config") / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump(config))
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}}
    # Conversations are forgotten after IDLE_SECONDS here, so a test can wait for it; every
    # test's conversation is far shorter than that.
    env["WEGWIJZER_IDLE_MINUTES"] = str(IDLE_SECONDS / 60)
    env.pop("LOG_LEVEL", None)  # the launcher's own default is what users get
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.serve", str(model), "--endpoints", str(endpoints)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    running = RunningBot(process, ports["RASA_PORT"], ports["ACTIONS_PORT"], ports["WEB_PORT"])
    reader = threading.Thread(target=lambda: running.output.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 180
    while "Wegwijzer is ready" not in running.log():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the assistant did not start:\n{running.log()[-3000:]}")
        time.sleep(0.5)
    yield running
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
