"""Sections and blocks of a Markdown guide, built from markdown-it-py's token stream.

A heading starts a section; what follows it until the next heading becomes its blocks:
paragraphs, list items, code fences, tables, `> [!NOTE]` blocks and `[!INCLUDE]` lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

_ANCHOR_HTML = re.compile(r"""<a\s+(?:name|id)\s*=\s*["']([^"']+)["']""", re.I)
_HEADING_ID = re.compile(r"\s*\{#([A-Za-z0-9_.:-]+)\}\s*$")
_NOTE_MARK = re.compile(r"^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*", re.I)
_SLUG_DROP = re.compile(r"[^\w\- ]")


@dataclass
class Block:
    """One piece of a section's body: paragraph, item (of a list), fence, table, note or include."""

    kind: str
    line: int
    text: str = ""
    depth: int = 0  # list nesting of an item (1 = top-level list)
    info: str = ""  # a fence's language
    rows: list[list[str]] = field(default_factory=list)  # a table's rows, header first
    row_lines: list[int] = field(default_factory=list)
    row_links: list[list[str]] = field(default_factory=list)  # link targets of each row
    code: list[str] = field(default_factory=list)  # inline code spans
    links: list[str] = field(default_factory=list)


@dataclass
class Section:
    level: int
    title: str
    anchor: str
    line: int
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    code: list[str] = field(default_factory=list)  # inline code spans of the heading
    problems: list[tuple[int, str]] = field(default_factory=list)  # reasons not to import it

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Document:
    path: Path
    front_matter: dict
    title: str
    intro: list[Block]
    sections: list[Section]  # top-level sections (below the title heading)
    problems: list[tuple[int, str]]  # guide-wide problems (front matter, unclosed fences, ...)
    includes: list[tuple[int, str, bool]]  # (line, target, followed)


def slugify(text: str) -> str:
    """The anchor GitHub and learn.microsoft.com give a heading: lower case, punctuation dropped."""
    return _SLUG_DROP.sub("", text.strip().lower()).replace(" ", "-")


def _inline(token: Token) -> tuple[str, list[str], list[str], str | None]:
    """Plain text of an inline token, its code spans, link targets and an anchor from inline HTML."""
    parts: list[str] = []
    code: list[str] = []
    links: list[str] = []
    anchor = None
    for child in token.children or []:
        if child.type == "text":
            parts.append(child.content)
        elif child.type == "code_inline":
            parts.append(f"`{child.content}`")
            code.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if href:
                links.append(href)
        elif child.type == "image":
            parts.append(child.content)
        elif child.type == "html_inline":
            m = _ANCHOR_HTML.search(child.content)
            if m and anchor is None:
                anchor = m.group(1)
    return " ".join("".join(parts).split()), code, links, anchor



class Builder:
    """Turns the token stream into sections and blocks."""

    def __init__(self, origin: list[int]):
        self.origin = origin
        self.intro: list[Block] = []
        self.all_sections: list[Section] = []
        self.current: list[Block] = self.intro
        self.list_depth = 0
        self.quote_depth = 0
        self.pending_anchor: str | None = None

    def line(self, token: Token) -> int:
        if not token.map:
            return 0
        index = token.map[0]
        return self.origin[index] if index < len(self.origin) else index + 1

    def build(self, tokens: list[Token]) -> None:
        i = 0
        while i < len(tokens):
            token = tokens[i]
            kind = token.type
            if kind == "heading_open" and self.list_depth == 0 and self.quote_depth == 0:
                self.heading(token, tokens[i + 1])
                i += 3
                continue
            if kind in ("bullet_list_open", "ordered_list_open"):
                self.list_depth += 1
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.list_depth -= 1
            elif kind == "blockquote_open":
                self.quote_depth += 1
            elif kind == "blockquote_close":
                self.quote_depth -= 1
            elif kind == "paragraph_open":
                self.paragraph(token, tokens[i + 1])
            elif kind in ("fence", "code_block"):
                self.current.append(Block("fence", self.line(token), text=token.content,
                                          info=token.info.strip().split(" ")[0].lower()))
            elif kind == "table_open":
                i = self.table(tokens, i)
                continue
            elif kind == "html_block":
                m = _ANCHOR_HTML.search(token.content)
                if m:
                    self.pending_anchor = m.group(1)
            i += 1

    def heading(self, token: Token, inline: Token) -> None:
        text, code, _, anchor = _inline(inline)
        m = _HEADING_ID.search(text)
        if m:
            anchor, text = anchor or m.group(1), text[:m.start()].rstrip()
        # A heading of punctuation only has an empty slug: name it by its line instead.
        anchor = anchor or self.pending_anchor or slugify(text.replace("`", "")) or f"section-{self.line(token)}"
        self.pending_anchor = None
        section = Section(int(token.tag[1]), text.replace("`", ""), anchor, self.line(token), code=code)
        self.all_sections.append(section)
        self.current = section.blocks

    def paragraph(self, token: Token, inline: Token) -> None:
        text, code, links, anchor = _inline(inline)
        line = self.line(token)
        if anchor and not text:  # `<a name="x"></a>` alone on the line before a heading
            self.pending_anchor = anchor
            return
        if inline.content.lstrip().upper().startswith("[!INCLUDE"):
            self.current.append(Block("include", line, text=links[0] if links else text, links=links))
            return
        if self.quote_depth:
            m = _NOTE_MARK.match(text)
            label = m.group(1).capitalize() if m else "Note"
            text = text[m.end():] if m else text
            if self.current and self.current[-1].kind == "note" and not m:
                self.current[-1].text += " " + text
                return
            self.current.append(Block("note", line, text=f"{label}: {text}" if text else "", code=code, links=links))
            return
        kind = "item" if self.list_depth else "paragraph"
        self.current.append(Block(kind, line, text=text, depth=self.list_depth, code=code, links=links))

    def table(self, tokens: list[Token], i: int) -> int:
        block = Block("table", self.line(tokens[i]))
        row: list[str] | None = None
        while i < len(tokens) and tokens[i].type != "table_close":
            token = tokens[i]
            if token.type == "tr_open":
                row = []
                block.row_lines.append(self.line(token))
                block.row_links.append([])
            elif token.type == "tr_close" and row is not None:
                block.rows.append(row)
            elif token.type == "inline" and row is not None:
                text, code, links, _ = _inline(token)
                row.append(text)
                block.code.extend(code)
                block.row_links[-1].extend(links)
            i += 1
        self.current.append(block)
        return i + 1
