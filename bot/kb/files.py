"""Reading the knowledge base from its directory of reviewed files (one entry per file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.kb.codec import EntryError, Problem, parse_entry
from bot.kb.yamlfile import YamlError, load_yaml
from bot.model import Entry

ENTRY_GLOB = "entries/*.yaml"


@dataclass(frozen=True)
class FileProblem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class LoadResult:
    entries: tuple[Entry, ...]
    sources: dict  # entry id -> Path
    problems: tuple[FileProblem, ...]


def entry_files(root: Path) -> list[Path]:
    return sorted(Path(root).glob(ENTRY_GLOB))


def load_entry_file(path: Path) -> Entry:
    """Parse one file; raises EntryError whose problems carry line numbers."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EntryError([Problem(0, f"cannot read: {exc}")]) from None
    try:
        data = load_yaml(text)
    except YamlError as exc:
        raise EntryError([Problem(exc.line, exc.message)]) from None
    return parse_entry(data)


def load_knowledge(root: Path) -> LoadResult:
    """Every entry under root, plus every problem found (bad files are skipped, not fatal)."""
    entries: list[Entry] = []
    sources: dict[str, Path] = {}
    problems: list[FileProblem] = []
    for path in entry_files(root):
        try:
            entry = load_entry_file(path)
        except EntryError as exc:
            problems.extend(FileProblem(path, p.line, p.message) for p in exc.problems)
            continue
        if entry.id in sources:
            problems.append(FileProblem(path, 1, f"id {entry.id!r} is already used by {sources[entry.id]}"))
            continue
        if path.stem != entry.id:
            problems.append(FileProblem(path, 1, f"file name should be {entry.id}.yaml"))
        sources[entry.id] = path
        entries.append(entry)
    known = set(sources)
    for entry in entries:
        for rel in entry.related:
            if rel not in known:
                problems.append(FileProblem(sources[entry.id], 1, f"related entry {rel!r} does not exist"))
    return LoadResult(tuple(entries), sources, tuple(problems))
