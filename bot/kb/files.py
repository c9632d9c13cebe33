"""Reading the knowledge base from its directory of reviewed files (one entry per file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.engine.model import Entry
from bot.kb.codec import EntryError, Problem, entry_status, parse_entry
from bot.kb.yamlfile import YamlError, load_yaml

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
    entries: tuple[Entry, ...]  # reviewed entries: the ones served
    sources: dict  # entry id -> Path, drafts included
    problems: tuple[FileProblem, ...]
    drafts: tuple[Entry, ...] = ()  # `status: draft` files: checked, never synced or served

    @property
    def all_entries(self) -> tuple[Entry, ...]:
        return self.entries + self.drafts


def entry_files(root: Path) -> list[Path]:
    return sorted(Path(root).glob(ENTRY_GLOB))


def load_entry_file(path: Path) -> Entry:
    """Parse one file; raises EntryError whose problems carry line numbers."""
    return load_entry_file_status(path)[0]


def load_entry_file_status(path: Path) -> tuple[Entry, str]:
    """Parse one file and tell whether it is a draft or reviewed; raises EntryError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EntryError([Problem(0, f"cannot read: {exc}")]) from None
    try:
        data = load_yaml(text)
    except YamlError as exc:
        raise EntryError([Problem(exc.line, exc.message)]) from None
    return parse_entry(data), entry_status(data)


def load_knowledge(root: Path) -> LoadResult:
    """Every entry under root, reviewed and drafts apart, plus every problem found (bad files are skipped)."""
    entries: list[Entry] = []
    drafts: list[Entry] = []
    sources: dict[str, Path] = {}
    problems: list[FileProblem] = []
    for path in entry_files(root):
        try:
            entry, status = load_entry_file_status(path)
        except EntryError as exc:
            problems.extend(FileProblem(path, p.line, p.message) for p in exc.problems)
            continue
        if entry.id in sources:
            problems.append(FileProblem(path, 1, f"id {entry.id!r} is already used by {sources[entry.id]}"))
            continue
        if path.stem != entry.id:
            problems.append(FileProblem(path, 1, f"file name should be {entry.id}.yaml"))
        sources[entry.id] = path
        (drafts if status == "draft" else entries).append(entry)
    known = set(sources)  # `related` may name a draft
    for entry in (*entries, *drafts):
        for rel in entry.related:
            if rel not in known:
                problems.append(FileProblem(sources[entry.id], 1, f"related entry {rel!r} does not exist"))
    return LoadResult(tuple(entries), sources, tuple(problems), tuple(drafts))


def count_drafts(root: Path) -> int:
    """How many entry files are drafts, from their top-level `status:` line (no YAML parsing)."""
    count = 0
    for path in entry_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        count += any(line.split("#")[0].rstrip() in ("status: draft", "status: 'draft'", 'status: "draft"')
                     for line in text.splitlines())
    return count
