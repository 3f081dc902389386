"""Slack (channels/slack.py) against a local fake of Slack's Web API (conftest.FakeSlack).

The bot runs with Slack enabled (conftest.full_bot, which stores conversations in Redis, so
"nothing reached Rasa" can be checked: no new conversation appears there).
"""

from __future__ import annotations

import time

import redis
from conftest import slack_dm, slack_request


def conversations(url: str) -> int:
    return len(list(redis.Redis.from_url(url).scan_iter("*")))


def posts_to(fake, channel: str) -> list[dict]:
    return [p for p in fake.posts if p.get("channel") == channel]


def replies_to(fake, channel: str, wait: float = 20) -> list[dict]:
    """The posts to one channel, once they have come (other tests' late replies go to their
    own channels)."""
    deadline = time.monotonic() + wait
    while not posts_to(fake, channel) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # the rest of the answer
    return posts_to(fake, channel)


def test_a_signed_direct_message_gets_its_answer_in_that_conversation(full_bot, fake_slack):
    status, _ = slack_request(full_bot.rasa_port, slack_dm("ik word gepest op mijn werk",
                                                          channel="D0ANSWER"))
    assert status == 200
    posts = replies_to(fake_slack, "D0ANSWER")
    assert posts
    assert all("thread_ts" not in p for p in posts)  # not in a thread: the user wrote none
    text = " ".join(str(p.get("text", "")) + str(p.get("blocks", "")) for p in posts).lower()
    assert "vertrouwenspersoon" in text


def test_a_message_in_a_thread_is_answered_in_that_thread(full_bot, fake_slack):
    slack_request(full_bot.rasa_port, slack_dm("ik wil niet meer leven", channel="D0THREAD",
                                               thread_ts="1700000000.000100"))
    posts = replies_to(fake_slack, "D0THREAD")
    assert posts and all(p.get("thread_ts") == "1700000000.000100" for p in posts)
    assert "113" in " ".join(str(p.get("text", "")) for p in posts)


def test_unsigned_forged_or_old_requests_are_refused_and_reach_nothing(full_bot, fake_slack, redis_url):
    before_store = conversations(redis_url)
    port = full_bot.rasa_port
    cases = {  # all to slack_dm's default channel, which no other test uses
        "no signature": slack_request(port, slack_dm("ik word gepest", user="U0NOSIG"), secret=None),
        "wrong secret": slack_request(port, slack_dm("ik word gepest", user="U0FORGED"), secret="guess"),
        "six minutes old": slack_request(port, slack_dm("ik word gepest", user="U0OLD"),
                                         timestamp=time.time() - 360),
        "from the future": slack_request(port, slack_dm("ik word gepest", user="U0FUTURE"),
                                         timestamp=time.time() + 360),
        "tampered body": slack_request(port, slack_dm("ik word gepest", user="U0TAMPER"),
                                       headers={"X-Slack-Signature": "v0=" + "0" * 64}),
    }
    for name, (status, _) in cases.items():
        assert status == 400, f"{name}: {status}"
    time.sleep(3)
    assert posts_to(fake_slack, "D0TESTDM") == []
    assert conversations(redis_url) == before_store


def test_retries_and_repeated_events_are_not_answered_twice(full_bot, fake_slack):
    event = slack_dm("ik word gepest door een klant", channel="D0RETRY", event_id="Ev0RETRY01")
    assert slack_request(full_bot.rasa_port, event)[0] == 200
    first = replies_to(fake_slack, "D0RETRY")
    assert first
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert slack_request(full_bot.rasa_port, event, headers=retry)[0] == 200
    assert slack_request(full_bot.rasa_port, event)[0] == 200  # the same event id again
    time.sleep(4)
    assert posts_to(fake_slack, "D0RETRY") == first


def test_a_mention_in_a_channel_gets_a_pointer_to_a_direct_message(full_bot, fake_slack, redis_url):
    before_store = conversations(redis_url)
    mention = {"type": "event_callback", "event_id": "Ev0MENTION1",
               "event": {"type": "app_mention", "user": "U0PUBLIC", "channel": "C0GENERAL",
                         "text": "<@U0BOTUSER> mijn baas pest me", "ts": "1700000001.000200"}}
    assert slack_request(full_bot.rasa_port, mention)[0] == 200
    posts = replies_to(fake_slack, "C0GENERAL")
    assert len(posts) == 1
    assert posts[0]["channel"] == "C0GENERAL" and posts[0]["thread_ts"] == "1700000001.000200"
    assert "direct bericht" in posts[0]["text"]
    assert conversations(redis_url) == before_store  # the text never reached Rasa
    # an ordinary channel message, without a mention, is ignored
    plain = {"type": "event_callback", "event_id": "Ev0PLAIN01",
             "event": {"type": "message", "channel_type": "channel", "user": "U0PUBLIC",
                       "channel": "C0GENERAL", "text": "wie heeft er koffie?", "ts": "1.2"}}
    assert slack_request(full_bot.rasa_port, plain)[0] == 200
    time.sleep(3)
    assert len(posts_to(fake_slack, "C0GENERAL")) == 1


def test_a_button_click_in_a_direct_message_is_answered(full_bot, fake_slack):
    click = {"type": "block_actions", "user": {"id": "U0CLICKER"}, "channel": {"id": "D0CLICK"},
             "message": {"ts": "1700000002.000300"},
             "actions": [{"type": "button", "value": "/pesten", "action_id": "a"}]}
    assert slack_request(full_bot.rasa_port, click, form=True)[0] == 200
    posts = replies_to(fake_slack, "D0CLICK")
    assert posts and all("thread_ts" not in p for p in posts)


def test_slack_url_verification(full_bot):
    status, body = slack_request(full_bot.rasa_port, {"type": "url_verification", "challenge": "abc123"})
    assert status == 200 and b"abc123" in body
