"""Microsoft Teams, behind the privacy edge: Rasa's BotFrameworkInput, fixed for today's bots.

Enabled only when TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID are set (credentials.yml
lists the channel; without them /webhooks/botframework/ serves nothing). What Rasa's own
channel lacks, and this one does:
- single-tenant bots: the bot's token comes from the tenant's own token endpoint
  (https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token; Microsoft no longer lets you
  create multi-tenant bots), and is cached until shortly before it expires;
- non-blocking HTTP (aiohttp) for the token, the OpenID metadata, the signing keys and the
  replies; Rasa's channel uses `requests` inside the event loop;
- full validation of every incoming request's JWT: RS256 signature against the keys named in
  the OpenID metadata, issuer (the metadata's), audience (our app id), expiry and not-before
  (five minutes' leeway), and the `serviceurl` claim equal to the activity's serviceUrl.
  Anything else gets 401 and never reaches Rasa;
- personal chats only: in a channel or group chat the bot replies with a pointer to a
  personal chat, and the text never reaches Rasa;
- buttons as hero-card `messageBack` actions: the user sees the button's title, the bot gets
  its payload;
- the privacy edge: scrubbed text, a pseudonym for the Teams user, no metadata.

TEAMS_OPENID_URL and TEAMS_TOKEN_URL override the two Microsoft addresses (the tests' local
fakes).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from typing import Any, Awaitable, Callable, Optional

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels.botframework import BotFrameworkInput
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from channels import logguard
from channels.privacy import PrivacyEdge

logger = logging.getLogger(__name__)
Handler = Callable[[UserMessage], Awaitable[Any]]

OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
SCOPE = "https://api.botframework.com/.default"
LEEWAY = 300
POINTER = ("Hoi! Over dit soort dingen praat je liever niet in een kanaal of groepschat waar "
           "anderen meelezen. Stuur me een persoonlijk bericht: klik op mijn naam en kies "
           "*Chatten*. Dan lees ik alleen met jou mee.")


class BotToken:
    """The bot's own access token for the Bot Connector, fetched from the tenant's token
    endpoint and cached until five minutes before it expires."""

    def __init__(self, app_id: str, password: str, url: str) -> None:
        self._form = {"grant_type": "client_credentials", "client_id": app_id,
                      "client_secret": password, "scope": SCOPE}
        self._url = url
        self._token: Optional[str] = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.fetched = 0  # how often a token was fetched (for the tests)

    async def get(self, session: aiohttp.ClientSession) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() > self._expires - 300:
                async with session.post(self._url, data=self._form) as reply:
                    reply.raise_for_status()
                    data = await reply.json(content_type=None)
                self._token = data["access_token"]
                self._expires = time.monotonic() + float(data.get("expires_in", 3600))
                self.fetched += 1
            return self._token


class SigningKeys:
    """The Bot Connector's signing keys, from the OpenID metadata's jwks_uri. Refreshed once a
    day, and when a token names an unknown key (at most every five minutes)."""

    def __init__(self, openid_url: str) -> None:
        self._url = openid_url
        self._keys: dict[str, Any] = {}
        self.issuer: Optional[str] = None
        self._loaded = 0.0
        self._lock = asyncio.Lock()

    async def _load(self, session: aiohttp.ClientSession) -> None:
        async with session.get(self._url) as reply:
            reply.raise_for_status()
            meta = await reply.json(content_type=None)
        async with session.get(meta["jwks_uri"]) as reply:
            reply.raise_for_status()
            keys = (await reply.json(content_type=None))["keys"]
        self.issuer = meta["issuer"]
        self._keys = {k["kid"]: RSAAlgorithm.from_jwk(k) for k in keys if "kid" in k}
        self._loaded = time.monotonic()

    async def key(self, session: aiohttp.ClientSession, kid: str) -> Any:
        async with self._lock:
            age = time.monotonic() - self._loaded
            if not self._keys or age > 86400 or (kid not in self._keys and age > 300):
                await self._load(session)
        if kid not in self._keys:
            raise jwt.InvalidKeyError("unknown signing key")
        return self._keys[kid]


class TeamsOutput(OutputChannel):
    """Replies to one Teams conversation through the Bot Connector (serviceUrl)."""

    @classmethod
    def name(cls) -> str:
        return "botframework"

    def __init__(self, channel: "PrivateTeamsInput", service_url: str,
                 conversation: dict, bot: dict) -> None:
        super().__init__()
        self._channel = channel
        self._url = f"{service_url.rstrip('/')}/v3/conversations/{conversation['id']}/activities"
        self._conversation = {"id": conversation["id"]}
        self._bot = bot

    async def _post(self, activity: dict) -> None:
        session = self._channel.session()
        token = await self._channel.token.get(session)
        body = {"type": "message", "from": self._bot, "conversation": self._conversation,
                **activity}
        async with session.post(self._url, json=body,
                                headers={"Authorization": f"Bearer {token}"}) as reply:
            if reply.status >= 300:
                logger.error("Teams did not accept a reply (HTTP %s)", reply.status)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._post({"text": part, "textFormat": "markdown"})

    async def send_text_with_buttons(self, recipient_id: str, text: str,
                                     buttons: list[dict], **kwargs: Any) -> None:
        actions = [{"type": "messageBack", "title": b["title"], "displayText": b["title"],
                    "text": b.get("payload", b["title"])} for b in buttons]
        card = {"contentType": "application/vnd.microsoft.card.hero",
                "content": {"text": text, "buttons": actions}}
        await self._post({"attachments": [card]})

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        await self._post(json_message)


BEARER = re.compile(r"Bearer\s+(\S+)\Z")


class PrivateTeamsInput(BotFrameworkInput):
    """Rasa's Bot Framework channel (/webhooks/botframework/webhook), fixed and behind the
    privacy edge."""

    edge: PrivacyEdge | None = None
    enabled = True

    @classmethod
    def from_credentials(cls, credentials: Optional[dict]) -> InputChannel:
        settings = {k: os.environ.get(k, "").strip()
                    for k in ("TEAMS_APP_ID", "TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID")}
        channel = cls.__new__(cls)  # Rasa's __init__ would fetch keys, blocking, at start-up
        channel.enabled = all(settings.values())
        if channel.enabled:
            channel.app_id = settings["TEAMS_APP_ID"]
            token_url = os.environ.get("TEAMS_TOKEN_URL", "").strip() or TOKEN_URL.format(
                tenant=settings["TEAMS_TENANT_ID"])
            channel.token = BotToken(channel.app_id, settings["TEAMS_APP_PASSWORD"], token_url)
            channel.keys = SigningKeys(os.environ.get("TEAMS_OPENID_URL", "").strip() or OPENID_URL)
            channel._session = None
            channel._tasks = set()
        return channel

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        return self._session

    async def authentic(self, request: Request, activity: dict) -> bool:
        """Whether the request carries a valid Bot Connector token for this activity."""
        match = BEARER.match(request.headers.get("Authorization", ""))
        if not match:
            return False
        try:
            header = jwt.get_unverified_header(match.group(1))
            if header.get("alg") != "RS256" or "kid" not in header:
                return False
            key = await self.keys.key(self.session(), header["kid"])
            claims = jwt.decode(match.group(1), key=key, algorithms=["RS256"],
                                audience=self.app_id, issuer=self.keys.issuer, leeway=LEEWAY,
                                options={"require": ["exp", "iss", "aud"]})
        except (jwt.PyJWTError, aiohttp.ClientError, KeyError, ValueError) as error:
            logger.warning("Refused a Bot Framework request: %s", type(error).__name__)
            return False
        claimed = claims.get("serviceurl")
        return claimed is None or claimed.rstrip("/") == str(activity.get("serviceUrl", "")).rstrip("/")

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        if not self.enabled:
            return Blueprint("botframework_webhook_disabled")
        logguard.install()
        self.edge = self.edge or PrivacyEdge()
        teams = Blueprint("botframework_webhook", __name__)

        @teams.route("/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        @teams.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> Any:
            try:
                activity = request.json
            except Exception:  # noqa: BLE001 - Sanic raises its own error for bad JSON
                activity = None
            if not isinstance(activity, dict):
                return response.text("Expected a Bot Framework activity.", status=400)
            if not await self.authentic(request, activity):
                return response.text("Unauthorized.", status=401)
            if activity.get("type") != "message" or not activity.get("serviceUrl") \
                    or not isinstance(activity.get("conversation"), dict):
                return response.text("")
            output = TeamsOutput(self, activity["serviceUrl"], activity["conversation"],
                                 activity.get("recipient") or {})
            if activity["conversation"].get("conversationType", "personal") != "personal":
                await output.send_text_message("", POINTER)
                return response.text("")
            text = activity.get("text") if isinstance(activity.get("text"), str) else ""
            value = activity.get("value")
            if not text and isinstance(value, dict):
                text = str(value.get("payload") or value.get("text") or "")
            message = UserMessage(text, output, (activity.get("from") or {}).get("id"),
                                  input_channel=self.name())
            # answer at once (the Bot Connector waits at most 15 s); the replies follow
            task = asyncio.create_task(self.edge.handle(message, self.name(), on_new_message, output))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return response.text("")

        return teams
