"""`kb import`: a Markdown guide into draft entry files, never over an existing file.

New ids are written as drafts (`status: draft`); an id whose file exists is left alone and the
difference between that file and what the import would write is printed as a unified diff.
Problems of the guide are printed as `file:line: problem`; good sections still import.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import yaml
from rapidfuzz import fuzz

from bot.kb.codec import ID_RE
from bot.kb.importer.drafts import Draft, ascii_slug, entry_dict, entry_yaml, plan
from bot.kb.importer.markdown import parse_guide_text
from bot.kb.importer.sections import Document

_TOP_KEY = re.compile(r"^(id|guide|anchor|status):[ \t]*(.*?)[ \t]*$", re.M)
_LOCALE = re.compile(r"^([a-z]{2})(?:-[A-Za-z]{2})?$")


@dataclass
class Known:
    guide: str
    anchor: str
    status: str
    path: Path


@dataclass
class ExistingKnowledge:
    """The ids, guides and anchors of the entry files under a knowledge directory.

    Read from each file's top-level lines, not by parsing the YAML, so importing many guides into a
    large base stays fast; `add` keeps it current as drafts are written.
    """

    root: Path
    entries: dict[str, Known] = field(default_factory=dict)

    @classmethod
    def scan(cls, root: Path) -> ExistingKnowledge:
        known = cls(Path(root))
        for path in sorted((Path(root) / "entries").glob("*.yaml")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            values = {}
            for m in _TOP_KEY.finditer(text):
                if m.group(1) not in values:
                    try:
                        value = yaml.safe_load(m.group(2)) if m.group(2) else ""
                    except yaml.YAMLError:
                        value = m.group(2)
                    values[m.group(1)] = str(value)
            known.add(values.get("id") or path.stem, values.get("guide", ""), values.get("anchor", ""),
                      values.get("status", "reviewed"), path)
        return known

    def add(self, entry_id: str, guide: str, anchor: str, status: str, path: Path) -> None:
        self.entries[entry_id] = Known(guide, anchor, status, path)

    def by_anchor(self, guide: str, anchor: str) -> list[str]:
        return sorted(i for i, k in self.entries.items() if k.guide == guide and k.anchor == anchor)


@dataclass
class ImportReport:
    sections: int = 0
    drafts: int = 0
    written: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    guide_written: bool = False

    def summary(self, guide_file: str) -> str:
        return (f"{guide_file}: {self.sections} sections found, {self.drafts} entries drafted, "
                f"{len(self.written)} drafts written, {len(self.changed)} existing with differences, "
                f"{len(self.unchanged)} existing unchanged, {len(self.problems)} problem(s)")


def read_guide(path: Path) -> tuple[str | None, tuple[int, str]]:
    """The guide's text, or (line, why it cannot be imported)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, (0, "no such file")
    except IsADirectoryError:
        return None, (0, "is a directory, not a Markdown file")
    except OSError as exc:
        return None, (0, f"cannot read: {exc.strerror}")
    if b"\x00" in raw[:8192]:
        return None, (0, "binary file, not Markdown text")
    try:
        return raw.decode("utf-8-sig"), (0, "")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return None, (line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the guide as UTF-8")


def guide_language(document: Document, path: Path) -> str:
    """`ms.contentlocale: de-DE`, `lang:`/`language:` in the front matter, or a `.de.md` suffix; else en."""
    for key in ("ms.contentlocale", "lang", "language", "locale"):
        m = _LOCALE.match(str(document.front_matter.get(key, "")).strip())
        if m:
            return m.group(1)
    suffixes = path.suffixes
    return suffixes[-2].lstrip(".") if len(suffixes) >= 2 and len(suffixes[-2]) == 3 else "en"


def assign_ids(drafts: list[Draft], guide: str, known: ExistingKnowledge) -> None:
    """Ids: the existing entry of the same section, else the code, the status row or the heading's slug;
    ids unique across all guides (another guide's id gets this guide's name in front)."""
    taken: set[str] = set()
    rows: dict[tuple[str, int], list[Draft]] = {}
    for draft in drafts:
        if draft.status is not None:
            rows.setdefault((draft.anchor, draft.status), []).append(draft)
    for (anchor, status), group in rows.items():
        prefix = f"HTTP_{status}"
        candidates = [i for i in known.by_anchor(guide, anchor) if i == prefix or i.startswith(prefix + "_")]
        for draft in sorted(group, key=lambda d: -max((fuzz.ratio(d.slug, c[len(prefix):]) for c in candidates),
                                                      default=0)):
            if not candidates:
                break
            best = max(candidates, key=lambda c: fuzz.ratio(draft.slug, c[len(prefix) + 1:]))
            draft.entry_id = best
            candidates.remove(best)
            taken.add(best)
    for draft in drafts:
        if draft.entry_id:
            continue
        if draft.status is None:
            same = [i for i in known.by_anchor(guide, draft.anchor) if i not in taken]
            if len(same) == 1:
                draft.entry_id = same[0]
                taken.add(same[0])
                continue
        if draft.status is not None:
            base = f"HTTP_{draft.status}" + (f"_{draft.slug}" if draft.slug else "")
        elif draft.code_id:
            base = draft.code_id
        else:
            base = ascii_slug(draft.anchor or draft.title, words=8) or "section"
            base = base if base[0].isalpha() else f"s-{base}"
        base = base[:64]
        other = known.entries.get(base)
        if other is not None and other.guide != guide:
            base = f"{guide}-{base}"[:64]
        entry_id, n = base, 1
        while entry_id in taken or (entry_id in known.entries and known.entries[entry_id].guide != guide):
            n += 1
            entry_id = f"{base[:60]}-{n}"
        if not ID_RE.match(entry_id):
            entry_id = f"s-{ascii_slug(entry_id)}"[:64]
        draft.entry_id = entry_id
        taken.add(entry_id)
    by_anchor = {d.anchor: d.entry_id for d in drafts}
    for draft in drafts:
        draft.related = sorted({by_anchor[a] for a in draft.facts.anchors if a in by_anchor} - {draft.entry_id})


def guide_yaml(name: str, title: str, lang: str, source: str) -> str:
    data = {"name": name, "title": {"en": title, "de": title}, "language": lang, "source": source,
            "markers": [], "weak_markers": [], "foreign": []}
    url_note = "" if source.startswith(("http://", "https://")) else (
        "# `source` is the file imported: replace it with the guide's public URL (replies link to it).\n")
    return ("# Guide written by `python app.py kb import`. Translate the title; list the words that tie a paste\n"
            "# to this guide's service (markers), hint at it (weak_markers) or name another service (foreign).\n"
            + url_note + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110))


def _diff(old: str, new: str, path: Path) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"{path} (existing)", f"{path} (import)"))


def import_guide(path: Path, *, guide: str, root: Path, out: TextIO, lang: str | None = None,
                 source: str | None = None, dry_run: bool = False, known: ExistingKnowledge | None = None,
                 show_diffs: bool = True) -> ImportReport:
    """Import one guide into `root` (a knowledge directory); prints what it does to `out`."""
    report = ImportReport()
    text, error = read_guide(path)
    if text is None:
        report.problems.append(f"{path}:{error[0]}: {error[1]}")
        _print(out, report.problems)
        return report
    document = parse_guide_text(text, path)
    lang = lang or guide_language(document, path)
    known = known if known is not None else ExistingKnowledge.scan(root)
    _mark_duplicate_anchors(document)
    drafts, section_problems, _ = plan(document, source=source, lang=lang)
    report.sections = sum(1 for top in document.sections for _ in top.walk())
    report.drafts = len(drafts)
    problems = sorted([*document.problems, *section_problems])
    if report.sections == 0:
        problems.append((1, "no sections found: a guide needs `##` headings, one per problem"))
    report.problems = [f"{path}:{line}: {message}" for line, message in problems]
    for line, target, followed in document.includes:
        out.write(f"{path}:{line}: include {target}: {'followed' if followed else 'not followed (no such file)'}\n")
    assign_ids(drafts, guide, known)
    entries_dir = Path(root) / "entries"
    if not dry_run:
        entries_dir.mkdir(parents=True, exist_ok=True)
    for draft in drafts:
        target = entries_dir / f"{draft.entry_id}.yaml"
        new = entry_yaml(entry_dict(draft, guide), guide_file=path.name, line=draft.line, lang=lang)
        if draft.entry_id in known.entries or target.exists():
            existing = (known.entries[draft.entry_id].path if draft.entry_id in known.entries else target)
            old = existing.read_text(encoding="utf-8", errors="replace")
            if old == new:
                report.unchanged.append(draft.entry_id)
            else:
                report.changed.append(draft.entry_id)
                if show_diffs:
                    out.write(_diff(old, new, existing))
            continue
        if not dry_run:
            target.write_text(new, encoding="utf-8")
            known.add(draft.entry_id, guide, draft.anchor, "draft", target)
        report.written.append(draft.entry_id)
        out.write(f"{'would write' if dry_run else 'wrote'} {target} ({draft.kind}, line {draft.line})\n")
    guide_path = Path(root) / "guides" / f"{guide}.yaml"
    if drafts and not guide_path.exists():
        title = str(document.front_matter.get("title") or "").strip() or document.title or guide
        if not dry_run:
            guide_path.parent.mkdir(parents=True, exist_ok=True)
            guide_path.write_text(guide_yaml(guide, title, lang, source or str(path)), encoding="utf-8")
        report.guide_written = True
        out.write(f"{'would write' if dry_run else 'wrote'} {guide_path}\n")
    _print(out, report.problems)
    return report


def _mark_duplicate_anchors(document: Document) -> None:
    """A second section with the same anchor cannot be linked to: it is reported, not imported."""
    first: dict[str, int] = {}
    for root in document.sections:
        for section in root.walk():
            if section.anchor in first:
                section.problems.append((section.line, f"duplicate anchor {section.anchor!r} (first at line "
                                                       f"{first[section.anchor]}): section not imported"))
            else:
                first[section.anchor] = section.line


def _print(out: TextIO, lines: Iterable[str]) -> None:
    for line in lines:
        out.write(line + "\n")


_GUIDE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")


def run_import(args, settings) -> int:
    """`python app.py kb import GUIDE.md --guide NAME ...`: 0 done, 1 problems in the guide, 2 bad usage."""
    import sys

    if len(args.targets) != 1 or not args.guide:
        print("kb import: give one Markdown guide and its name: kb import GUIDE.md --guide NAME", file=sys.stderr)
        return 2
    if not _GUIDE_NAME.match(args.guide):
        print(f"kb import: --guide {args.guide!r} must be lower-case letters, digits, '-', '_' or '.'",
              file=sys.stderr)
        return 2
    root = Path(args.dir) if args.dir else Path(settings.knowledge_dir)
    if not root.is_dir():
        print(f"kb import: {root} is not a knowledge directory", file=sys.stderr)
        return 2
    path = Path(args.targets[0])
    report = import_guide(path, guide=args.guide, root=root, out=sys.stdout, lang=args.lang, source=args.source,
                          dry_run=args.dry_run)
    print(report.summary(str(path)))
    return 1 if report.problems else 0
