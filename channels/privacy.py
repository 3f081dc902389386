"""The privacy edge: what every input channel does to a message before Rasa sees it.

Personal data in the text becomes typed placeholders ("mijn collega [NAAM] belt me op
[TELEFOON]", channels/scrubber.py), so names and numbers never reach the NLU, the tracker
store or a log.

Pseudonymous conversation ids. The id a channel gives (the REST `sender`, the
socket.io session id, the Slack or Teams user) never becomes Rasa's `sender_id`. It is
replaced by a keyed hash (HMAC-SHA256) with a random key that lives only in this process's
memory and is replaced every `WEGWIJZER_ID_KEY_HOURS` hours (default 24). So the tracker
store never holds a channel's id, and after a rotation nobody, this process included, can
link a new conversation to an older one. A conversation that is going on when the key
rotates simply starts afresh.

Channel metadata is dropped: it can identify people (Slack `users`, Teams `from`) and the
dialogue does not use it.

Every channel passes its messages through `PrivacyEdge.message`, so all of this happens in
one place.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import threading
import time
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage

from channels import action_validation, logguard
from channels.scrubber import scrub_message, warm_up

Handler = Callable[[UserMessage], Awaitable[Any]]
logger = logging.getLogger(__name__)
# Every Rasa server loads this module (all input channels go through the edge): the place to
# make Rasa's check of the action server's answers cheaper (channels/action_validation.py).
action_validation.install()

# Longer messages are not read: the answer asks for a shorter one (and gives the emergency
# numbers, in case the long message was a cry for help).
MAX_MESSAGE_CHARS = 2000
# Control characters, and lone UTF-16 surrogates (valid in JSON, not as text), are dropped.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
TOO_LONG = ("Je bericht is te lang voor mij: ik lees berichten tot 2.000 tekens. Kun je in een "
            "paar zinnen vertellen wat er speelt? Ben je in gevaar? Bel 112. Denk je aan "
            "zelfdoding? Bel 113 of gratis 0800-0113.")
EMPTY = "Ik zie geen tekst in je bericht. Vertel in je eigen woorden wat er speelt."


def precheck(text: Any) -> str | None:
    """The answer to a message Rasa should not see (empty or too long), or None."""
    if not isinstance(text, str) or not CONTROL_CHARACTERS.sub("", text).strip():
        return EMPTY
    if len(text) > MAX_MESSAGE_CHARS:
        return TOO_LONG
    return None


class RotatingKey:
    """A random key in memory, replaced when it is older than `lifetime` seconds."""

    def __init__(self, lifetime: float, clock: Callable[[], float] = time.monotonic) -> None:
        if lifetime <= 0:
            raise ValueError("the key's lifetime must be positive")
        self._lifetime = lifetime
        self._clock = clock
        self._lock = threading.Lock()
        self._key = secrets.token_bytes(32)
        self._born = clock()

    def current(self) -> bytes:
        with self._lock:
            if self._clock() - self._born >= self._lifetime:
                self._key = secrets.token_bytes(32)
                self._born = self._clock()
            return self._key


class SharedKey:
    """The pseudonymisation key for several replicas: one random key in Redis (memory only:
    Redis runs without persistence), which Redis deletes after `lifetime` seconds; the first
    replica to find it gone makes the next one. Each replica keeps a copy and checks Redis
    again every `RECHECK` seconds, adopting whatever key Redis holds: after a Redis restart
    all replicas agree again within that time. While Redis cannot be reached a replica keeps
    using its copy (or, with none, a key of its own), so messages are still answered."""

    NAME = "wegwijzer:idkey"
    RECHECK = 30.0

    def __init__(self, url: str, lifetime: float, clock: Callable[[], float] = time.monotonic) -> None:
        import redis

        from channels.storage import redis_settings

        settings = redis_settings(url)
        self._redis = redis.Redis(host=settings["host"], port=settings["port"], db=settings["db"],
                                  username=settings["username"], password=settings["password"],
                                  ssl=settings["use_ssl"], socket_timeout=1, socket_connect_timeout=1)
        self._lifetime = max(1, round(lifetime))
        self._clock = clock
        self._lock = threading.Lock()
        self._key: bytes | None = None
        self._until = 0.0  # when this copy's lifetime ends
        self._checked = -float("inf")

    def current(self) -> bytes:
        import redis

        with self._lock:
            now = self._clock()
            if self._key is None or now >= self._until or now - self._checked >= self.RECHECK:
                try:
                    self._fetch(now)
                except redis.RedisError as error:
                    logger.warning("Redis unreachable for the id key (%s): using this replica's copy",
                                   type(error).__name__)
                    if self._key is None or now >= self._until:
                        self._key, self._until = secrets.token_bytes(32), now + self.RECHECK
                    self._checked = now
            return self._key

    def _fetch(self, now: float) -> None:
        self._redis.set(self.NAME, secrets.token_bytes(32), ex=self._lifetime, nx=True)
        with self._redis.pipeline() as pipe:
            key, left_ms = pipe.get(self.NAME).pttl(self.NAME).execute()
        self._checked = now
        if key is None:  # expired in between: a fresh one for now, Redis again next time
            self._key, self._until = secrets.token_bytes(32), now
            return
        self._key, self._until = key, now + max(left_ms, 0) / 1000


def default_key() -> RotatingKey | SharedKey:
    """In memory, or shared through Redis when REDIS_URL is set (several replicas must make
    the same pseudonym for the same person, or a conversation would break on each hop)."""
    from channels.storage import redis_url  # storage imports this module

    url = redis_url()
    return SharedKey(url, key_lifetime()) if url else RotatingKey(key_lifetime())


def bounded_number(raw: Any, name: str, unit: str, maximum: float) -> float:
    """A setting that must be a number above 0 and at most `maximum`; anything else stops
    the server with a message naming the setting."""
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise SystemExit(f"{name} must be a number of {unit}, not {raw!r}") from None
    if not 0 < value <= maximum:
        raise SystemExit(f"{name} must be more than 0 and at most {maximum:g} {unit}")
    return value


def key_lifetime() -> float:
    """Seconds a pseudonymisation key lives: WEGWIJZER_ID_KEY_HOURS (default 24, at most 24,
    so the key rotates at least daily)."""
    raw = os.environ.get("WEGWIJZER_ID_KEY_HOURS", "24")
    return bounded_number(raw, "WEGWIJZER_ID_KEY_HOURS", "hours", 24) * 3600


def no_answer_text() -> str:
    """What the bot says when a message got no answer at all (the action server is down or
    failed): sorry, how to reach the VP, and the emergency numbers. From knowledge/, as the
    action server would say it; a fixed text if the knowledge cannot be read."""
    try:
        from actions.answers import reach_vertrouwenspersoon
        from actions.knowledge import load_knowledge

        kb = load_knowledge()
        return f"{kb.phrases['no_answer']}\n{reach_vertrouwenspersoon(kb)}\n\n{kb.phrases['no_answer_safety']}"
    except Exception as error:  # noqa: BLE001 - the action server reports knowledge errors
        logger.warning("Knowledge not readable for the fallback answer (%s)", type(error).__name__)
        return NO_ANSWER_FIXED


NO_ANSWER_FIXED = ("Sorry, er gaat bij mij iets mis. Probeer het over een paar minuten opnieuw. "
                   "Wil je met iemand praten? Kijk in het personeelshandboek of op intranet hoe je de "
                   "vertrouwenspersoon bereikt. Ben je in direct gevaar? Bel 112. Denk je aan "
                   "zelfdoding? Bel 113 of gratis 0800-0113.")


def count_replies(output: OutputChannel) -> Callable[[], int]:
    """Count the answers Rasa sends through `output` (it sends each through send_response)."""
    count = 0
    original = output.send_response

    async def counting(recipient_id: str, message: dict[str, Any]) -> None:
        nonlocal count
        count += 1
        await original(recipient_id, message)

    output.send_response = counting  # type: ignore[method-assign]
    return lambda: count


class PrivacyEdge:
    """Turns a channel's message into the message Rasa may see."""

    def __init__(self, key: RotatingKey | SharedKey | None = None) -> None:
        self._key = key or default_key()
        warm_up()  # the scrubber's word lists load at start-up, not on the first message
        self.no_answer = no_answer_text()

    def pseudonym(self, channel: str, sender_id: str | None) -> str:
        """A conversation id that reveals nothing about the channel's id. The channel name
        is part of the hash, so the same id on two channels gives two conversations. A
        message without an id gets a conversation of its own (Rasa would put all of them in
        one shared conversation, "default")."""
        if not sender_id:
            sender_id = "\x00one-off " + secrets.token_hex(16)
        raw = f"{channel}\x00{sender_id}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key.current(), raw, hashlib.sha256).hexdigest()[:32]

    def message(self, message: UserMessage, channel: str,
                output_channel: OutputChannel | None = None) -> UserMessage:
        """The message as Rasa may see it. `channel` is the input channel's own name, not
        the `input_channel` a REST client may put in its request."""
        return UserMessage(
            text=scrub_message(CONTROL_CHARACTERS.sub("", message.text or "")),
            output_channel=output_channel or message.output_channel,
            sender_id=self.pseudonym(channel, message.sender_id),
            parse_data=None,
            input_channel=channel,
            message_id=None,  # Rasa makes its own random one
            metadata=None,
        )


    async def handle(self, message: UserMessage, channel: str, on_new_message: Handler,
                     output_channel: OutputChannel | None = None) -> None:
        """Pass a channel's message to Rasa through the edge; answer an empty or over-long
        message here. A failure is logged without the message (Rasa's channels would log
        its text)."""
        output = output_channel or message.output_channel
        reply = precheck(message.text)
        if reply:
            await output.send_text_message(self.pseudonym(channel, message.sender_id), reply)
            return
        sent = count_replies(output)
        try:
            await on_new_message(self.message(message, channel, output))
        except Exception as error:  # noqa: BLE001 - nothing is logged but the kind
            logger.error("A %s message could not be handled (%s)", channel, type(error).__name__)
        if not sent():  # never silent: the action server may be down, or something failed
            logger.warning("A %s message got no answer: sent the fallback with the VP's contact", channel)
            try:
                await output.send_text_message(self.pseudonym(channel, message.sender_id), self.no_answer)
            except Exception as error:  # noqa: BLE001
                logger.error("The fallback answer could not be sent (%s)", type(error).__name__)


class RoomOutput(SocketIOOutput):
    """socket.io replies go to the browser's own room, not to the pseudonymous sender id
    (Rasa's SocketIOOutput uses the sender id as the room, which nobody would be in)."""

    def __init__(self, sio: Any, bot_message_evt: str, room: str) -> None:
        super().__init__(sio, bot_message_evt)
        self._room = room

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await super()._send_message(self._room, response)


class PrivateRestInput(RestInput):
    """Rasa's REST channel (/webhooks/rest/webhook) behind the privacy edge."""

    edge: PrivacyEdge | None = None

    @staticmethod
    def _body(req: Any) -> dict:
        """The request's JSON object, or a clear 400."""
        try:
            body = req.json
        except Exception:  # noqa: BLE001 - Sanic's own parse error
            body = None
        if not isinstance(body, dict):
            raise InvalidUsage("Verwacht een JSON-object, zoals "
                               '{"sender": "...", "message": "..."}.')
        return body

    async def _extract_sender(self, req: Any) -> str:
        # Rasa turns a missing sender into the shared conversation "default"; an empty id
        # makes the edge give the message a conversation of its own instead.
        sender = self._body(req).get("sender")
        if sender is not None and not isinstance(sender, (str, int)):
            raise InvalidUsage("'sender' moet tekst zijn.")
        return "" if sender is None else str(sender)

    def _extract_message(self, req: Any) -> str:
        message = self._body(req).get("message")
        if not isinstance(message, str):
            raise InvalidUsage("'message' moet tekst zijn.")
        return message

    def _extract_input_channel(self, req: Any) -> str:
        return self.name()  # a client's own "input_channel" is ignored

    def get_metadata(self, request: Any) -> None:
        return None  # dropped by the edge anyway

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        logguard.install()
        self.edge = self.edge or PrivacyEdge()

        async def private(message: UserMessage) -> Any:
            await self.edge.handle(message, self.name(), on_new_message)

        return super().blueprint(private)


class PrivateSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel (used by the intranet page) behind the privacy edge."""

    edge: PrivacyEdge | None = None

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        logguard.install()
        self.edge = self.edge or PrivacyEdge()

        async def private(message: UserMessage) -> Any:
            # Rasa's handler sends the replies to the room named after the sender id: the
            # browser's session id (session_persistence) or its socket id. Keep that room.
            output = RoomOutput(self.sio, self.bot_message_evt, room=message.sender_id)
            await self.edge.handle(message, self.name(), on_new_message, output)

        return super().blueprint(private)
