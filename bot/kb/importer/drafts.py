"""Guide sections -> draft entries (plain mappings in the knowledge base's schema) -> YAML text.

Which sections become entries: a section with its own error code, status, message, steps or
commands; one entry per row of a status-code table; a section whose sub-sections carry their own
codes or statuses (or that has no text of its own) is a chapter and its sub-sections are the
entries; otherwise sub-sections are the causes of their section. Boilerplate (prerequisites, next steps)
is skipped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import yaml

from bot.kb.importer.extract import MAX_COMMANDS, MAX_STEPS, Facts, add_link, block_facts, heading_facts, shorten
from bot.kb.importer.sections import Block, Document, Section

SKIPPED = {"prerequisites", "voraussetzungen", "next-steps", "nächste-schritte", "see-also", "siehe-auch",
           "related-content", "verwandte-inhalte", "related-resources", "feedback", "additional-resources",
           "weitere-ressourcen", "contents", "table-of-contents", "inhalt"}
_ERROR_WORDS = re.compile(r"(?i)\b(?:errors?|fehler\w*|\w*fehler|failures?|fail(?:s|ed)?|crash\w*|cannot|unable|"
                          r"kann nicht|abgestürzt|exceptions?|hangs?|times? out|timeouts?|refused|denied)\b")
_STATUS_CELL = re.compile(r"^\s*([1-5]\d\d)\s*$")
FALLBACK = {"de": "Befehl aus dem Leitfaden", "en": "Command from the guide"}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's emitter when PyYAML has it
    pass


def _text_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Multi-line text (a Python snippet) as a literal block, as a person would write it.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text_representer)


@dataclass
class Draft:
    """One entry to be: where it comes from, how its id is chosen, and its content."""

    anchor: str
    line: int
    kind: str
    title: str
    summary: str
    facts: Facts
    causes: list[dict]
    symptoms: list[str]
    status: int | None = None  # a status-table row's status
    slug: str = ""  # a status-table row's reason, as an id suffix
    code_id: str = ""  # the code that names it
    entry_id: str = ""  # chosen by the importer
    related: list[str] = field(default_factory=list)


def ascii_slug(text: str, *, sep: str = "-", words: int = 8) -> str:
    """`Zu viele ausstehende Anforderungen` -> `zu-viele-ausstehende-anforderungen`."""
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode()
    return sep.join(re.findall(r"[A-Za-z0-9]+", folded)[:words]).lower()


def _loc(text: str) -> dict:
    return {"en": text, "de": text}


def _cause(title: str, facts: Facts, lang: str) -> dict:
    prose = [p for p in facts.paragraphs if p not in facts.lead_ins]
    explanation = " ".join([*(prose[1:] or prose[:1]), *facts.notes]) or title
    cause: dict = {"title": _loc(shorten(title, 200)), "explanation": _loc(shorten(explanation))}
    if facts.steps:
        cause["steps"] = [_loc(shorten(step, 400)) for step in facts.steps[:MAX_STEPS]]
    if facts.commands:
        cause["commands"] = [{"run": run, "description": _loc(description or FALLBACK[lang])}
                             for run, description in facts.commands[:MAX_COMMANDS]]
    return cause


def _facts(section: Section, blocks: list[Block], source: str | None, lang: str) -> Facts:
    facts = Facts()
    heading_facts(section.title, section.code, facts)
    return block_facts(blocks, facts, source=source, fallback=FALLBACK[lang])


def _kind(section: Section, parent: Section | None, facts: Facts) -> str:
    if (facts.codes or facts.phrases or _ERROR_WORDS.search(section.title)
            or (parent and _ERROR_WORDS.search(parent.title))):
        return "deployment-error"
    return "scoring-status" if facts.statuses else "how-to"


def _status_table(block: Block) -> tuple[int, int, list[int]] | None:
    """(status column, reason column, other columns) when every body row has a status in one column."""
    body = block.rows[1:]
    if not body:
        return None
    width = min(len(r) for r in block.rows)
    for col in range(width):
        if all(_STATUS_CELL.match(row[col]) for row in body):
            others = [c for c in range(width) if c != col]
            if others:
                return col, others[0], others[1:]
    return None


def _table_drafts(section: Section, block: Block, source: str | None) -> list[Draft]:
    layout = _status_table(block)
    if layout is None:
        return []
    col, reason_col, rest = layout
    body = list(zip(block.rows[1:], block.row_lines[1:], block.row_links[1:], strict=False))
    counts: dict[int, int] = {}
    for row, _, _ in body:
        counts[int(row[col])] = counts.get(int(row[col]), 0) + 1
    drafts = []
    for row, line, links in body:
        status, reason = int(row[col]), row[reason_col].replace("`", "")
        explanation = " ".join(row[c] for c in rest if row[c]) or reason
        facts = Facts(statuses=[status])
        for href in links:
            add_link(href, source, facts)
        english = reason.split("(")[0].split(":")[0].strip()
        if len(english.split()) >= 3:
            facts.phrases.append(english)
        title = f"HTTP {status}: {reason}"
        cause = {"title": _loc(shorten(reason, 200)), "explanation": _loc(shorten(explanation))}
        drafts.append(Draft(section.anchor, line, "scoring-status", title, shorten(explanation), facts, [cause],
                            [f"HTTP {status} {reason}"], status=status,
                            slug=ascii_slug(english, sep="_", words=4).upper() if counts[status] > 1 else ""))
    return drafts


def plan(document: Document, *, source: str | None, lang: str) -> tuple[list[Draft], list[tuple[int, str]], int]:
    """The drafts of a guide, the problems of the sections that give none, and how many sections were seen."""
    drafts: list[Draft] = []
    problems: list[tuple[int, str]] = []
    seen = 0

    def visit(section: Section, parent: Section | None) -> None:
        nonlocal seen
        seen += 1
        if section.problems:
            problems.extend(section.problems)
            return
        if section.anchor in SKIPPED or ascii_slug(section.title) in SKIPPED:
            return
        tables = [b for b in section.blocks if b.kind == "table" and _status_table(b)]
        own = _facts(section, [b for b in section.blocks if b not in tables], source, lang)
        rows = [d for table in tables for d in _table_drafts(section, table, source)]
        drafts.extend(rows)
        if section.children:
            # Sub-sections with their own codes are entries of a chapter; without, they are causes.
            child_facts = [_facts(c, c.blocks, source, lang) for c in section.children]
            child_ids = any(f.codes or f.statuses for f in child_facts)
            if rows or child_ids or not (own.paragraphs or own.recognisable):
                for child in section.children:
                    visit(child, section)
                return
            causes = [(c.title, _facts(c, [b for s in c.walk() for b in s.blocks], source, lang))
                      for c in section.children]
            if own.steps or own.commands:
                causes.insert(0, (section.title, own))
            drafts.append(_draft(section, parent, own, causes, lang))
            return
        if rows:
            return
        if not section.blocks:
            problems.append((section.line, f"section {section.anchor!r} is empty (a heading with no text)"))
        elif not own.recognisable:
            problems.append((section.line, f"section {section.anchor!r} has nothing recognisable (no error code, "
                                           "status, message, steps or commands): not imported"))
        else:
            drafts.append(_draft(section, parent, own, [(section.title, own)], lang))

    for root in document.sections:
        visit(root, None)
    return drafts, problems, seen


def _draft(section: Section, parent: Section | None, own: Facts, causes: list[tuple[str, Facts]], lang: str) -> Draft:
    merged = Facts(codes=list(own.codes), statuses=list(own.statuses), phrases=list(own.phrases),
                   links=list(own.links), anchors=list(own.anchors))
    for _, facts in causes:
        for name in ("codes", "statuses", "phrases", "links", "anchors"):
            target = getattr(merged, name)
            target.extend(v for v in getattr(facts, name) if v not in target)
    summary = own.paragraphs[0] if own.paragraphs else section.title
    heading_codes = [c for c in merged.codes if c in section.title or c in section.code]
    return Draft(section.anchor, section.line, _kind(section, parent, merged), section.title, shorten(summary),
                 merged, [_cause(title, facts, lang) for title, facts in causes], [section.title],
                 code_id=(heading_codes or (merged.codes if len(merged.codes) == 1 else [""]))[0])


def entry_dict(draft: Draft, guide: str) -> dict:
    """The draft in the entry-file schema, with `status: draft`."""
    facts = draft.facts
    signals = {key: value for key, value in (("codes", facts.codes), ("status", facts.statuses),
                                             ("phrases", facts.phrases), ("symptoms", draft.symptoms)) if value}
    data = {"id": draft.entry_id, "status": "draft", "kind": draft.kind, "guide": guide, "anchor": draft.anchor,
            "title": _loc(shorten(draft.title, 200)), "summary": _loc(draft.summary), "signals": signals,
            "causes": draft.causes}
    if draft.related:
        data["related"] = draft.related
    if facts.links:
        data["links"] = facts.links
    data["examples"] = []
    return data


def entry_yaml(data: dict, *, guide_file: str, line: int, lang: str) -> str:
    """The text of an entry file: a header saying what a reviewer has to do, then the YAML."""
    header = (f"# Draft imported by `python app.py kb import` from {guide_file}, line {line}.\n"
              f"# Titles, summaries, explanations, steps and descriptions are the guide's text ({lang}) in both\n"
              "# `en` and `de`: translate the other language, check the signals and causes, add examples\n"
              f"# (pastes that must land here), then `python app.py kb review {data['id']}`. Drafts are not served.\n")
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110,
                     default_flow_style=False)
    return header + body
