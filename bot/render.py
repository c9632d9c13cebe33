"""Diagnosis -> reply: plain text for the terminal, Block Kit (with a text fallback) for Slack.

Handlers hand over data; the Jinja2 templates in bot/templates/ decide the wording and layout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.commands import fill
from bot.labels import labels
from bot.model import Diagnosis, Match

TEMPLATES = Path(__file__).parent / "templates"
MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_EVIDENCE = 4
MAX_STEPS = 6


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


class Renderer:
    """Renders diagnoses; build once and share (the Jinja2 environment caches templates)."""

    def __init__(self, *, guide_sources: dict[str, str] | None = None):
        self.guide_sources = guide_sources or {}
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.env.filters["mrkdwn"] = mrkdwn
        self.env.filters["clip"] = clip
        self.env.filters["tojson"] = lambda value: json.dumps(value, ensure_ascii=False)

    def view(self, diagnosis: Diagnosis, lang: str | None = None) -> dict:
        """The plain data every template receives."""
        lang = lang or diagnosis.extraction.language
        entities = diagnosis.extraction.entities
        statuses = [code for code, _ in diagnosis.extraction.status]
        return {
            "lang": lang,
            "t": labels(lang),
            "decision": "empty" if diagnosis.empty_input else diagnosis.decision,
            # A close call with nothing to compare against is a tentative answer, not a choice.
            "heading": ("possible" if diagnosis.decision == "close_call" and len(diagnosis.matches) == 1
                        else diagnosis.decision),
            "matches": [self._match_view(m, lang, entities) for m in diagnosis.matches],
            "entities": entities,
            "statuses": statuses,
            "notes": list(diagnosis.extraction.notes),
        }

    def _match_view(self, match: Match, lang: str, entities: dict[str, str]) -> dict:
        entry = match.entry
        causes = []
        for cause in match.causes:
            commands = []
            for command in cause.commands:
                run, missing = fill(command.template, entities)
                commands.append({"run": run, "missing": list(missing),
                                 "description": command.description.get(lang)})
            causes.append({
                "title": cause.title.get(lang),
                "explanation": cause.explanation.get(lang),
                "steps": [step.get(lang) for step in cause.steps[:MAX_STEPS]],
                "commands": commands,
            })
        source = self.guide_sources.get(entry.guide, "")
        return {
            "id": entry.id,
            "kind": entry.kind,
            "title": entry.title.get(lang),
            "summary": entry.summary.get(lang),
            "score": match.score,
            "percent": round(match.score * 100),
            "guide": entry.guide,
            "anchor": entry.anchor,
            "guide_url": f"{source}#{entry.anchor}" if source else "",
            "evidence": [
                {"signal": ev.signal, "text": clip(ev.text, 160), "line": ev.line}
                for ev in match.evidence[:MAX_EVIDENCE]
            ],
            "causes": causes,
            # Only the likely cause's commands are shown in full, so only theirs need filling in.
            "missing": sorted({name for cmd in causes[0]["commands"] for name in cmd["missing"]} if causes else ()),
        }

    def text(self, diagnosis: Diagnosis, lang: str | None = None) -> str:
        """Plain text for a terminal."""
        return self.env.get_template("text/diagnosis.txt.j2").render(self.view(diagnosis, lang)).strip() + "\n"

    def slack(self, diagnosis: Diagnosis, lang: str | None = None) -> SlackReply:
        """Block Kit blocks within Slack's limits, and the text fallback Slack shows in notifications."""
        view = self.view(diagnosis, lang)
        raw = self.env.get_template("slack/diagnosis.json.j2").render(view)
        blocks = [_fit(block) for block in json.loads(raw)]
        if len(blocks) > MAX_BLOCKS:
            blocks = blocks[: MAX_BLOCKS - 1] + [blocks[-1]]
        fallback = self.env.get_template("slack/fallback.txt.j2").render(view).strip()
        return SlackReply(text=clip(fallback, MAX_SECTION), blocks=blocks)


def _fit(block: dict) -> dict:
    """Cut any text of a block to Slack's per-field limits."""
    text = block.get("text")
    if isinstance(text, dict) and "text" in text:
        limit = 150 if block.get("type") == "header" else MAX_SECTION
        text["text"] = clip(text["text"], limit)
    for element in block.get("elements", ()):
        if isinstance(element, dict) and "text" in element and isinstance(element["text"], str):
            element["text"] = clip(element["text"], MAX_SECTION)
    return block
