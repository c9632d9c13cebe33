"""Diagnosis -> reply: plain text for the terminal, Block Kit (with a text fallback) for Slack.

Handlers hand over data; the Jinja2 templates in bot/templates/ decide the wording and layout.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined

from bot.engine.commands import fill
from bot.engine.model import Diagnosis, Entry, Guide, Match
from bot.replies.labels import labels
from bot.replies.links import guide_link
from bot.replies.slack_blocks import (
    MAX_BLOCKS,
    MAX_SECTION,
    SlackReply,
    button_value,
    clip,
    context_block,
    fit_block,
    limit_blocks,
    mrkdwn,
    note_text,
)
from bot.replies.slack_views import SlackViews

TEMPLATES = Path(__file__).parent.parent / "templates"
MAX_EVIDENCE = 4
MAX_STEPS = 6


Note = tuple[str, dict]  # (labels key, values) of a context line


@cache
def _environment() -> Environment:
    """One Jinja2 environment for every renderer: a reloaded knowledge base does not recompile templates."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["mrkdwn"] = mrkdwn
    env.filters["clip"] = clip
    env.filters["tojson"] = lambda value: json.dumps(value, ensure_ascii=False)
    return env


def cache_compiled_templates(bytecode_cache: BytecodeCache) -> None:
    """Keep the compiled templates in `bytecode_cache` (before the first render): the command line
    would compile its template anew on every run."""
    _environment().bytecode_cache = bytecode_cache


def _has_more(diagnosis: Diagnosis) -> bool:
    """Whether "More" has anything the first message leaves out: a summary, other causes, runner-ups."""
    top = diagnosis.top
    return top is not None and (bool(top.entry.summary.en) or len(top.causes) > 1 or len(diagnosis.matches) > 1)


class Renderer(SlackViews):
    """Renders diagnoses for the guides of one knowledge-base version; build once and share.

    `guides` give each match its guide's title and source link; `guide_sources` (guide name -> URL)
    adds or overrides links for guides known only by name.
    """

    def __init__(self, *, guides: Sequence[Guide] = (), guide_sources: dict[str, str] | None = None):
        self.guides: dict[str, Guide] = {g.name: g for g in guides}
        self.guide_sources = {**{g.name: g.source for g in guides}, **(guide_sources or {})}
        self.env = _environment()

    def guide_title(self, name: str, lang: str) -> str:
        """A guide's title in `lang`, or its name when the guide is not known."""
        guide = self.guides.get(name)
        return guide.title.get(lang) if guide is not None else name

    def view(self, diagnosis: Diagnosis, lang: str | None = None, *, compact: bool = False) -> dict:
        """The plain data every template receives; `compact`: the phone-sized first message (see slack())."""
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
            "compact": compact,
            # Naming the guide in the first lines only helps when answers can come from several.
            "several_guides": len(self.guide_sources) > 1,
            "decides": diagnosis.decides.get(lang) if diagnosis.decides else "",
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
        source = guide_link(self.guide_sources.get(entry.guide, ""), lang)
        return {
            "id": entry.id,
            "kind": entry.kind,
            "title": entry.title.get(lang),
            "summary": entry.summary.get(lang),
            "score": match.score,
            "percent": round(match.score * 100),
            "guide": entry.guide,
            "guide_title": self.guide_title(entry.guide, lang),
            "anchor": entry.anchor,
            "guide_url": f"{source}#{entry.anchor}" if source else "",
            "evidence": [
                {"signal": ev.signal, "line": ev.line,
                 # A confirmed paste is named, never quoted (it may be another person's); other evidence
                 # quotes the paste being answered.
                 "text": (labels(lang)["confirmed_paste"].format(percent=round(ev.weight * 100))
                          if ev.signal == "confirmed" else clip(ev.text, 160))}
                for ev in match.evidence[:MAX_EVIDENCE]
            ],
            "causes": causes,
            # Only the likely cause's commands are shown in full, so only theirs need filling in.
            "missing": sorted({name for cmd in causes[0]["commands"] for name in cmd["missing"]} if causes else ()),
        }

    def text(self, diagnosis: Diagnosis, lang: str | None = None) -> str:
        """Plain text for a terminal."""
        return self.env.get_template("text/diagnosis.txt.j2").render(self.view(diagnosis, lang)).strip() + "\n"

    def slack(self, diagnosis: Diagnosis, lang: str | None = None, *, diagnosis_id: int | None = None,
              actions: bool = True, share: bool = True, shared_by: str | None = None,
              asked_by: str | None = None, notes: Sequence[Note] = ()) -> SlackReply:
        """Block Kit blocks within Slack's limits, and the text fallback Slack shows in notifications.

        With a `diagnosis_id` (and `actions`) a row of buttons follows ("Share in channel" when `share`
        and not already shared, "Other matches" when there are any) and a feedback row ("Solved it",
        "Wrong match"); every button's value is `{"d": diagnosis_id, "lang": lang}`. `shared_by` /
        `asked_by` (Slack user ids) add a credit line on top; `notes` are (labels key, values) pairs
        shown as context lines, e.g. a file that could not be read.
        """
        with_buttons = diagnosis_id is not None and actions and diagnosis.decision != "no_match" \
            and not diagnosis.empty_input
        # With buttons the first message is phone-sized and "More" opens the rest; without (alert
        # messages) there is no "More" to open, so everything is shown.
        view = self.view(diagnosis, lang, compact=with_buttons)
        t = view["t"]
        blocks = self._blocks("slack/diagnosis.json.j2", view)
        head = []
        if shared_by:
            head.append(context_block(t["shared_by"].format(user=f"<@{mrkdwn(shared_by)}>"), block_id="shared_by"))
        elif asked_by:
            head.append(context_block(t["asked_by"].format(user=f"<@{mrkdwn(asked_by)}>"), block_id="asked_by"))
        tail = [context_block(note_text(t, key, values)) for key, values in notes]
        # "No match" has nothing to share, to open or to call right or wrong: no buttons under it.
        if with_buttons:
            tail += self._blocks("slack/actions.json.j2", {
                "t": t, "diagnosis_id": diagnosis_id, "value": button_value(diagnosis_id, view["lang"]),
                "share": share and not shared_by, "more": _has_more(diagnosis),
            })
        blocks = head + limit_blocks(blocks, MAX_BLOCKS - len(head) - len(tail)) + tail
        fallback = self.env.get_template("slack/fallback.txt.j2").render(view).strip()
        return SlackReply(text=clip(fallback, MAX_SECTION), blocks=blocks)

    def slack_more(self, diagnosis: Diagnosis, lang: str | None = None) -> SlackReply:
        """What "More" opens: the top entry's summary and other causes, then the runner-ups, each with
        its summary and evidence."""
        view = self.view(diagnosis, lang)
        blocks = limit_blocks(self._blocks("slack/more.json.j2", view), MAX_BLOCKS)
        others = view["matches"][1:]
        text = view["t"]["others_title"] + ": " + (", ".join(m["id"] for m in others) or view["t"]["no_others"])
        return SlackReply(text=clip(text, MAX_SECTION), blocks=blocks)


    def entry_view(self, entry: Entry, lang: str) -> dict:
        """The template data of an entry on its own, commands left with their <placeholders>."""
        return self._match_view(Match(entry, 1.0, (), entry.causes), lang, {})

    def _blocks(self, template: str, data: dict) -> list[dict]:
        return [fit_block(block) for block in json.loads(self.env.get_template(template).render(data))]
