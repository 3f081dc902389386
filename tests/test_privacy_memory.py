"""The in-memory tracker store after conversations full of personal data: none of it, and no
channel id, is in any stored conversation. (The same for Redis, the logs and files, with the
servers running: test_privacy_end_to_end.py.)"""

from __future__ import annotations

import asyncio
import json

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from test_privacy_end_to_end import CHANNEL_IDS, CONVERSATION, SECRETS

from channels.privacy import PrivacyEdge
from channels.storage import ExpiringInMemoryTrackerStore


def test_the_memory_store_holds_no_personal_data(offline_agent):
    store = offline_agent.tracker_store
    store = getattr(store, "_tracker_store", store)  # Rasa wraps it in a FailSafeTrackerStore
    assert isinstance(store, ExpiringInMemoryTrackerStore)  # what endpoints.yml gives
    edge = PrivacyEdge()

    async def conversation():
        for channel, sender in (("rest", CHANNEL_IDS[0]), ("socketio", CHANNEL_IDS[1])):
            for text in CONVERSATION:
                message = UserMessage(text, CollectingOutputChannel(), sender,
                                      metadata={"user": sender, "email": "x@y.nl"})
                await offline_agent.handle_message(edge.message(message, channel))

    asyncio.run(conversation())
    stored = json.dumps([str(v) for v in store.store.values()], ensure_ascii=False)
    stored += " ".join(store.store.keys())
    assert "[NAAM]" in stored and "[TELEFOON]" in stored  # the conversations are there
    for secret in SECRETS + CHANNEL_IDS + ["x@y.nl"]:
        assert secret not in stored, f"{secret!r} is in the tracker store"
