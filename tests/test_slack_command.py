"""/troubleshoot: the acknowledgement carries the private answer, with the buttons under it."""

from __future__ import annotations

import json

import pytest

from bot.replies.render import MAX_BLOCKS, MAX_SECTION
from bot.slack.command import make_slash_command
from tests.slack_fakes import World, buttons, texts

QUOTA = ("ERROR: (OutOfQuota) Not enough quota available for Standard_DS3_v2 in SubscriptionId 1234. "
         "az ml online-deployment create -e fraud-ep -g rg-ml")


@pytest.fixture
def world(shipped_index, renderer) -> World:
    return World.build(shipped_index, renderer)


def run(world: World, text: str, **command) -> dict:
    listener = make_slash_command(world.answerer())
    listener(ack=world.ack, command={"command": "/troubleshoot", "text": text, "user_id": "U123",
                                     "channel_id": "C42", "response_url": "http://127.0.0.1:9/response/1",
                                     **command})
    assert len(world.ack.calls) == 1
    return world.ack.last


def test_a_paste_is_answered_privately_with_the_diagnosis_and_buttons(world):
    ack = run(world, QUOTA)
    assert ack["response_type"] == "ephemeral"
    assert ack["text"].startswith("Likely match: ERR_1100")
    body = texts(ack["blocks"])
    assert "`ERR_1100`" in body
    assert "az ml online-deployment" in body and "fraud-ep" in body  # commands filled from the paste
    row = buttons(ack["blocks"])
    # "More" (action other_matches) opens the summary and the other causes left out of this message.
    assert set(row) == {"share_diagnosis", "other_matches", "feedback_solved", "feedback_wrong"}
    recorded = world.service.diagnosed[0]
    assert (recorded["surface"], recorded["user_id"], recorded["channel_id"]) == ("slash", "U123", "C42")
    for button in row.values():
        assert json.loads(button["value"]) == {"d": recorded["id"], "lang": "en"}
    assert [b.get("block_id") for b in ack["blocks"] if b["type"] == "actions"] == [
        f"diagnosis_actions:{recorded['id']}", f"feedback:{recorded['id']}"]


def test_other_matches_is_offered_when_there_are_runner_ups(world):
    ack = run(world, "https://x.westeurope.inference.ml.azure.com/score answered HTTP 429")
    assert set(buttons(ack["blocks"])) == {"share_diagnosis", "other_matches", "feedback_solved", "feedback_wrong"}


def test_empty_text_and_help_show_the_usage(world):
    for text in ("", "help"):
        ack = run(World.build(world.service.index, world.service.renderer), text)
        assert ack["response_type"] == "ephemeral"
        body = texts(ack["blocks"])
        assert "/troubleshoot &lt;paste&gt;" in body and "/troubleshoot list" in body
    assert not world.service.diagnosed


def test_help_names_the_configured_command(world):
    listener = make_slash_command(world.answerer(command="/tsg"))
    listener(ack=world.ack, command={"text": "help", "user_id": "U1", "channel_id": "C1"})
    assert "`/tsg list`" in texts(world.ack.last["blocks"])


def test_german_switch(world):
    ack = run(world, "de " + QUOTA)
    assert ack["text"].startswith("Wahrscheinlicher Treffer: ERR_1100")
    assert "Wahrscheinlichste Ursache" in texts(ack["blocks"])
    row = buttons(ack["blocks"])
    assert row["share_diagnosis"]["text"]["text"] == "Im Kanal teilen"
    assert json.loads(row["feedback_wrong"]["value"])["lang"] == "de"
    assert world.service.diagnosed[0]["lang"] == "de"
    assert "So nutzt du tsgbot" in texts(run(World.build(world.service.index, world.service.renderer),
                                            "hilfe")["blocks"])


def test_list_shows_the_entries_by_kind(world):
    ack = run(world, "list")
    body = texts(ack["blocks"])
    assert ack["text"] == "Knowledge base: 18 entries"
    for heading in ("*How-to* (2)", "*Deployment errors* (6)", "*Scoring status codes* (10)"):
        assert heading in body
    assert "`ERR_1200`" in body and "`HTTP_429_RATE_LIMIT`" in body
    assert body.index("Deployment errors") < body.index("`ERR_1200`") < body.index("Scoring status codes")


def test_a_bare_code_is_looked_up_not_diagnosed(world):
    ack = run(world, "ERR_1200")
    assert ack["response_type"] == "ephemeral"
    assert ack["blocks"][0]["type"] == "header" and "ERR_1200" in ack["blocks"][0]["text"]["text"]
    assert "`ERR_1200`" in texts(ack["blocks"])
    assert not world.service.diagnosed and not buttons(ack["blocks"])


def test_a_bare_status_finds_every_entry_for_it(world):
    ack = run(world, "429")
    body = texts(ack["blocks"])
    assert "2 entries for `429`" in body
    assert "`HTTP_429_RATE_LIMIT`" in body and "`HTTP_429_TOO_MANY_PENDING`" in body
    assert ack["text"].count("HTTP_429") == 2


def test_a_code_names_its_entry_and_an_unknown_word_is_diagnosed(world):
    assert "ERR_1200" in run(world, "ImagePullFailed")["text"]  # a code of ERR_1200: looked up
    assert not world.service.diagnosed
    ack = run(World.build(world.service.index, world.service.renderer), "hello")
    assert ack["text"].startswith("No match")


def test_a_huge_paste_stays_within_slack_limits_and_says_it_was_cut(world):
    paste = ("INFO model server warming up, nothing to see here\n" * 50_000) + QUOTA
    ack = run(world, paste)
    assert len(ack["blocks"]) <= MAX_BLOCKS
    for block in ack["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION
    assert "ERR_1100" in ack["text"]
    assert "dropped" in texts(ack["blocks"])  # the engine's note about the cut
    assert len(ack["text"]) <= MAX_SECTION
