"""A thread's earlier messages, so a later mention re-diagnoses with what was pasted before."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.engine.redact import redact
from bot.slack.errors import call
from bot.slack.ports import Metrics
from bot.slack.text import message_text

MAX_CONTEXT_CHARS = 200_000
PAGE = 200
MAX_PAGES = 5


@dataclass(frozen=True)
class ThreadContext:
    text: str = ""  # the earlier human messages, oldest first, joined by blank lines
    count: int = 0  # how many messages it holds
    cut: bool = False  # True when older messages were left out to stay within MAX_CONTEXT_CHARS


def is_from_bot(message: Mapping, bot_user_id: str | None) -> bool:
    return bool(message.get("bot_id") or message.get("subtype") == "bot_message"
                or (bot_user_id and message.get("user") == bot_user_id))


def thread_context(client: Any, metrics: Metrics, *, channel: str, thread_ts: str, before_ts: str,
                   bot_user_id: str | None, logger: Any = None,
                   max_chars: int = MAX_CONTEXT_CHARS) -> ThreadContext:
    """The thread's human messages older than `before_ts`, the most recent kept when they are too many.

    A failure (missing scope, thread gone) only loses the context, never the answer.
    """
    messages: list[Mapping] = []
    cursor = None
    try:
        for _ in range(MAX_PAGES):
            kwargs = {"channel": channel, "ts": thread_ts, "limit": PAGE}
            if cursor:
                kwargs["cursor"] = cursor
            page = call(metrics, client.conversations_replies, **kwargs)
            messages.extend(m for m in (page.get("messages") or ()) if isinstance(m, Mapping))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor or not page.get("has_more", True):
                break
    except SlackApiError as exc:
        if logger is not None:
            logger.warning("thread context of %s/%s unavailable: %s", channel, thread_ts, exc)
        return ThreadContext()
    earlier = sorted((m for m in messages if _ts(m) < _ts({"ts": before_ts}) and not is_from_bot(m, bot_user_id)),
                     key=_ts)
    # Secrets out as the earlier messages enter: the context is diagnosed, stored and may be echoed.
    texts = [redact(t) for t in (message_text(m, bot_user_id=bot_user_id) for m in earlier) if t]
    kept: list[str] = []
    total = 0
    for text in reversed(texts):  # most recent first, so the cap drops the oldest
        if total + len(text) > max_chars:
            if not kept:
                kept.append(text[-max_chars:])
            return ThreadContext("\n\n".join(reversed(kept)), len(kept), True)
        kept.append(text)
        total += len(text) + 2
    return ThreadContext("\n\n".join(reversed(kept)), len(kept), False)


def _ts(message: Mapping) -> float:
    try:
        return float(message.get("ts") or 0)
    except (TypeError, ValueError):
        return 0.0
