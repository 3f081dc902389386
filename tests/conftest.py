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


@pytest.fixture(scope="session")
def offline_agent():
    """The trained model loaded in this process with the project's tracker store (in
    memory) and no action server at all."""
    import asyncio

    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    model = model_path()
    if not model.exists():
        pytest.fail(f"trained model {model.name} is missing: run `make model` (make test does this)")
    store = yaml.safe_load((ROOT / "endpoints.yml").read_text())["tracker_store"]
    endpoints = AvailableEndpoints(tracker_store=EndpointConfig(**store))
    return asyncio.run(load_agent(model_path=str(model), endpoints=endpoints))


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


def start_bot(config_dir: Path, **extra_env: str) -> RunningBot:
    """Start the assistant through scripts.serve (as `make run` does) on spare ports."""
    model = model_path()
    if not model.exists():
        pytest.fail(f"trained model {model.name} is missing: run `make model` (make test does this)")
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port()}
    # The project's endpoints.yml (tracker store included), with the action server's test port.
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    config["action_endpoint"]["url"] = f"http://localhost:{ports['ACTIONS_PORT']}/webhook"
    endpoints = config_dir / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump(config))
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}}
    # Conversations are forgotten after IDLE_SECONDS here, so a test can wait for it; every
    # test's conversation is far shorter than that.
    env["WEGWIJZER_IDLE_MINUTES"] = str(IDLE_SECONDS / 60)
    env.pop("LOG_LEVEL", None)  # the launcher's own default is what users get
    env.pop("REDIS_URL", None)
    env.update(extra_env)
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
    return running


def socketio_conversation(port: int, session_id: str, messages: list[str]) -> list[str]:
    """The intranet page's path: a python-socketio client asks for a session and sends each
    message; returns the reply texts to each message, joined."""
    import queue

    import socketio

    replies: queue.Queue = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", lambda data: replies.put(data))
    client.on("session_confirm", lambda sid: replies.put({"session": sid}))
    client.connect(f"http://127.0.0.1:{port}", transports=["polling"], wait_timeout=10)
    answers = []
    try:
        client.emit("session_request", {"session_id": session_id})
        assert replies.get(timeout=10) == {"session": session_id}
        for message in messages:
            client.emit("user_uttered", {"message": message, "session_id": session_id})
            texts = [replies.get(timeout=30).get("text", "")]
            while True:
                try:
                    texts.append(replies.get(timeout=2).get("text", ""))
                except queue.Empty:
                    break
            answers.append("\n".join(t or "" for t in texts))
    finally:
        client.disconnect()
    return answers


def stop_bot(running: RunningBot) -> None:
    if running.process.poll() is None:
        running.process.send_signal(signal.SIGINT)
        running.process.wait(timeout=30)


@pytest.fixture(scope="session")
def bot(tmp_path_factory) -> RunningBot:
    running = start_bot(tmp_path_factory.mktemp("config"))
    yield running
    stop_bot(running)
