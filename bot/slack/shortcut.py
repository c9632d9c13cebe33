"""The message shortcut "Diagnose this": the diagnosis of someone's message as a reply in its thread,
or privately to the person who asked when the bot is not in that channel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.slack.answers import Answerer
from bot.slack.background import INLINE, Background
from bot.slack.errors import api_error_code, call, send
from bot.slack.events import bot_user_id
from bot.slack.files import Downloader, read_files
from bot.slack.text import message_text

CALLBACK_ID = "diagnose_message"
# Where the bot may not post: answer the asker privately through the response_url instead.
PRIVATE_FALLBACK = frozenset(("not_in_channel", "channel_not_found", "is_archived", "restricted_action"))


def make_message_shortcut(answers: Answerer, *, download: Downloader | None = None,
                          background: Background = INLINE) -> Callable[..., None]:
    metrics = answers.metrics

    def diagnose_message(ack, shortcut, body, client, context, respond, logger) -> None:
        ack()
        background.run(lambda: answer_shortcut(shortcut, body, client, context, respond, logger), body=body,
                       client=client, logger=logger, respond=respond, context=context)

    def answer_shortcut(shortcut: dict, body: dict, client: Any, context: Mapping, respond: Any, logger: Any) -> None:
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id")
        user = (shortcut.get("user") or {}).get("id")
        own_id = bot_user_id(context, body)
        files = read_files(message.get("files") or (), client=client, metrics=metrics, download=download)
        answer = answers.answer(message_text(message, bot_user_id=own_id), surface="shortcut", user_id=user,
                                channel_id=channel, commands=False, attachments=files.texts, notes=files.notes,
                                share=False, asked_by=user)
        if answer.recorded is None:
            # Nothing to diagnose (an image, an empty message): the how-to is for the asker only.
            send(respond, metrics, logger, response_type="ephemeral", replace_original=False,
                 text=answer.reply.text, blocks=answer.reply.blocks)
            return
        thread_ts = message.get("thread_ts") or message.get("ts") or shortcut.get("message_ts")
        try:
            call(metrics, client.chat_postMessage, channel=channel, thread_ts=thread_ts, text=answer.reply.text,
                 blocks=answer.reply.blocks, unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            if api_error_code(exc) not in PRIVATE_FALLBACK:
                raise
            logger.info("cannot post in %s (%s): answering privately", channel, api_error_code(exc))
            private = answers.renderer.with_note(answer.reply, "private_fallback", answer.lang)
            send(respond, metrics, logger, response_type="ephemeral", replace_original=False, text=private.text,
                 blocks=private.blocks)

    return diagnose_message
