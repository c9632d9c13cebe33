"""`kb stats`: what the knowledge base holds and how it fares, from the diagnosis log and feedback.

The "no match" pastes grouped by similarity are the gaps in the knowledge base; the entries with most
"Wrong match" feedback are the ones to review first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.tables import DiagnosisRow, EntryRow, FeedbackRow

GROUP_SIMILARITY = 70  # token_set_ratio at which two "no match" pastes count as the same gap
MAX_GAP_PASTES = 2000  # the newest ones; grouping is quadratic in the worst case
EXCERPT_FOR_GROUPING = 400


@dataclass(frozen=True)
class Gap:
    count: int
    sample: str  # the newest paste of the group


@dataclass
class KbStats:
    entries_by_guide_and_kind: dict[tuple[str, str], int] = field(default_factory=dict)
    diagnoses: int = 0
    by_decision: dict[str, int] = field(default_factory=dict)
    top_entries: list[tuple[str, int]] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    wrong_matches: list[tuple[str, int]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = ["entries by guide and kind:"]
        out += [f"  {guide} / {kind}: {n}" for (guide, kind), n in sorted(self.entries_by_guide_and_kind.items())]
        decisions = ", ".join(f"{d} {n}" for d, n in sorted(self.by_decision.items())) or "none yet"
        out.append(f"diagnoses logged: {self.diagnoses} ({decisions})")
        out.append("most frequent entries (top match):")
        out += [f"  {entry}: {n}" for entry, n in self.top_entries] or ["  -"]
        out.append("'no match' pastes grouped by similarity (the gaps):")
        out += [f"  {gap.count} x {gap.sample!r}" for gap in self.gaps] or ["  -"]
        out.append("entries with most 'Wrong match' feedback:")
        out += [f"  {entry}: {n}" for entry, n in self.wrong_matches] or ["  -"]
        return out


def collect(session: Session, *, since: datetime | None = None, top: int = 10) -> KbStats:
    stats = KbStats()
    rows = session.execute(select(EntryRow.guide, EntryRow.kind, func.count()).group_by(EntryRow.guide, EntryRow.kind))
    stats.entries_by_guide_and_kind = {(guide, kind): n for guide, kind, n in rows}

    def logged(query):
        return query.where(DiagnosisRow.created_at >= since) if since else query

    decisions = session.execute(logged(select(DiagnosisRow.decision, func.count()).group_by(DiagnosisRow.decision)))
    stats.by_decision = dict(decisions.all())
    stats.diagnoses = sum(stats.by_decision.values())
    frequent = session.execute(logged(
        select(DiagnosisRow.top_entry_id, func.count()).where(DiagnosisRow.top_entry_id.is_not(None))
        .group_by(DiagnosisRow.top_entry_id).order_by(func.count().desc(), DiagnosisRow.top_entry_id).limit(top)))
    stats.top_entries = [(entry, n) for entry, n in frequent]
    pastes = session.scalars(logged(
        select(DiagnosisRow.excerpt).where(DiagnosisRow.decision == "no_match")
        .order_by(DiagnosisRow.created_at.desc(), DiagnosisRow.id.desc()).limit(MAX_GAP_PASTES))).all()
    stats.gaps = group_similar(pastes)[:top]
    wrong = session.execute(
        select(DiagnosisRow.top_entry_id, func.count(func.distinct(FeedbackRow.diagnosis_id)))
        .join(FeedbackRow, FeedbackRow.diagnosis_id == DiagnosisRow.id)
        .where(FeedbackRow.verdict == "wrong_match", DiagnosisRow.top_entry_id.is_not(None))
        .group_by(DiagnosisRow.top_entry_id).order_by(func.count(func.distinct(FeedbackRow.diagnosis_id)).desc(),
                                                      DiagnosisRow.top_entry_id).limit(top))
    stats.wrong_matches = [(entry, n) for entry, n in wrong]
    return stats


def group_similar(pastes: list[str]) -> list[Gap]:
    """Greedy grouping, newest first: a paste joins the first group whose sample it resembles."""
    samples: list[str] = []
    counts: Counter = Counter()
    for paste in pastes:
        text = " ".join(paste.split())[:EXCERPT_FOR_GROUPING]
        if not text:
            continue
        for n, sample in enumerate(samples):
            if fuzz.token_set_ratio(text, sample) >= GROUP_SIMILARITY:
                counts[n] += 1
                break
        else:
            samples.append(text)
            counts[len(samples) - 1] += 1
    return [Gap(counts[n], samples[n]) for n in sorted(counts, key=lambda n: (-counts[n], n))]
