"""`kb check`: every problem of the knowledge files, as `file:line: problem`."""

from __future__ import annotations

from pathlib import Path

from bot.engine.model import LANGUAGES, Diagnosis, Entry, Extraction, Match
from bot.kb.files import FileProblem, load_knowledge
from bot.kb.guides import load_guide_files
from bot.replies.render import MAX_BLOCKS, MAX_SECTION, Renderer

SAMPLE_ENTITIES = {"endpoint-name": "my-endpoint", "deployment-name": "blue", "resource-group": "rg-ml",
                   "workspace-name": "ws-ml", "region": "westeurope"}


def check_knowledge(root: Path) -> list[FileProblem]:
    """Schema, unique ids, guides, regex safety and rendering of every entry (drafts too) in both languages.

    Regex safety is checked while the files are read (bot.kb.regexcheck: the pattern must run on RE2).
    """
    root = Path(root)
    result = load_knowledge(root)
    problems = list(result.problems)
    guides, guide_problems = load_guide_files(root)
    problems.extend(guide_problems)
    known_guides = {g.name for g in guides}
    renderer = Renderer(guide_sources={g.name: g.source for g in guides})
    for entry in result.all_entries:
        path = result.sources[entry.id]
        if entry.guide not in known_guides:
            problems.append(FileProblem(path, _line_of(path, "guide:"),
                                        f"guide {entry.guide!r} has no file in guides/"))
        problems.extend(_render_problems(renderer, entry, path))
    return sorted(problems, key=lambda p: (str(p.path), p.line))


def _render_problems(renderer: Renderer, entry: Entry, path: Path) -> list[FileProblem]:
    problems = []
    for lang in LANGUAGES:
        for entities in ({}, SAMPLE_ENTITIES):
            extraction = Extraction(text="sample", codes=(), status=(), entities=entities, language=lang)
            diagnosis = Diagnosis("match", (Match(entry, 1.0, (), entry.causes),), extraction)
            try:
                renderer.text(diagnosis, lang)
                reply = renderer.slack(diagnosis, lang)
            except Exception as exc:  # any template error is a problem of this entry, reported as such
                problems.append(FileProblem(path, 1, f"reply in {lang!r} does not render: {exc}"))
                break
            if len(reply.blocks) > MAX_BLOCKS or any(
                len(b.get("text", {}).get("text", "")) > MAX_SECTION for b in reply.blocks
            ):
                problems.append(FileProblem(path, 1, f"Slack reply in {lang!r} exceeds Slack's limits"))
    return problems


def _line_of(path: Path, needle: str) -> int:
    """The first line of the file containing `needle` (1 when not found)."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return number
    except OSError:
        pass
    return 1
