"""Slack's markup undone before diagnosing, and what a slash command or mention asks for."""

from __future__ import annotations

from bot.slack.intent import parse
from bot.slack.text import clean, message_text


def test_the_bots_mention_goes_and_slack_markup_is_undone():
    raw = ("<@UBOT> our endpoint says &lt;html&gt; 429 &amp; dies: "
           "<https://fraud-ep.westeurope.inference.ml.azure.com/score|fraud-ep.westeurope.inference.ml.azure.com/score>"
           " cc <@U777|ana> in <#C1|ml-ops>")
    text = clean(raw, bot_user_id="UBOT")
    assert "UBOT" not in text
    assert "<html> 429 & dies" in text
    assert "https://fraud-ep.westeurope.inference.ml.azure.com/score" in text
    assert "|" not in text
    assert "@ana" in text and "#ml-ops" in text


def test_code_fences_are_unwrapped_keeping_their_lines():
    text = clean("<@UBOT> look:\n```ERROR: (OutOfQuota) Not enough quota\nline two```", bot_user_id="UBOT")
    assert "```" not in text
    assert "ERROR: (OutOfQuota) Not enough quota\nline two" in text


def test_an_app_message_without_text_is_read_from_its_attachments_and_blocks():
    alert = {"text": "", "attachments": [{"title": "Deployment failed", "text": "ERR_1200 ImagePullFailed",
                                          "fields": [{"title": "endpoint", "value": "fraud-ep"}]}]}
    assert "ERR_1200 ImagePullFailed" in message_text(alert)
    assert "endpoint: fraud-ep" in message_text(alert)
    blocks_only = {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "HTTP 429 from the endpoint"}}]}
    assert message_text(blocks_only) == "HTTP 429 from the endpoint"


def test_what_a_command_asks_for():
    assert parse("").kind == "help"
    assert parse("  help ").kind == "help"
    assert (parse("hilfe").kind, parse("hilfe").reply_lang) == ("help", "de")
    assert parse("list").kind == "list"
    assert parse("de liste").lang == "de"
    assert (parse("ERR_1200").kind, parse("ERR_1200").text) == ("lookup", "ERR_1200")
    assert (parse("`429`").kind, parse("`429`").text) == ("lookup", "429")
    assert parse("OutOfQuota").kind == "lookup"
    german = parse("de my endpoint returns 429")
    assert (german.kind, german.lang, german.text) == ("diagnose", "de", "my endpoint returns 429")
    assert parse("en: ERR_1200").lang == "en"
    assert parse("Deployment failed with 429").lang is None  # "De..." is not the language switch
    assert parse("HTTP 429 Too Many Requests").kind == "diagnose"
