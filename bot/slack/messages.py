"""Mentions and direct messages: with the thread's earlier messages and attached text files as part of
the paste. A mention is answered in its thread; a direct message inline, as the next message of the
conversation (a thread there hides the answer behind "1 reply"), unless it was sent in a thread."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.slack.answers import Answerer
from bot.slack.background import INLINE, Background
from bot.slack.errors import call
from bot.slack.events import bot_user_id, first_delivery, ignored
from bot.slack.files import Downloader, read_files
from bot.slack.text import clean
from bot.slack.thread import MAX_CONTEXT_CHARS, thread_context

Listener = Callable[..., None]


def make_message_listeners(answers: Answerer, *, download: Downloader | None = None,
                           max_context_chars: int = MAX_CONTEXT_CHARS,
                           background: Background = INLINE) -> tuple[Listener, Listener]:
    """(app_mention listener, message listener); the latter answers direct messages only."""
    service, metrics = answers.service, answers.metrics

    def reply_to(event: Mapping, body: Mapping, client: Any, context: Mapping, logger: Any, surface: str) -> None:
        own_id = bot_user_id(context, body)
        reason = ignored(event, own_user_id=own_id)
        if reason:
            logger.debug("ignored %s event: %s", event.get("type"), reason)
            return
        background.run(lambda: answer_event(event, body, client, logger, surface, own_id), body=body, client=client,
                       logger=logger, context=context)

    def answer_event(event: Mapping, body: Mapping, client: Any, logger: Any, surface: str, own_id: str | None) -> None:
        if not first_delivery(body, service, metrics):
            logger.info("dropped a repeated delivery of event %s", body.get("event_id"))
            return
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts")
        notes: list = []
        earlier = ""
        if thread_ts and thread_ts != ts:
            found = thread_context(client, metrics, channel=channel, thread_ts=thread_ts, before_ts=ts,
                                   bot_user_id=own_id, logger=logger, max_chars=max_context_chars)
            earlier = found.text
            if found.count:
                notes.append(("context_used", {"count": found.count}))
            if found.cut:
                size = f"{max_context_chars // 1000} KB" if max_context_chars >= 1000 else f"{max_context_chars} chars"
                notes.append(("context_cut", {"size": size}))
        files = read_files(event.get("files") or (), client=client, metrics=metrics, download=download)
        answer = answers.answer(clean(event.get("text") or "", bot_user_id=own_id), surface=surface,
                                user_id=event.get("user"), channel_id=channel, context=earlier,
                                attachments=files.texts, notes=notes + files.notes, share=False)
        reply_thread = thread_ts if surface == "dm" else thread_ts or ts
        call(metrics, client.chat_postMessage, channel=channel, thread_ts=reply_thread, text=answer.reply.text,
             blocks=answer.reply.blocks, unfurl_links=False, unfurl_media=False)

    def app_mention(body, event, client, context, logger) -> None:
        reply_to(event, body, client, context, logger, "mention")

    def direct_message(body, event, client, context, logger) -> None:
        # Channel messages that mention the bot arrive as app_mention; only DMs are answered here.
        if event.get("channel_type") != "im":
            return
        reply_to(event, body, client, context, logger, "dm")

    return app_mention, direct_message
