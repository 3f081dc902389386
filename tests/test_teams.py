"""Microsoft Teams (channels/teams.py) against local fakes of Microsoft's token service, OpenID
metadata, signing keys and Bot Connector (conftest.FakeMicrosoft), with locally signed JWTs.

The bot (conftest.full_bot) stores conversations in Redis, so "never reached Rasa" can be
checked: no new conversation appears there.
"""

from __future__ import annotations

import time

import redis
from conftest import teams_request


def conversations(url: str) -> int:
    return len(list(redis.Redis.from_url(url).scan_iter("*")))


def replies(fake, before: int, conversation: dict, wait: float = 20) -> list[dict]:
    """What the bot posted to one conversation, once it has come (late replies to other
    tests' conversations are left out)."""
    def mine() -> list[dict]:
        return [a for a in fake.activities[before:] if conversation["id"] in a["path"]]

    deadline = time.monotonic() + wait
    while not mine() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # the rest of the answer
    return mine()


def test_a_valid_request_gets_its_reply_posted_to_service_url(full_bot, fake_microsoft):
    before = len(fake_microsoft.activities)
    activity = fake_microsoft.activity("ik word gepest op mijn werk")
    assert teams_request(full_bot.rasa_port, activity, fake_microsoft.jwt()) == 200
    posted = replies(fake_microsoft, before, activity["conversation"])
    assert posted, "no reply reached the Bot Connector"
    assert all(a["path"] == f"/v3/conversations/{activity['conversation']['id']}/activities"
               for a in posted)
    assert all(a["auth"].startswith("Bearer bot-token-") for a in posted)
    text = " ".join(a.get("text", "") for a in posted).lower()
    assert "vertrouwenspersoon" in text
    # the answer's choices are hero-card buttons the user sees by title, the bot gets a payload
    cards = [att for a in posted for att in a.get("attachments", [])]
    assert cards and cards[0]["contentType"] == "application/vnd.microsoft.card.hero"
    button = cards[0]["content"]["buttons"][0]
    assert button["type"] == "messageBack" and button["displayText"] == button["title"]


def test_the_bot_token_is_fetched_once_and_reused(full_bot, fake_microsoft):
    for text in ("hallo", "ik word gepest"):
        activity = fake_microsoft.activity(text)
        assert teams_request(full_bot.rasa_port, activity, fake_microsoft.jwt()) == 200
        replies(fake_microsoft, len(fake_microsoft.activities), activity["conversation"], wait=5)
    assert fake_microsoft.tokens_issued == 1


def test_unsigned_forged_expired_or_misaddressed_requests_get_401(full_bot, fake_microsoft, redis_url):
    import jwt as pyjwt

    before_store = conversations(redis_url)
    fake = fake_microsoft
    refused = []
    unsigned = pyjwt.encode({"iss": fake.ISSUER, "aud": fake.APP_ID, "exp": int(time.time()) + 600},
                            key=None, algorithm="none")
    cases = {
        "no token": None,
        "not a bearer token": "",
        "unsigned (alg none)": unsigned,
        "forged (another key)": fake.jwt(key=fake.other_key),
        "unknown key id": fake.jwt(kid="someone-else"),
        "expired": fake.jwt(expires_in=-600),
        "wrong audience": fake.jwt(audience="another-bot"),
        "wrong issuer": fake.jwt(issuer="https://evil.example"),
        "other service url": fake.jwt(service_url="https://evil.example/"),
        "garbage": "abc.def.ghi",
    }
    for name, token in cases.items():
        activity = fake.activity(f"ik word gepest ({name})")
        refused.append(activity["conversation"]["id"])
        status = teams_request(full_bot.rasa_port, activity, token)
        assert status == 401, f"{name}: {status}"
    time.sleep(3)
    assert not [a for a in fake.activities if any(c in a["path"] for c in refused)]
    assert conversations(redis_url) == before_store


def test_a_channel_message_gets_a_pointer_to_a_personal_chat(full_bot, fake_microsoft, redis_url):
    before, before_store = len(fake_microsoft.activities), conversations(redis_url)
    activity = fake_microsoft.activity("<at>Wegwijzer</at> mijn baas pest me", conversation_type="channel")
    assert teams_request(full_bot.rasa_port, activity, fake_microsoft.jwt()) == 200
    posted = replies(fake_microsoft, before, activity["conversation"])
    assert len(posted) == 1 and "persoonlijk bericht" in posted[0]["text"]
    assert conversations(redis_url) == before_store


def test_bad_json_is_a_clear_400(full_bot, fake_microsoft):
    assert teams_request(full_bot.rasa_port, b"{not json", fake_microsoft.jwt()) == 400
