"""Loading the knowledge base into the database: idempotent, and versioned for every running instance.

`sync_knowledge` makes the stored entries (and guides) equal to the given ones, touching only rows
whose content changed, and bumps the knowledge-base version when anything did. It does not commit:
the caller owns the transaction (`with sessions.begin() as session: sync_knowledge(session, ...)`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from bot.db.tables import STATE_ID, EntryRow, GuideRow, KbStateRow, utcnow
from bot.engine.model import Entry, Guide
from bot.kb.codec import entry_to_dict
from bot.kb.guide_codec import guide_to_dict


@dataclass(frozen=True)
class SyncReport:
    """What a sync did. Ids are sorted; `version` is the knowledge-base version after the sync."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    version: int = 0
    guides_changed: tuple[str, ...] = ()  # names of guides added, updated or removed
    problems: tuple[str, ...] = ()  # problems found in the files (bad files were skipped)
    drafts: int = 0  # draft entry files left out: `kb review` makes them served

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.guides_changed)

    def summary(self) -> str:
        """One line of counts, then one line per problem."""
        line = (f"knowledge base version {self.version}"
                f"{'' if self.changed else ' (no change)'}: {len(self.added)} added, "
                f"{len(self.updated)} updated, {len(self.removed)} removed, {self.unchanged} unchanged")
        if self.guides_changed:
            line += f"; guides changed: {', '.join(self.guides_changed)}"
        if self.drafts:
            line += f"; {self.drafts} draft{'s' if self.drafts != 1 else ''} not served (see `kb review`)"
        if self.problems:
            line = (f"knowledge base version {self.version}: nothing synced, "
                    f"{len(self.problems)} problem(s) in the files (fix them, see `kb check`):")
        return "\n".join([line, *self.problems])


def content_hash(document: Mapping) -> str:
    """sha256 of the canonical JSON of a document: equal content, equal hash."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sync_knowledge(session: Session, entries: Sequence[Entry], guides: Sequence[Guide] | None = None) -> SyncReport:
    """Make the stored knowledge base equal to `entries` (and `guides`, unless None: leave them).

    Raises ValueError on duplicate ids or guide names, before anything is written.
    """
    documents = _documents({e.id: entry_to_dict(e) for e in entries}, [e.id for e in entries], "entry id")
    guide_documents = None
    if guides is not None:
        as_dicts = [guide_to_dict(g) for g in guides]
        guide_documents = _documents({d["name"]: d for d in as_dicts}, [d["name"] for d in as_dicts], "guide name")

    state = _lock_state(session)
    now = utcnow()
    added, updated, removed, unchanged = _sync_entries(session, documents, now)
    guides_changed = () if guide_documents is None else _sync_guides(session, guide_documents)
    report = SyncReport(added, updated, removed, unchanged, state.version, guides_changed)
    if report.changed:
        state.version += 1
        state.updated_at = now
        session.flush()
        report = replace(report, version=state.version)
    return report


def _documents(by_key: dict[str, dict], keys: list[str], what: str) -> dict[str, tuple[dict, str]]:
    if len(by_key) != len(keys):
        duplicates = sorted(k for k, n in Counter(keys).items() if n > 1)
        raise ValueError(f"duplicate {what}(s): {', '.join(duplicates)}")
    return {key: (doc, content_hash(doc)) for key, doc in by_key.items()}


def _lock_state(session: Session) -> KbStateRow:
    """The state row, locked until the transaction ends, so concurrent syncs take turns."""
    if session.get_bind().dialect.name == "sqlite":
        # SQLite ignores FOR UPDATE; a first write takes the database's write lock instead (waiting
        # up to the busy timeout), so a second sync reads the entries only after the first commits.
        bump_nothing = update(KbStateRow).where(KbStateRow.id == STATE_ID).values(version=KbStateRow.version)
        session.execute(bump_nothing.execution_options(synchronize_session=False))
    # populate_existing: a row this session loaded earlier must be re-read now that it is locked.
    query = (select(KbStateRow).where(KbStateRow.id == STATE_ID).with_for_update()
             .execution_options(populate_existing=True))
    state = session.scalars(query).one_or_none()
    if state is None:  # only in databases made by create_all; migrations insert the row
        state = KbStateRow(id=STATE_ID, version=0, updated_at=utcnow())
        session.add(state)
        session.flush()
    return state


def _sync_entries(session: Session, documents: dict[str, tuple[dict, str]], now: datetime):
    stored = dict(session.execute(select(EntryRow.id, EntryRow.content_hash)).all())
    added = sorted(set(documents) - set(stored))
    removed = sorted(set(stored) - set(documents))
    updated = sorted(i for i in set(documents) & set(stored) if documents[i][1] != stored[i])
    if added:
        session.execute(insert(EntryRow), [_entry_values(i, *documents[i], now) for i in added])
    if updated:
        # ORM bulk UPDATE by primary key: one statement per batch, not one SELECT per row.
        session.execute(update(EntryRow), [_entry_values(i, *documents[i], now) for i in updated])
    if removed:
        session.execute(delete(EntryRow).where(EntryRow.id.in_(removed)))
    unchanged = len(documents) - len(added) - len(updated)
    return tuple(added), tuple(updated), tuple(removed), unchanged


def _entry_values(entry_id: str, document: dict, digest: str, now: datetime) -> dict:
    return {"id": entry_id, "guide": document["guide"], "kind": document["kind"], "anchor": document["anchor"],
            "title_en": document["title"]["en"], "document": document, "content_hash": digest, "updated_at": now}


def _sync_guides(session: Session, documents: dict[str, tuple[dict, str]]) -> tuple[str, ...]:
    stored = dict(session.execute(select(GuideRow.name, GuideRow.content_hash)).all())
    added = set(documents) - set(stored)
    removed = set(stored) - set(documents)
    updated = {n for n in set(documents) & set(stored) if documents[n][1] != stored[n]}
    if added:
        session.execute(insert(GuideRow), [_guide_values(*documents[n]) for n in sorted(added)])
    if updated:
        session.execute(update(GuideRow), [_guide_values(*documents[n]) for n in sorted(updated)])
    if removed:
        session.execute(delete(GuideRow).where(GuideRow.name.in_(removed)))
    return tuple(sorted(added | updated | removed))


def _guide_values(document: dict, digest: str) -> dict:
    return {"name": document["name"], "title_en": document["title"]["en"], "title_de": document["title"]["de"],
            "language": document["language"], "source": document["source"], "document": document,
            "content_hash": digest}
