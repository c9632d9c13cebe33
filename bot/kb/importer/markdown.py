"""A Markdown troubleshooting guide as a tree of sections, parsed with markdown-it-py.

Understands what Microsoft Docs guides use beside plain CommonMark: YAML front matter,
`<a name="..."></a>` anchors in headings, `{#id}` heading ids, tables, `> [!NOTE]` blocks and
`[!INCLUDE [title](file.md)]` lines. Anchors of headings without an explicit one are the slug
GitHub and learn.microsoft.com give them. Problems carry the guide's 1-based line numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.kb.importer.sections import Builder, Document, Section

_RECOVERY_HEADING = re.compile(r"#{2,6}(?:\s|$)")


def _split_front_matter(text: str) -> tuple[str, dict, list[tuple[int, str]]]:
    """Front matter becomes blank lines, so the body keeps the file's line numbers."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return text, {}, []
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return text, {}, [(1, "front matter opened with '---' is never closed")]
    problems: list[tuple[int, str]] = []
    try:
        data = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or exc
        problems.append((mark.line + 2 if mark else 1, f"front matter is not valid YAML: {reason}"))
        data = {}
    if not isinstance(data, dict):
        problems.append((1, "front matter must be a mapping"))
        data = {}
    return "\n" * end + "\n" + "\n".join(lines[end + 1:]), data, problems


def _unclosed_fence(tokens: list[Token], lines: list[str]) -> Token | None:
    """The first fence markdown-it closed only at the end of the file."""
    for token in tokens:
        if token.type != "fence" or not token.map:
            continue
        start, end = token.map
        last = lines[end - 1].strip() if end - 1 < len(lines) else ""
        marker = token.markup[0]
        if end - 1 <= start or not (last.startswith(token.markup) and not last.strip(marker)):
            return token
    return None


def _parse_tokens(md: MarkdownIt, body: str) -> tuple[list[Token], list[int], list[tuple[int, str]]]:
    """Tokens of the body; an unclosed fence is closed before the next heading and reported.

    Returns the tokens, the original line of every parsed line (closing fences added for recovery
    shift the rest) and the problems found.
    """
    lines = body.split("\n")
    origin = list(range(1, len(lines) + 1))
    problems: list[tuple[int, str]] = []
    for _ in range(50):
        tokens = md.parse("\n".join(lines))
        fence = _unclosed_fence(tokens, lines)
        if fence is None:
            return tokens, origin, problems
        start = fence.map[0]
        problems.append((origin[start], f"code fence {fence.markup}{fence.info.strip()} is never closed "
                                        "(it swallows the rest of the guide); closed before the next heading"))
        # `## ` and deeper: a shell comment (`# ...`) inside the swallowed block is not taken for one.
        heading = next((i for i in range(start + 1, len(lines)) if _RECOVERY_HEADING.match(lines[i])), len(lines))
        lines.insert(heading, fence.markup)
        origin.insert(heading, origin[heading - 1] if heading else 1)
    return tokens, origin, problems


def _tree(sections: list[Section]) -> tuple[str, list[Section]]:
    """The title (a single leading `#` heading) and the top-level sections below it."""
    title = ""
    if sections and sections[0].level == 1 and sum(1 for s in sections if s.level == 1) == 1:
        title = sections[0].title
        sections = sections[1:]
    roots: list[Section] = []
    stack: list[Section] = []
    for section in sections:
        while stack and stack[-1].level >= section.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(section)
        stack.append(section)
    return title, roots


def parse_guide_text(text: str, path: Path) -> Document:
    """Parse a guide's text (already decoded) into a Document."""
    body, front, problems = _split_front_matter(text)
    md = MarkdownIt("commonmark").enable("table")
    tokens, origin, fence_problems = _parse_tokens(md, body)
    builder = Builder(origin)
    builder.build(tokens)
    title, roots = _tree(builder.all_sections)
    if not title and isinstance(front.get("title"), str):
        title = front["title"].strip()
    intro = builder.intro
    if builder.all_sections and builder.all_sections[0].title == title and builder.all_sections[0] not in roots:
        intro = intro + builder.all_sections[0].blocks  # the text under the title heading
    document = Document(path, front, title, intro, roots, problems, [])
    _follow_includes(document, md, path)
    _mark_broken_fences(document, fence_problems)
    return document


def _follow_includes(document: Document, md: MarkdownIt, path: Path) -> None:
    """Record every include; splice in the blocks of those whose file lies next to the guide."""
    holders = [document.intro] + [s.blocks for root in document.sections for s in root.walk()]
    for blocks in holders:
        for index in range(len(blocks) - 1, -1, -1):
            block = blocks[index]
            if block.kind != "include":
                continue
            target = (path.parent / block.text) if block.text and "://" not in block.text else None
            followed = bool(target and target.is_file())
            document.includes.append((block.line, block.text, followed))
            if followed:
                try:
                    included = target.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                inner = Builder(list(range(1, included.count("\n") + 2)))
                inner.build(md.parse(_split_front_matter(included)[0]))
                for added in inner.intro:
                    added.line = block.line  # point at the include line in the guide
                blocks[index:index + 1] = inner.intro
    document.includes.sort()


def _mark_broken_fences(document: Document, problems: list[tuple[int, str]]) -> None:
    """A section holding an unclosed fence lost an unknown part of its text: it is not imported."""
    flat = sorted((s for root in document.sections for s in root.walk()), key=lambda s: s.line)
    for line, message in problems:
        owner = None
        for section in flat:
            if section.line <= line:
                owner = section
        if owner is None:
            document.problems.append((line, message))
        else:
            owner.problems.append((line, f"{message}; section {owner.anchor!r} not imported"))
