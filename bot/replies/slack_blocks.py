"""Block Kit primitives shared by every Slack reply: escaping, clipping, Slack's limits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

MAX_BLOCKS = 50
MAX_SECTION = 3000


def mrkdwn(text: object) -> str:
    """Slack's escaping: only & < > (full HTML escaping would show &#39; in Slack)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: object, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class SlackReply:
    text: str
    blocks: list[dict]


def button_value(diagnosis_id: int, lang: str) -> str:
    """What every diagnosis button carries: `{"d": <diagnosis id>, "lang": "en"|"de"}`."""
    return json.dumps({"d": diagnosis_id, "lang": lang}, separators=(",", ":"))


def note_text(t: dict[str, str], key: str, values: dict) -> str:
    return t[key].format(**{name: mrkdwn(value) for name, value in values.items()})


def context_block(text: str, *, block_id: str | None = None) -> dict:
    block = {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_SECTION)}]}
    if block_id:
        block["block_id"] = block_id
    return block


def limit_blocks(blocks: list[dict], budget: int) -> list[dict]:
    """At most `budget` blocks, keeping the last one (a note or the actions row)."""
    if len(blocks) <= budget:
        return blocks
    if budget <= 0:
        return []
    return blocks[: budget - 1] + blocks[-1:]


def slack_date(when: datetime) -> str:
    """A date Slack shows in the reader's time zone, with a UTC fallback."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    fallback = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def fit_block(block: dict) -> dict:
    """Cut any text of a block to Slack's per-field limits."""
    text = block.get("text")
    if isinstance(text, dict) and "text" in text:
        limit = 150 if block.get("type") == "header" else MAX_SECTION
        text["text"] = clip(text["text"], limit)
    for element in block.get("elements", ()):
        if isinstance(element, dict) and "text" in element and isinstance(element["text"], str):
            element["text"] = clip(element["text"], MAX_SECTION)
    return block
