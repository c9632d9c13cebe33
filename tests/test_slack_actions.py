"""The buttons: share in channel, other matches, and feedback (solved / wrong match / the right entry)."""

from __future__ import annotations

import json

import pytest

from bot.replies.render import MAX_BLOCKS
from bot.slack.actions import make_action_listeners
from tests.slack_fakes import World, buttons, texts

RATE = "https://x.westeurope.inference.ml.azure.com/score answered HTTP 429"  # a close call with a runner-up
QUOTA = "ERROR: (OutOfQuota) Not enough quota available for Standard_DS3_v2. az ml online-deployment create -e fraud-ep"


@pytest.fixture
def world(shipped_index, renderer) -> World:
    return World.build(shipped_index, renderer)


def diagnosed(world: World, paste: str, *, lang: str | None = None, share: bool = True) -> tuple[int, list[dict]]:
    """A diagnosis as the slash command shows it: (id, blocks)."""
    recorded = world.service.diagnose(paste, surface="slash", user_id="U123", channel_id="C42", lang=lang)
    reply = world.service.renderer.slack(recorded.diagnosis, lang, diagnosis_id=recorded.diagnosis_id, share=share)
    return recorded.diagnosis_id, reply.blocks


def click(world: World, action_id: str, blocks: list[dict], *, user: str = "U777", ephemeral: bool = True,
          action: dict | None = None) -> None:
    """Click a button of `blocks` (or send `action`), as Slack's block_actions payload."""
    action = action or {**buttons(blocks)[action_id], "block_id": next(
        b["block_id"] for b in blocks if action_id in {e.get("action_id") for e in b.get("elements", ())})}
    body = {"type": "block_actions", "user": {"id": user}, "channel": {"id": "C42"},
            "response_url": "http://127.0.0.1:9/response/3", "actions": [action],
            "container": {"type": "message", "channel_id": "C42", "is_ephemeral": ephemeral}}
    if not ephemeral:  # Slack sends the message back only when it is not ephemeral
        body["message"] = {"ts": "1.0", "text": "the diagnosis", "blocks": blocks}
    make_action_listeners(world.service, world.metrics)[action["action_id"]](
        ack=world.ack, body=body, action=action, respond=world.respond, client=world.client,
        logger=world.logger)
    assert world.ack.calls


def test_share_posts_the_diagnosis_in_the_channel_crediting_the_sharer(world):
    diagnosis_id, blocks = diagnosed(world, QUOTA)
    click(world, "share_diagnosis", blocks, user="U777")
    [shared] = world.respond.calls
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    assert shared["text"].startswith("Likely match: ERR_1100")
    assert shared["blocks"][0]["elements"][0]["text"] == "Shared by <@U777>"
    assert "`ERR_1100`" in texts(shared["blocks"])
    row = buttons(shared["blocks"])
    assert "share_diagnosis" not in row and {"feedback_solved", "feedback_wrong"} <= set(row)
    assert json.loads(row["feedback_solved"]["value"]) == {"d": diagnosis_id, "lang": "en"}


def test_share_keeps_the_language_of_the_button(world):
    _, blocks = diagnosed(world, QUOTA, lang="de")
    click(world, "share_diagnosis", blocks)
    assert world.respond.last["blocks"][0]["elements"][0]["text"] == "Geteilt von <@U777>"
    assert world.respond.last["text"].startswith("Wahrscheinlicher Treffer")


def test_more_shows_the_summary_other_causes_and_runner_ups_privately(world):
    _, blocks = diagnosed(world, RATE)
    assert buttons(blocks)["other_matches"]["text"]["text"] == "More"
    click(world, "other_matches", blocks)
    [more] = world.respond.calls
    assert more["response_type"] == "ephemeral" and more["replace_original"] is False
    body = texts(more["blocks"])
    top = world.service.diagnosed[0]["diagnosis"].top
    assert body.startswith(f"More: {top.entry.title.en}")
    assert top.entry.summary.en[:60] in body
    assert all(cause.title.en in body for cause in top.causes[1:4])  # left out of the first message
    # the close call is between the two 429 entries: the runner-up is among the candidates
    runner_up = ({"HTTP_429_TOO_MANY_PENDING", "HTTP_429_RATE_LIMIT"} - {top.entry.id}).pop()
    assert f"`{runner_up}`" in body, body


def test_a_forgotten_diagnosis_is_said_so(world):
    action = {"action_id": "share_diagnosis", "block_id": "diagnosis_actions:99", "value": '{"d":99,"lang":"en"}'}
    click(world, "share_diagnosis", [], action=action)
    assert "no longer available" in world.respond.last["text"]
    assert world.respond.last["response_type"] == "ephemeral"


@pytest.mark.parametrize("ephemeral", [True, False], ids=["ephemeral", "in-channel"])
def test_solved_is_recorded_and_the_message_thanks_the_person(world, ephemeral):
    diagnosis_id, blocks = diagnosed(world, QUOTA, share=ephemeral)
    click(world, "feedback_solved", blocks, ephemeral=ephemeral)
    assert world.service.feedback == [{"diagnosis_id": diagnosis_id, "user_id": "U777", "verdict": "solved",
                                       "correct_entry_id": None}]
    [update] = world.respond.calls
    assert update["replace_original"] is True
    assert "Thanks <@U777>, glad it helped" in texts(update["blocks"])
    assert "`ERR_1100`" in texts(update["blocks"])  # the diagnosis stays
    assert "feedback_solved" not in buttons(update["blocks"])
    assert update["text"]


@pytest.mark.parametrize("ephemeral", [True, False], ids=["ephemeral", "in-channel"])
def test_wrong_match_asks_for_the_right_entry_and_records_it(world, ephemeral):
    diagnosis_id, blocks = diagnosed(world, QUOTA)
    click(world, "feedback_wrong", blocks, ephemeral=ephemeral)
    assert world.service.feedback[0]["verdict"] == "wrong_match"
    update = world.respond.last
    assert update["replace_original"] is True
    [pick] = [b for b in update["blocks"] if b.get("block_id") == f"feedback_pick:{diagnosis_id}"]
    select = pick["accessory"]
    assert select["type"] == "static_select" and select["action_id"] == "feedback_pick_entry"
    assert {o["value"] for o in select["options"]} == {e.id for e in world.service.entries()}
    assert "Which entry would have been right?" in pick["text"]["text"]
    assert "feedback_wrong" not in buttons(update["blocks"])

    chosen = next(o for o in select["options"] if o["value"] == "ERR_5000")
    action = {"type": "static_select", "action_id": "feedback_pick_entry", "block_id": pick["block_id"],
              "selected_option": chosen}
    click(world, "feedback_pick_entry", update["blocks"], action=action, ephemeral=ephemeral)
    assert world.service.feedback[-1] == {"diagnosis_id": diagnosis_id, "user_id": "U777",
                                          "verdict": "wrong_match", "correct_entry_id": "ERR_5000"}
    final = world.respond.last
    assert final["replace_original"] is True
    body = texts(final["blocks"])
    assert "noted: `ERR_5000`" in body and "`ERR_1100`" in body
    assert not any(b.get("block_id", "").startswith("feedback_pick:") for b in final["blocks"])
    assert len(final["blocks"]) <= MAX_BLOCKS


def test_feedback_thanks_in_german(world):
    _, blocks = diagnosed(world, QUOTA, lang="de")
    click(world, "feedback_wrong", blocks, ephemeral=False)
    assert "Danke <@U777>, als falscher Treffer vermerkt" in texts(world.respond.last["blocks"])
    pick = next(b for b in world.respond.last["blocks"] if b.get("block_id", "").startswith("feedback_pick:"))
    action = {"action_id": "feedback_pick_entry", "block_id": pick["block_id"],
              "selected_option": {"value": "ERR_1200"}}
    click(world, "feedback_pick_entry", world.respond.last["blocks"], action=action, ephemeral=False)
    assert "Danke <@U777>, vermerkt: `ERR_1200`" in texts(world.respond.last["blocks"])


def test_a_malformed_button_value_fails_loudly(world):
    action = {"action_id": "feedback_solved", "block_id": "feedback:1", "value": "not json"}
    with pytest.raises(ValueError):
        click(world, "feedback_solved", [], action=action)
    assert not world.service.feedback


# -- reviewing feedback (maintainers) -------------------------------------------------------------------


def review_blocks(world: World, user: str, maintainers: frozenset[str]) -> list[dict]:
    from bot.slack.answers import Answerer

    return Answerer(world.service, world.metrics, maintainers=maintainers).review(user, "en").blocks


def review_click(world: World, action_id: str, blocks: list[dict], *, user: str, maintainers: frozenset[str]) -> None:
    from bot.slack.answers import Answerer

    [action] = [{**e, "block_id": b["block_id"]} for b in blocks for e in b.get("elements", ())
                if e.get("action_id") == action_id][:1]
    body = {"type": "block_actions", "user": {"id": user}, "response_url": "http://127.0.0.1:9/response/4",
            "actions": [action], "container": {"type": "message", "is_ephemeral": True}}
    answers = Answerer(world.service, world.metrics, maintainers=maintainers)
    make_action_listeners(world.service, world.metrics, answers=answers)[action_id](
        ack=world.ack, body=body, action=action, respond=world.respond, client=world.client, logger=world.logger)


def test_only_maintainers_see_the_review_and_only_their_clicks_count(world):
    diagnosis_id, _ = diagnosed(world, QUOTA)
    world.service.record_feedback(diagnosis_id=diagnosis_id, user_id="U1", verdict="wrong_match",
                                  correct_entry_id="ERR_2200")
    assert "Only the knowledge base's maintainers" in texts(review_blocks(world, "U1", frozenset({"UM"})))
    blocks = review_blocks(world, "UM", frozenset({"UM"}))
    seen = texts(blocks)
    assert "`ERR_2200`" in seen and "answered today: `ERR_1100`" in seen and "<@U1>" in seen
    assert json.loads(buttons(blocks)["feedback_accept"]["value"]) == {"c": 1, "lang": "en"}

    review_click(world, "feedback_accept", blocks, user="U1", maintainers=frozenset({"UM"}))
    assert world.service.decided == {}
    assert "Only the knowledge base's maintainers" in texts(world.respond.last["blocks"])
    assert world.respond.last["replace_original"] is False

    review_click(world, "feedback_accept", blocks, user="UM", maintainers=frozenset({"UM"}))
    assert world.service.decided == {1: ("accepted", "UM")}
    done = world.respond.last
    assert done["replace_original"] is True
    assert "Accepted #1: pastes like it now land on `ERR_2200`" in texts(done["blocks"])


def test_the_review_says_plainly_when_an_entry_is_gone_or_nothing_waits(world, renderer):
    from bot.slack.ports import ReviewOutcome

    reply = renderer.slack_review([], 0, "de", outcomes=[ReviewOutcome(7, "refused", "entry_gone", "OLD_1"),
                                                         ReviewOutcome(8, "unchanged", "already", "X", "rejected")])
    seen = texts(reply.blocks)
    assert "den Eintrag `OLD_1` gibt es" in seen and "#8 war schon abgelehnt" in seen
    assert "Nichts zu prüfen" in seen and not buttons(reply.blocks)
