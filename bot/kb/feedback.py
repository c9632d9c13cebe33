"""`kb feedback`: review the candidate examples feedback proposed, and accept or reject them.

    python app.py kb feedback [--status pending|accepted|rejected|all] [--json]
    python app.py kb feedback accept ID... [--by NAME]
    python app.py kb feedback reject ID... [--by NAME]

The listing groups candidates by the entry they are proposed for, with how often they were
reported and what the knowledge base answers for them today. Accepting turns a candidate into an
example the next index build learns from; every running server rebuilds within KB_POLL_SECONDS.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from bot.db.entries import EntryRepository
from bot.db.examples import Candidate, DecisionReport, ExampleRepository
from bot.engine.diagnose import diagnose
from bot.engine.index import KnowledgeIndex
from bot.settings import Settings

STATUSES = ("pending", "accepted", "rejected", "all")
EXCERPT_CHARS = 160
SHOWN_REPORTERS = 3


@dataclass(frozen=True)
class Today:
    """What the knowledge base being served answers for a candidate's paste."""

    decision: str
    entry_id: str | None
    score: float | None

    def right_for(self, entry_id: str) -> bool:
        return self.decision == "match" and self.entry_id == entry_id


def today(candidate: Candidate, index: KnowledgeIndex) -> Today:
    diagnosis = diagnose(candidate.text, index)
    top = diagnosis.top
    return Today(diagnosis.decision, top.entry.id if top else None, top.score if top else None)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def review_lines(candidates: Sequence[Candidate], index: KnowledgeIndex, *, status: str = "pending") -> list[str]:
    """The candidates grouped by entry, for a terminal."""
    if not candidates:
        return [f"No {'' if status == 'all' else status + ' '}candidate examples."]
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.entry_id, []).append(candidate)
    what = "Candidate examples" if status == "all" else f"{status.capitalize()} candidate examples"
    out = [f"{what}: {len(candidates)} for {len(groups)} entr{'y' if len(groups) == 1 else 'ies'}"]
    for entry_id, group in groups.items():
        entry = index.entry(entry_id)
        title = entry.title.en if entry else "(no longer in the knowledge base)"
        reports = sum(c.count for c in group)
        out += ["", f"{entry_id}  {title}  ({len(group)} candidate{'s' if len(group) != 1 else ''}, "
                    f"reported {reports} time{'s' if reports != 1 else ''})"]
        for c in group:
            answer = today(c, index)
            who = ", ".join(c.reporters[:SHOWN_REPORTERS]) or "-"
            if len(c.reporters) > SHOWN_REPORTERS:
                who += f" (+{len(c.reporters) - SHOWN_REPORTERS})"
            state = "" if status != "all" else f"  [{c.status}]"
            out.append(f"  #{c.id:<5} {c.count:>3}x  {c.verdict.replace('_', ' '):<11}  "
                       f"last {c.last_reported_at:%Y-%m-%d %H:%M} UTC  by {who}{state}")
            said = (f"{answer.entry_id} ({answer.decision.replace('_', ' ')}, {round((answer.score or 0) * 100)}%)"
                    if answer.entry_id else "no match")
            out.append(f"         today: {said}{'  - already right' if answer.right_for(entry_id) else ''}")
            out.append(f"         \"{excerpt(c.text)}\"")
    if status == "pending":
        out += ["", "accept: python app.py kb feedback accept ID...   reject: python app.py kb feedback reject ID..."]
    return out


def review_json(candidates: Sequence[Candidate], index: KnowledgeIndex) -> dict:
    rows = []
    for c in candidates:
        entry = index.entry(c.entry_id)
        answer = today(c, index)
        rows.append({
            "id": c.id, "entry_id": c.entry_id, "entry_title": entry.title.en if entry else None,
            "entry_exists": entry is not None, "status": c.status, "count": c.count, "verdict": c.verdict,
            "reporters": list(c.reporters), "answered_entry_id": c.answered_entry_id,
            "first_reported_at": c.first_reported_at.isoformat(), "last_reported_at": c.last_reported_at.isoformat(),
            "decided_by": c.decided_by, "decided_at": c.decided_at.isoformat() if c.decided_at else None,
            "text": c.text,
            "today": {"decision": answer.decision, "entry_id": answer.entry_id, "score": answer.score},
        })
    return {"candidates": rows}


def decision_lines(report: DecisionReport) -> tuple[list[str], list[str]]:
    """(lines for standard output, lines for standard error) describing what accept/reject did."""
    out, err = [], []
    for d in report.decisions:
        if d.outcome == "refused":
            err.append(f"#{d.id}: refused: {d.reason}")
        elif d.outcome == "unchanged":
            out.append(f"#{d.id}: {d.reason}")
        else:
            c = d.candidate
            what = f": {c.entry_id} <- \"{excerpt(c.text, 80)}\"" if c else ""
            out.append(f"#{d.id}: {d.outcome}{what}")
    if report.version is not None:
        out.append(f"knowledge base version {report.version}: running servers reload within KB_POLL_SECONDS")
    return out, err


def parse_ids(words: Sequence[str]) -> list[int] | str:
    """Candidate ids from the command line (`12`, `#12`); a message when one is not an id."""
    ids = []
    for word in words:
        digits = word.lstrip("#")
        if not digits.isdigit():
            return f"not a candidate id: {word!r} (ids are the numbers `kb feedback` lists)"
        ids.append(int(digits))
    return ids or "give the ids of the candidates (the numbers `kb feedback` lists)"


def run_feedback(args, settings: Settings, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    from bot.runtime import open_runtime

    words = list(args.targets)
    verb = words.pop(0) if words else "list"
    if verb not in ("list", "accept", "reject"):
        print(f"kb feedback: unknown action {verb!r}: use list, accept ID... or reject ID...", file=err)
        return 2
    if verb == "list" and words:
        print(f"kb feedback: unexpected argument(s): {' '.join(words)}", file=err)
        return 2
    ids = parse_ids(words) if verb != "list" else []
    if isinstance(ids, str):
        print(f"kb feedback {verb}: {ids}", file=err)
        return 2
    runtime = open_runtime(settings)
    try:
        if verb == "list":
            status = args.status or "pending"
            with runtime.sessions() as session:
                candidates = ExampleRepository(session).candidates(None if status == "all" else status)
            if args.json:
                print(json.dumps(review_json(candidates, runtime.index), ensure_ascii=False, indent=2), file=out)
            else:
                print("\n".join(review_lines(candidates, runtime.index, status=status)), file=out)
            return 0
        with runtime.sessions.begin() as session:
            known = EntryRepository(session).ids()
            report = ExampleRepository(session).decide(ids, accept=verb == "accept", by=args.by or _who(),
                                                       known_entries=known)
        lines, problems = decision_lines(report)
        if args.json:
            print(json.dumps({"decisions": [{"id": d.id, "outcome": d.outcome, "reason": d.reason}
                                            for d in report.decisions], "version": report.version}), file=out)
        elif lines:
            print("\n".join(lines), file=out)
        for line in problems:
            print(line, file=err)
        return 1 if report.refused else 0
    finally:
        runtime.engine.dispose()


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment (containers): still say where it came from
        return "cli"
