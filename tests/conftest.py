"""Shared fixtures. The trained model is built once by `make model` and reused by all tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
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
# The tests' conversations are counted in their own file, never in the real var/insight.json.
os.environ["WEGWIJZER_INSIGHT_FILE"] = os.path.join(tempfile.mkdtemp(prefix="wegwijzer-insight-"),
                                                    "insight.json")
os.environ.pop("WEGWIJZER_INSIGHT_REDIS_URL", None)
os.environ.pop("WEGWIJZER_INSIGHT", None)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "last: runs after every other test (it stops the shared bot)")


def pytest_collection_modifyitems(items: list) -> None:
    """Tests marked `last` run at the very end, whatever file they are in."""
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)


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


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A free loopback port that this test session has not handed out before. The kernel may
    give the same port to two calls in a row (each socket is closed before the next call),
    and then two servers of one test collide. Likely what a fresh-clone run once saw: a scaled
    replica's port answered a POST with 405, as the chat page's server does."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


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


def start_bot(config_dir: Path, *flags: str, **extra_env: str) -> RunningBot:
    """Start the assistant through scripts.serve (as `make run` does, or with --scaled as
    `make run-scaled`) on spare ports."""
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
        [sys.executable, "-m", "scripts.serve", str(model), "--endpoints", str(endpoints), *flags],
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


class FakeSlack:
    """A local stand-in for Slack's Web API: records every chat.postMessage."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        posts = self.posts = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - fixed by the base class
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "json" in (self.headers.get("Content-Type") or ""):
                    data = json.loads(body or b"{}")
                else:
                    from urllib.parse import parse_qsl
                    data = dict(parse_qsl(body.decode()))
                posts.append({"method": self.path.rsplit("/", 1)[-1], **data})
                answer = json.dumps({"ok": True, "channel": data.get("channel"), "ts": "1.0"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.posts) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return list(self.posts)


SLACK_SECRET = "test-signing-secret"


@pytest.fixture(scope="session")
def fake_slack():
    fake = FakeSlack()
    yield fake
    fake.server.shutdown()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A private redis-server without persistence (no RDB snapshots, no append-only file)."""
    import shutil

    import redis

    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing: `make test` installs it (Debian package redis-server)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


class FakeMicrosoft:
    """Local stand-ins for Microsoft's side of a Teams bot: the OpenID metadata and signing
    keys, the tenant's token endpoint and the Bot Connector (serviceUrl). Signs test JWTs
    with its own RSA key."""

    APP_ID = "00000000-test-app-0000-000000000000"
    ISSUER = "https://api.botframework.test"

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from cryptography.hazmat.primitives.asymmetric import rsa
        from jwt.algorithms import RSAAlgorithm

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid="test-key", use="sig")
        self.tokens_issued = 0
        self.activities: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, data: dict, status: int = 200) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                if self.path == "/openid":
                    self._json({"issuer": FakeMicrosoft.ISSUER, "jwks_uri": fake.base + "keys"})
                elif self.path == "/keys":
                    self._json({"keys": [jwk]})
                else:
                    self._json({}, 404)

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/token":
                    fake.tokens_issued += 1
                    self._json({"access_token": f"bot-token-{fake.tokens_issued}", "expires_in": 3600,
                                "token_type": "Bearer"})
                elif self.path.startswith("/v3/conversations/"):
                    fake.activities.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                            **json.loads(body or b"{}")})
                    self._json({"id": "reply-1"})
                else:
                    self._json({}, 404)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def jwt(self, *, key=None, audience: str | None = None, issuer: str | None = None,
            expires_in: float = 3600, service_url: str | None = None, kid: str = "test-key") -> str:
        import jwt as pyjwt

        now = time.time()
        claims = {"iss": issuer or self.ISSUER, "aud": audience or self.APP_ID,
                  "exp": int(now + expires_in), "nbf": int(now - 10),
                  "serviceurl": service_url or self.base}
        return pyjwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid})

    def activity(self, text: str, conversation_type: str = "personal", user: str = "29:teams-user") -> dict:
        import uuid

        return {"type": "message", "id": uuid.uuid4().hex, "text": text, "serviceUrl": self.base,
                "channelId": "msteams", "from": {"id": user, "name": "Test Gebruiker"},
                "recipient": {"id": "28:bot", "name": "Wegwijzer"},
                "conversation": {"id": f"a:{uuid.uuid4().hex[:12]}", "conversationType": conversation_type,
                                 "tenantId": "test-tenant"}}

    def wait_for(self, count: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.activities) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return list(self.activities)


@pytest.fixture(scope="session")
def fake_microsoft():
    fake = FakeMicrosoft()
    yield fake
    fake.server.shutdown()


def teams_request(port: int, activity: dict | bytes, token: str | None) -> int:
    body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/botframework/webhook",
                                     data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="session")
def full_bot_started() -> float:
    return time.time()


@pytest.fixture(scope="session")
def full_bot(tmp_path_factory, full_bot_started, redis_url, fake_slack, fake_microsoft) -> RunningBot:
    """The assistant in its scaled storage mode (Redis), with Slack and Teams enabled against
    local fakes of their services, logging at INFO: the most verbose level allowed without
    the developer flag."""
    running = start_bot(tmp_path_factory.mktemp("config-full"), REDIS_URL=redis_url,
                        LOG_LEVEL="INFO", LOG_LEVEL_LIBRARIES="INFO",
                        WEGWIJZER_IDLE_MINUTES="5", WEGWIJZER_INSIGHT_REDIS_URL=redis_url,
                        SLACK_BOT_TOKEN="xoxb-test-token",
                        SLACK_SIGNING_SECRET=SLACK_SECRET, SLACK_API_URL=fake_slack.url,
                        TEAMS_APP_ID=FakeMicrosoft.APP_ID, TEAMS_APP_PASSWORD="test-password",
                        TEAMS_TENANT_ID="test-tenant", TEAMS_OPENID_URL=fake_microsoft.base + "openid",
                        TEAMS_TOKEN_URL=fake_microsoft.base + "token")
    yield running
    stop_bot(running)


def slack_request(port: int, payload: dict | bytes, *, timestamp: float | None = None,
                  secret: str | None = SLACK_SECRET, headers: dict | None = None,
                  form: bool = False) -> tuple[int, bytes]:
    """POST to the Slack webhook, signed as Slack signs (or not, with secret=None)."""
    import hashlib
    import hmac

    if form:
        from urllib.parse import urlencode
        body = urlencode({"payload": json.dumps(payload)}).encode()
        content_type = "application/x-www-form-urlencoded"
    else:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        content_type = "application/json"
    stamp = str(int(time.time() if timestamp is None else timestamp))
    sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp}
    if secret is not None:
        digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
        sent["X-Slack-Signature"] = "v0=" + digest.hexdigest()
    sent.update(headers or {})
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/slack/webhook",
                                     data=body, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def slack_dm(text: str, user: str = "U0TESTUSER", channel: str = "D0TESTDM",
             event_id: str | None = None, thread_ts: str | None = None) -> dict:
    """An Events API callback for a direct message, as Slack sends it."""
    import uuid

    event = {"type": "message", "channel_type": "im", "user": user, "text": text,
             "channel": channel, "ts": f"{time.time():.6f}"}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {"type": "event_callback", "team_id": "T0TEST", "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
            "authorizations": [{"user_id": "U0BOTUSER"}], "event": event}
