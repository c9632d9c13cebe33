"""Slack message text -> the paste a person meant: mentions, links and escaping undone, code fences unwrapped.

Slack sends `&`, `<`, `>` escaped and wraps links, users and channels in `<...>`; the engine must see
what was pasted (`https://ep.westeurope.inference.ml.azure.com/score`, not `<https://...|...>`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([^>|]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>|]*)(?:\|([^>]*))?>")
_FENCE = re.compile(r"```")


def clean(text: str, *, bot_user_id: str | None = None) -> str:
    """The text as the person typed it: the bot's own mention removed, Slack's markup undone."""
    if not text:
        return ""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _USER.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(lambda m: "@" + (m.group(2) or m.group(1).split("^")[0]), text)
    # The target, not the label: for pasted URLs Slack's label is the same URL, shortened or not.
    text = _LINK.sub(lambda m: m.group(2) if m.group(1).startswith("mailto:") and m.group(2) else m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return unwrap_code(text).strip()


def unwrap_code(text: str) -> str:
    """Code fences removed, their content kept on lines of its own (```log``` -> log)."""
    return _FENCE.sub("\n", text) if "```" in text else text


def message_text(message: Mapping, *, bot_user_id: str | None = None) -> str:
    """All readable text of a message: its text and, for bot and alert messages, its attachments."""
    parts = [clean(message.get("text") or "", bot_user_id=bot_user_id)]
    for attachment in message.get("attachments") or ():
        if isinstance(attachment, Mapping):
            for key in ("pretext", "title", "text"):
                if attachment.get(key):
                    parts.append(clean(str(attachment[key]), bot_user_id=bot_user_id))
            for field in attachment.get("fields") or ():
                if isinstance(field, Mapping):
                    parts.append(clean(f"{field.get('title', '')}: {field.get('value', '')}",
                                       bot_user_id=bot_user_id))
    if not parts[0]:
        parts.extend(clean(t, bot_user_id=bot_user_id) for t in _section_texts(message.get("blocks") or ()))
    return "\n".join(part for part in parts if part)


def _section_texts(blocks: Iterable) -> list[str]:
    """Texts of section and context blocks (messages posted by apps may carry no `text`)."""
    texts = []
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        text = block.get("text")
        if isinstance(text, Mapping) and text.get("text"):
            texts.append(str(text["text"]))
        for element in block.get("elements") or ():
            if isinstance(element, Mapping) and isinstance(element.get("text"), str):
                texts.append(element["text"])
    return texts
