"""The assistant as `make run` starts it: REST answers, closed API, quiet logs, the page."""

from __future__ import annotations

import signal
import socket
import time

import pytest
from conftest import IDLE_SECONDS, get, post_json, socketio_conversation

SENT = [
    "ik word gepest op mijn werk",
    "ik wil niet meer leven",
    "vertel me meer",
    "hoeveel tijd mag een interne vertrouwenspersoon aan die rol besteden?",
    "moet de vertrouwenspersoon gecertificeerd zijn?",
]


def texts(replies: list[dict]) -> list[str | None]:
    return [r.get("text") for r in replies]


def joined(replies: list[dict]) -> str:
    # Rasa sends each paragraph of a reply as its own message.
    return "\n\n".join(r.get("text", "") for r in replies)


def test_bullying_gets_an_explanation_and_the_vertrouwenspersoon(bot, knowledge):
    text = joined(bot.say("e2e-pesten", SENT[0]))
    assert "pesten" in text.lower()
    assert "vertrouwenspersoon" in text.lower()
    assert knowledge.topics["pesten"].summary in text


def test_tell_me_more_continues_the_same_topic(bot, knowledge):
    bot.say("e2e-meer", SENT[0])
    text = joined(bot.say("e2e-meer", SENT[2]))
    assert knowledge.topics["pesten"].body in text


def test_suicidal_message_gets_113_and_112(bot):
    text = joined(bot.say("e2e-crisis", SENT[1]))
    assert "113" in text and "0800-0113" in text and "112" in text


def test_the_time_question_gets_the_20_percent_guideline(bot):
    # Named in the Knowledge issue: the answer must carry the fact, not a menu of topics.
    text = joined(bot.say("e2e-tijd", SENT[3]))
    assert "20%" in text and "vertrouwenspersoon" in text.lower()


def test_the_certification_question_gets_not_compulsory(bot):
    text = joined(bot.say("e2e-cert", SENT[4])).lower()
    assert "niet verplicht" in text and "lvv" in text


def test_a_topic_button_shows_that_topic(bot, knowledge):
    text = joined(bot.say("e2e-knop", '/toon_onderwerp{"onderwerp": "cijfers"}'))
    assert knowledge.topics["cijfers"].summary in text


def buttons(replies: list[dict]) -> list[str]:
    return [b["title"] for r in replies for b in r.get("buttons") or []]


def test_the_welcome_offers_the_four_audiences(bot):
    assert buttons(bot.say("e2e-welkom", "hallo")) == [
        "Ik maak zelf iets mee", "Ik zie het bij een ander", "Ik ben vertrouwenspersoon", "Ik ben werkgever"]


def test_who_did_it_is_read_and_the_situation_check_skips_that_question(bot):
    replies = bot.say("e2e-dader", "mijn manager kleineert me waar het hele team bij is")
    assert "Het gaat om je leidinggevende" in joined(replies)
    assert "Check je situatie (3 vragen)" in buttons(replies)
    question = bot.say("e2e-dader", "/situatie_check")
    assert "één keer gebeurd, of vaker" in joined(question)  # "who" is already known


def test_opnieuw_starts_a_new_conversation(bot, knowledge):
    bot.say("e2e-opnieuw", "ik word gepest op mijn werk")
    replies = bot.say("e2e-opnieuw", "opnieuw")
    assert "we beginnen opnieuw" in joined(replies).lower()
    after = joined(bot.say("e2e-opnieuw", "vertel me meer"))  # the topic is forgotten
    assert knowledge.phrases["no_topic"] in after and knowledge.topics["pesten"].body not in after


def test_conversations_cannot_be_read_back(bot):
    """Rasa's HTTP API is off: its routes do not exist at all (404, not 401 or 405)."""
    bot.say("t1", "hallo")
    paths = ("/conversations/t1/tracker", "/conversations/t1/story", "/conversations/t1/messages",
             "/conversations/t1/tracker/events", "/model/parse", "/domain", "/status", "/version")
    for path in paths:
        status, _, _ = get(f"http://127.0.0.1:{bot.rasa_port}{path}")
        assert status == 404, f"{path} answered {status}"


def test_slack_and_teams_are_off_without_their_settings(bot):
    """credentials.yml lists both channels; without their settings (SLACK_BOT_TOKEN and
    SLACK_SIGNING_SECRET; TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID) they serve
    nothing (tests/test_slack.py and test_teams.py run them with settings)."""
    for path in ("/webhooks/slack/webhook", "/webhooks/botframework/webhook"):
        status, _, _ = get(f"http://127.0.0.1:{bot.rasa_port}{path}")
        assert status == 404, path


def test_logs_hold_no_message_text(bot):
    for message in SENT:
        bot.say("e2e-log", message)
    time.sleep(1)
    log = bot.log()
    for message in SENT:
        assert message not in log


def test_chat_page_is_served_with_widget_and_strict_csp(bot):
    status, headers, body = get(f"http://127.0.0.1:{bot.web_port}/")
    assert status == 200
    page = body.decode()
    assert 'lang="nl"' in page and "/vendor/webchat.js" in page
    assert f'data-rasa-port="{bot.rasa_port}"' in page
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "googleapis" not in csp
    status, headers, body = get(f"http://127.0.0.1:{bot.web_port}/vendor/webchat.js")
    assert status == 200 and b"WebChat" in body[:2000]
    assert get(f"http://127.0.0.1:{bot.web_port}/../README.md")[0] == 404
    assert get(f"http://127.0.0.1:{bot.web_port}/serve.py")[0] == 404


def test_socketio_channel_is_served(bot):
    status, _, body = get(f"http://127.0.0.1:{bot.rasa_port}/socket.io/?EIO=4&transport=polling")
    assert status == 200 and b"sid" in body


def test_a_socketio_conversation_gets_its_replies(bot):
    """The intranet page's path, end to end: session, message, replies in the same session."""
    [answer] = socketio_conversation(bot.rasa_port, "browser-session-e2e", ["ik wil niet meer leven"])
    assert "113" in answer and "112" in answer


def test_rest_messages_without_a_sender_are_not_one_shared_conversation(bot):
    """Without the edge, Rasa files every sender-less message under "default", so the second
    would continue the first one's conversation."""
    bot.say("shared-check-1", "ik word gepest")
    continued = texts(bot.say("shared-check-1", "vertel me meer"))   # pesten, told in full
    alone = texts(bot.say("shared-check-2", "vertel me meer"))       # no topic to continue
    assert continued != alone  # so the check below can tell the two apart

    url = f"http://127.0.0.1:{bot.rasa_port}/webhooks/rest/webhook"
    post_json(url, {"message": "ik word gepest"})
    assert texts(post_json(url, {"message": "vertel me meer"})) == alone


def test_an_idle_conversation_is_forgotten(bot):
    """The test bot forgets a conversation after IDLE_SECONDS without a message (the served
    default is 30 minutes): the next message starts afresh, with no topic to continue."""
    alone = texts(bot.say("e2e-idle-fresh", "vertel me meer"))
    bot.say("e2e-idle", "ik word gepest")
    time.sleep(IDLE_SECONDS + 2)
    assert texts(bot.say("e2e-idle", "vertel me meer")) == alone


@pytest.mark.last
def test_ctrl_c_stops_every_server(bot):
    """Runs after every other test (it stops the shared bot): SIGINT to the launcher frees
    all three ports."""
    bot.process.send_signal(signal.SIGINT)
    bot.process.wait(timeout=30)
    for port in (bot.rasa_port, bot.actions_port, bot.web_port):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still served after Ctrl-C"
