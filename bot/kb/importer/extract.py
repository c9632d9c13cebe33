"""What a guide section says that an entry can use: codes, statuses, messages, steps, commands, links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from bot.engine.extract import extract_codes, extract_statuses
from bot.kb.importer.placeholders import (
    CLI_TOOLS,
    commands_in_block,
    is_inline_command,
    normalise_placeholders,
    to_template,
)
from bot.kb.importer.sections import Block

_ERR_CODE = re.compile(r"\bERR_\d{3,4}\b")
_PASCAL = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+\b")
_HEADING_MESSAGE = re.compile(
    r"^(?:[A-Z][A-Z0-9]*_\d+|[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+)\s*[:\u2013\u2014-]\s*(.+?)\s*(?:\(.*\))?$")
_QUOTED = re.compile(r"[\"\u201c\u201e\u00bb]([^\"\u201c\u201d\u201e\u00ab\u00bb]{8,200})[\"\u201d\u201c\u00ab]")
_CODE_SPAN = re.compile(r"`[^`]*`")
_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")
_SHELL = {"azurecli", "azure-cli", "azurecli-interactive", "bash", "sh", "shell", "console", "powershell",
          "azurepowershell", "cmd", "zsh"}
_PYTHON = {"python", "py"}
MAX_STEPS = 12
MAX_COMMANDS = 8
MAX_TEXT = 1200


@dataclass
class Facts:
    """Everything recognisable in a run of blocks (a section, a sub-section or a table row)."""

    codes: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    commands: list[tuple[str, str]] = field(default_factory=list)  # (template, what it does)
    links: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)  # "#anchor" links to the same guide
    lead_ins: list[str] = field(default_factory=list)  # paragraphs introducing a code block ("Run this:")

    @property
    def recognisable(self) -> bool:
        return bool(self.codes or self.statuses or self.phrases or self.steps or self.commands)


def _add(items: list, value) -> None:
    if value and value not in items:
        items.append(value)


def _add_phrase(items: list[str], text: str) -> None:
    text = " ".join(text.split()).strip(" .:")
    if len(text.split()) >= 3 and text.lower() not in {p.lower() for p in items}:
        items.append(text)


def shorten(text: str, limit: int = MAX_TEXT) -> str:
    """At most `limit` characters, cut after a sentence where possible."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[:end + 1] if end > limit // 2 else cut.rstrip() + " ..."


def add_link(href: str, source: str | None, facts: Facts) -> None:
    if href.startswith("#"):
        _add(facts.anchors, href[1:])
    elif href.startswith(("http://", "https://")):
        _add(facts.links, href)
    elif source and source.startswith(("http://", "https://")) and not href.startswith(("mailto:", "javascript:")):
        target = href[:-3] if href.endswith(".md") else href.replace(".md#", "#")
        _add(facts.links, urljoin(source, target))


def heading_facts(title: str, code: list[str], facts: Facts) -> None:
    """Codes, statuses and the message a heading names (`ERR_1200: Unable to download ...`)."""
    for token in [*_ERR_CODE.findall(title), *_PASCAL.findall(title)]:
        _add(facts.codes, token)
    for span in code:
        if _PASCAL.fullmatch(span) or _ERR_CODE.fullmatch(span):
            _add(facts.codes, span)
    for status, _ in extract_statuses(title):
        _add(facts.statuses, status)
    m = _HEADING_MESSAGE.match(title)
    if m:
        _add_phrase(facts.phrases, m.group(1))


def _fence(block: Block, facts: Facts, description: str) -> None:
    info = block.info
    first = block.text.lstrip().split(" ", 1)[0].lstrip("$ ") if block.text.strip() else ""
    if info in _PYTHON:
        snippet = normalise_placeholders(block.text.strip("\n"))
        if snippet.strip():
            facts.commands.append((snippet, description))
    elif info in _SHELL or (not info and first in CLI_TOOLS):
        for command in commands_in_block(block.text, info):
            facts.commands.append((to_template(command), description))
    else:  # output shown in the guide: the codes it prints
        for token, _ in extract_codes(block.text):
            _add(facts.codes, token)


def block_facts(blocks: list[Block], facts: Facts, *, source: str | None, fallback: str) -> Facts:
    """Add what `blocks` hold to `facts`. `fallback` describes commands nothing precedes."""
    before = ""
    previous: Block | None = None
    described = fallback
    for block in blocks:
        for href in block.links:
            add_link(href, source, facts)
        text = block.text
        if block.kind == "paragraph":
            _add(facts.paragraphs, text)
        elif block.kind == "item" and text:
            _add(facts.steps, text)
            if previous is not None and previous.kind == "paragraph" and previous.text.endswith(":"):
                _add(facts.lead_ins, previous.text)  # "The following steps run:" belongs to the list
        elif block.kind == "note" and text:
            _add(facts.notes, text)
        elif block.kind == "fence":
            if previous is not None and previous.kind == "paragraph":
                _add(facts.lead_ins, previous.text)
            # "or" before a second block: the same description as the block before it
            if before and len(before.split()) >= 3:
                described = shorten(before.rstrip(" :"), 200)
            _fence(block, facts, described)
            previous, before = block, ""
            continue
        if block.kind in ("paragraph", "item", "note"):
            for token in _ERR_CODE.findall(text):
                _add(facts.codes, token)
            for span in block.code:
                if is_inline_command(span):
                    prose = _BEFORE_PUNCT.sub(r"\1", " ".join(_CODE_SPAN.sub("", text).split())).rstrip(" :")
                    facts.commands.append((to_template(span), shorten(prose, 200) or fallback))
                elif _PASCAL.fullmatch(span) or _ERR_CODE.fullmatch(span):
                    _add(facts.codes, span)
                elif len(span.split()) >= 3 and span[:1].isalpha() and span.split()[0] not in CLI_TOOLS:
                    _add_phrase(facts.phrases, span)
            for quoted in _QUOTED.findall(text):
                if len(quoted.split()) >= 4:
                    _add_phrase(facts.phrases, quoted)
            for status, _ in extract_statuses(text):
                _add(facts.statuses, status)
            before = text
        previous = block
    seen: set[str] = set()
    facts.commands = [c for c in facts.commands if not (c[0] in seen or seen.add(c[0]))]
    return facts
