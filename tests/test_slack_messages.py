"""Mentions and direct messages: a thread reply; thread context, attached files; bots, edits and retries ignored."""

from __future__ import annotations

import pytest

from bot.replies.render import MAX_BLOCKS, MAX_SECTION
from bot.slack.messages import make_message_listeners
from tests.slack_fakes import BOT_USER, World, buttons, event_body, texts

QUOTA = "ERROR: (OutOfQuota) Not enough quota available for Standard_DS3_v2. az ml online-deployment create -e fraud-ep"
PULL = "ImagePullFailed: failed to pull image myacr.azurecr.io/model:1 for deployment blue of endpoint fraud-ep"


@pytest.fixture
def world(shipped_index, renderer) -> World:
    return World.build(shipped_index, renderer)


def mention(world: World, text: str, *, event_id: str = "Ev1", max_context_chars: int = 200_000, **extra) -> None:
    listener, _ = make_message_listeners(world.answerer(), download=world.download,
                                         max_context_chars=max_context_chars)
    event = {"type": "app_mention", "user": "U123", "text": text, "ts": "1700000100.000200", "channel": "C42",
             **extra}
    listener(body=event_body(event, event_id), event=event, client=world.client, context=world.context,
             logger=world.logger)


def dm(world: World, event: dict, *, event_id: str = "Ev9") -> None:
    _, listener = make_message_listeners(world.answerer(), download=world.download)
    listener(body=event_body(event, event_id), event=event, client=world.client, context=world.context,
             logger=world.logger)


def test_a_mention_with_a_log_gets_the_diagnosis_in_its_thread(world):
    mention(world, f"<@{BOT_USER}> what is this?\n```{QUOTA}```")
    [post] = world.client.posted
    assert (post["channel"], post["thread_ts"]) == ("C42", "1700000100.000200")
    assert post["text"].startswith("Likely match: ERR_1100")
    assert "`ERR_1100`" in texts(post["blocks"])
    # already public: no share; "More" opens the rest
    assert set(buttons(post["blocks"])) == {"other_matches", "feedback_solved", "feedback_wrong"}
    diagnosed = world.service.diagnosed[0]
    assert BOT_USER not in diagnosed["text"] and "```" not in diagnosed["text"]
    assert (diagnosed["surface"], diagnosed["user_id"], diagnosed["channel_id"]) == ("mention", "U123", "C42")


def test_a_bare_mention_gets_the_help(world):
    mention(world, f"<@{BOT_USER}>")
    [post] = world.client.posted
    assert post["text"] == "How to use tsgbot"
    assert not world.service.diagnosed


def test_a_later_mention_in_a_thread_diagnoses_with_the_earlier_messages(world):
    world.client.replies = [
        {"type": "message", "user": "U555", "text": PULL, "ts": "1700000000.000100", "thread_ts": "1700000000.000100"},
        {"type": "message", "bot_id": "BBOT", "user": BOT_USER, "text": "Likely match: something",
         "ts": "1700000050.000100", "thread_ts": "1700000000.000100"},
        {"type": "message", "user": "U555", "text": "also this:\n```image pull back-off for blue```",
         "ts": "1700000060.000100", "thread_ts": "1700000000.000100"},
        {"type": "message", "user": "U123", "text": f"<@{BOT_USER}> and now?", "ts": "1700000100.000200",
         "thread_ts": "1700000000.000100"},
        {"type": "message", "user": "U999", "text": "a later message", "ts": "1700000200.000100",
         "thread_ts": "1700000000.000100"},
    ]
    mention(world, f"<@{BOT_USER}> and now?", thread_ts="1700000000.000100")
    [replies_call] = world.client.called("conversations.replies")
    assert (replies_call["channel"], replies_call["ts"]) == ("C42", "1700000000.000100")
    [post] = world.client.posted
    assert post["thread_ts"] == "1700000000.000100"
    assert "ERR_1200" in post["text"]
    text = world.service.diagnosed[0]["text"]
    assert text.index("ImagePullFailed") < text.index("image pull back-off") < text.index("and now?")
    assert "Likely match: something" not in text and "a later message" not in text
    assert "2 earlier message(s)" in texts(post["blocks"])


def test_thread_context_is_capped_keeping_the_most_recent(world):
    world.client.replies = [{"user": "U1", "text": "old " * 40, "ts": "1.0"},
                            {"user": "U1", "text": PULL, "ts": "2.0"}]
    mention(world, f"<@{BOT_USER}>", thread_ts="1.0", max_context_chars=len(PULL) + 10)
    assert "old" not in world.service.diagnosed[0]["text"]
    assert "ImagePullFailed" in world.service.diagnosed[0]["text"]
    assert "cut to the most recent" in texts(world.client.posted[0]["blocks"])


def test_a_thread_that_cannot_be_read_still_gets_an_answer(world):
    world.client.fail["conversations.replies"] = "missing_scope"
    mention(world, f"<@{BOT_USER}> {QUOTA}", thread_ts="1700000000.000100")
    assert "ERR_1100" in world.client.posted[0]["text"]
    assert ("conversations.replies", "missing_scope") in world.metrics.api_errors


def test_an_attached_snippet_is_fetched_with_the_bot_token_and_diagnosed(world):
    url = "https://files.slack.com/files-pri/T1-F1/download/deploy.log"
    world.client.files["F1"] = {"id": "F1", "name": "deploy.log", "mimetype": "text/plain", "filetype": "text",
                                "mode": "snippet", "size": len(PULL), "url_private_download": url}
    world.download.files[url] = PULL.encode()
    mention(world, f"<@{BOT_USER}> see the log", files=[{"id": "F1"}])
    assert world.client.called("files.info") == [{"file": "F1"}]
    assert world.download.calls[0]["url"] == url
    assert world.download.calls[0]["token"] == "xoxb-test-token"
    assert world.download.calls[0]["max_bytes"] == 1_048_576
    assert "ERR_1200" in world.client.posted[0]["text"]
    assert "see the log" in world.service.diagnosed[0]["text"]


def test_files_that_cannot_be_read_are_named_in_the_reply(world):
    world.client.files["F2"] = {"id": "F2", "name": "screen.png", "mimetype": "image/png", "filetype": "png",
                                "url_private": "https://files.slack.com/x.png"}
    world.client.files["F3"] = {"id": "F3", "name": "gone.log", "mimetype": "text/plain", "filetype": "text",
                                "url_private_download": "https://files.slack.com/gone.log"}
    world.client.files["F4"] = {"id": "F4", "name": "evil.log", "mimetype": "text/plain",
                                "url_private_download": "https://attacker.example/steal"}
    mention(world, f"<@{BOT_USER}> {QUOTA}", files=[{"id": "F2"}, {"id": "F3"}, {"id": "F4"}])
    body = texts(world.client.posted[0]["blocks"])
    assert "`screen.png` is not a text file" in body
    assert "I could not read `gone.log`: HTTP Error 404" in body
    assert "I could not read `evil.log`: not a Slack URL" in body
    assert [c["url"] for c in world.download.calls] == ["https://files.slack.com/gone.log"]
    assert "ERR_1100" in world.client.posted[0]["text"]


def test_a_file_known_only_from_the_event_is_still_read(world):
    url = "http://127.0.0.1:9/files/F5/deploy.log"  # the Web API host the client points at
    world.download.files[url] = PULL.encode()
    mention(world, f"<@{BOT_USER}>", files=[{"id": "F5", "name": "deploy.log", "filetype": "log",
                                              "url_private_download": url}])
    assert ("files.info", "file_not_found") in world.metrics.api_errors
    assert "ERR_1200" in world.client.posted[0]["text"]


def test_a_huge_attachment_is_cut_and_the_reply_stays_within_limits(world):
    url = "https://files.slack.com/big.log"
    world.client.files["F6"] = {"id": "F6", "name": "big.log", "mimetype": "text/plain", "filetype": "text",
                                "url_private_download": url}
    world.download.files[url] = (PULL + "\n" + "x" * 80 + "\n") * 40_000
    world.download.files[url] = world.download.files[url].encode()
    mention(world, f"<@{BOT_USER}>", files=[{"id": "F6"}])
    [post] = world.client.posted
    assert len(post["blocks"]) <= MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= MAX_SECTION for b in post["blocks"] if b["type"] == "section")
    assert "Only the first 1 MiB of `big.log` were read." in texts(post["blocks"])
    assert "ERR_1200" in post["text"]


@pytest.mark.parametrize("event", [
    {"bot_id": "B999", "user": "U888", "text": "ERR_1200"},  # another bot
    {"subtype": "bot_message", "text": "ERR_1200"},
    {"user": BOT_USER, "text": "ERR_1200"},  # ourselves
    {"subtype": "message_changed", "message": {"user": "U1", "text": "ERR_1200"}},
    {"subtype": "channel_join", "user": "U1", "text": "<@U1> has joined"},
], ids=["bot", "bot_message", "self", "edited", "join"])
def test_bots_ourselves_and_system_messages_are_never_answered(world, event):
    mention(world, event.get("text", ""), **{"user": None, **{k: v for k, v in event.items() if k != "text"}})
    dm(world, {"type": "message", "channel_type": "im", "channel": "D1", "ts": "1.0", **event})
    assert not world.client.calls and not world.service.diagnosed and not world.service.seen


def test_a_retried_event_is_answered_once(world):
    mention(world, f"<@{BOT_USER}> {QUOTA}", event_id="EvSame")
    mention(world, f"<@{BOT_USER}> {QUOTA}", event_id="EvSame")
    assert len(world.client.posted) == 1
    assert world.metrics.duplicates == 1


def test_a_direct_message_is_answered_inline_without_a_mention(world):
    dm(world, {"type": "message", "channel_type": "im", "channel": "D7", "user": "U123", "text": QUOTA,
               "ts": "1700000300.000100"})
    [post] = world.client.posted
    assert (post["channel"], post.get("thread_ts")) == ("D7", None)  # not hidden behind "1 reply"
    assert "ERR_1100" in post["text"]
    assert world.service.diagnosed[0]["surface"] == "dm"


def test_a_direct_message_sent_in_a_thread_is_answered_in_that_thread(world):
    dm(world, {"type": "message", "channel_type": "im", "channel": "D7", "user": "U123", "text": QUOTA,
               "ts": "1700000400.000100", "thread_ts": "1700000300.000100"})
    assert world.client.posted[-1]["thread_ts"] == "1700000300.000100"


def test_a_file_shared_in_a_dm_is_answered(world):
    url = "https://files.slack.com/deploy.log"
    world.client.files["F7"] = {"id": "F7", "name": "deploy.log", "filetype": "text", "mimetype": "text/plain",
                                "url_private_download": url}
    world.download.files[url] = PULL.encode()
    dm(world, {"type": "message", "subtype": "file_share", "channel_type": "im", "channel": "D7", "user": "U123",
               "text": "", "ts": "1.0", "files": [{"id": "F7"}]})
    assert "ERR_1200" in world.client.posted[0]["text"]


def test_channel_messages_are_left_to_app_mention(world):
    dm(world, {"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1", "text": QUOTA, "ts": "1.0"})
    assert not world.client.calls


def test_a_german_dm_is_answered_in_german(world):
    dm(world, {"type": "message", "channel_type": "im", "channel": "D7", "user": "U123", "ts": "1.0",
               "text": "Die Bereitstellung schlägt fehl: (OutOfQuota) Kontingent reicht nicht für Standard_DS3_v2"})
    post = world.client.posted[0]
    assert post["text"].startswith("Wahrscheinlicher Treffer: ERR_1100")
    assert buttons(post["blocks"])["feedback_solved"]["text"]["text"] == "Gelöst"


def test_feedback_review_is_never_posted_in_a_channel_thread(world):
    from bot.slack.answers import Answerer

    answers = Answerer(world.service, world.metrics, maintainers=frozenset({"UM"}))
    in_channel = answers.answer("feedback", surface="mention", user_id="UM", channel_id="C1")
    assert "reviewed privately" in texts(in_channel.reply.blocks)
    in_dm = answers.answer("feedback", surface="dm", user_id="UM", channel_id="D1")
    assert "Feedback to review: 0" in texts(in_dm.reply.blocks)
