"""Slack, behind the privacy edge: Rasa's SlackInput with what a harassment helpline needs.

Enabled only when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set (credentials.yml lists the
channel; without them /webhooks/slack/ serves nothing). On top of Rasa's channel:
- every message passes the privacy edge: scrubbed text, a pseudonym for the Slack user, no
  metadata (Slack's `users`, channel and thread ids never reach the tracker);
- direct messages only. A mention in a channel, where colleagues read along, gets a short
  pointer to a direct message in a thread, and its text never reaches Rasa. Other channel
  messages are ignored;
- Slack's retries (X-Slack-Retry-Num) and repeated event ids are acknowledged and never
  answered twice;
- the signature check is Rasa's: HMAC-SHA256 over the body with the signing secret, and the
  timestamp at most five minutes old; anything else gets 400 and reaches nothing;
- SLACK_API_URL points the replies at another Web API (the tests' local fake).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from slack_sdk.web.async_client import AsyncWebClient

from channels import logguard
from channels.privacy import PrivacyEdge

Handler = Callable[[UserMessage], Awaitable[Any]]

POINTER = ("Hoi! Over dit soort dingen praat je liever niet in een kanaal waar anderen "
           "meelezen. Stuur me een direct bericht: klik op mijn naam en kies *Bericht*. "
           "Dan lees ik alleen met jou mee.")


class PrivateSlackBot(SlackBot):
    """Rasa's Slack output channel, optionally against another Web API (SLACK_API_URL)."""

    def __init__(self, token: str, slack_channel: Optional[str] = None,
                 thread_id: Optional[str] = None, proxy: Optional[str] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        base_url = os.environ.get("SLACK_API_URL", "").strip()
        if base_url:
            self.client = AsyncWebClient(token, proxy=proxy, base_url=base_url)


class SeenEvents:
    """Event ids seen in the last `ttl` seconds (Slack retries within minutes)."""

    def __init__(self, ttl: float = 600, limit: int = 10_000) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._ttl, self._limit = ttl, limit

    def first_time(self, event_id: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        while self._seen and (len(self._seen) > self._limit
                              or next(iter(self._seen.values())) < now - self._ttl):
            self._seen.popitem(last=False)
        if event_id in self._seen:
            return False
        self._seen[event_id] = now
        return True


def _well_formed(request: Any) -> bool:
    """Whether the body has the shape Rasa's Slack handler reads without failing."""
    kind = request.headers.get("content-type")
    try:
        if kind == "application/json":
            body = json.loads(request.body)
            return isinstance(body, dict) and isinstance(body.get("event", {}), dict) and \
                isinstance(body["event"].get("text", "") if "event" in body else "", str)
        if kind == "application/x-www-form-urlencoded":
            payload = json.loads(request.form["payload"][0])
            if not isinstance(payload, dict):
                return False
            actions = payload.get("actions", [{}])
            return isinstance(actions, list) and bool(actions) and isinstance(actions[0], dict) \
                and isinstance(payload.get("user", {}), dict)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return False
    return True


def _clicked_in_thread(request: Any) -> Optional[str]:
    """The thread of the message whose button was clicked, if it was in a thread."""
    try:
        payload = json.loads(request.form["payload"][0])
        return payload.get("message", {}).get("thread_ts")
    except (KeyError, IndexError, TypeError, ValueError):
        return None


class PrivateSlackInput(SlackInput):
    """Rasa's Slack channel (/webhooks/slack/webhook) behind the privacy edge."""

    edge: PrivacyEdge | None = None
    enabled = True

    @classmethod
    def from_credentials(cls, credentials: Optional[dict]) -> InputChannel:
        token = os.environ.get("SLACK_BOT_TOKEN", "").strip()
        secret = os.environ.get("SLACK_SIGNING_SECRET", "").strip()
        if not token or not secret:
            channel = cls.__new__(cls)
            channel.enabled = False
            return channel
        return cls(token, slack_signing_secret=secret, use_threads=True,
                   slack_retry_reason_header="x-slack-retry-reason",
                   slack_retry_number_header="x-slack-retry-num",
                   conversation_granularity="sender")

    def get_output_channel(self, channel: Optional[str] = None,
                           thread_id: Optional[str] = None) -> PrivateSlackBot:
        return PrivateSlackBot(self.slack_token, channel or self.slack_channel, thread_id,
                               self.proxy)

    def _is_supported_channel(self, slack_event: dict, metadata: dict) -> bool:
        return True  # process_message decides, without logging channel ids

    async def process_message(self, request: Any, on_new_message: Handler, text: str,
                              sender_id: Optional[str], metadata: Optional[dict]) -> Any:
        done = response.text("", headers={"X-Slack-No-Retry": "1"})
        if request.headers.get(self.retry_num_header):
            return done  # a retry of something already acknowledged
        body = request.json if request.headers.get("content-type") == "application/json" else None
        event_id = (body or {}).get("event_id")
        if event_id and not self.seen.first_time(str(event_id)):
            return done
        metadata = metadata or {}
        channel = metadata.get("out_channel")
        event = (body or {}).get("event", {})
        direct = event.get("channel_type") == "im" if body else str(channel or "").startswith("D")
        if not direct:
            if event.get("type") == "app_mention":
                # point to a direct message, in a thread under the mention
                await self.get_output_channel(channel, event.get("ts")).send_text_message(
                    "", POINTER)
            return done
        # in a direct message, answer in a thread only when the user wrote in one
        thread = event.get("thread_ts") if body else _clicked_in_thread(request)
        output = self.get_output_channel(channel, thread)
        message = UserMessage(text, output, sender_id, input_channel=self.name())
        task = asyncio.create_task(on_new_message(message))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)
        return done

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        if not self.enabled:
            return Blueprint("slack_webhook_disabled")
        logguard.install()
        self.edge = self.edge or PrivacyEdge()
        self.seen = SeenEvents()

        async def private(message: UserMessage) -> Any:
            await self.edge.handle(message, self.name(), on_new_message)

        slack = super().blueprint(private)

        @slack.middleware("request")
        async def well_formed(request: Any) -> Any:
            """Rasa's handler fails with a 500 on bodies Slack never sends; refuse them
            first, with a clear 400 (after the signature check, as Slack would be told)."""
            if request.method != "POST":
                return None
            if not self.is_request_from_slack_authentic(request):
                return response.text("Message is not properly signed with a valid "
                                     "X-Slack-Signature header", status=400)
            if not _well_formed(request):
                return response.text("Expected a Slack event or interaction payload.", status=400)
            return None

        return slack
