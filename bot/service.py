"""BotService: `bot.slack.ports.DiagnosisService` over the runtime (index, renderer) and the database.

Each method reads `runtime.snapshot` once, so a knowledge-base reload in the middle of a request
never mixes two versions in one answer.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from bot.db.diagnoses import DiagnosisLog, record_from_diagnosis
from bot.db.entries import EntryRepository
from bot.db.examples import ExampleRepository
from bot.db.slack import FeedbackLog, FeedbackRecord, SlackEventLog
from bot.db.tables import utcnow
from bot.diagnosis_pool import HEAVY_CHARS, DiagnosisPool
from bot.engine.diagnose import diagnose
from bot.engine.model import Entry
from bot.replies.render import Renderer
from bot.runtime import Runtime
from bot.slack.ports import Metrics, PastDiagnosis, Recorded, ReviewItem, ReviewOutcome

log = logging.getLogger(__name__)

# Stored (redacted) text of a Slack diagnosis: enough to diagnose it again for its buttons.
SLACK_EXCERPT_CHARS = 20_000
EVENT_ID_MAX = 64  # the width of slack_events.event_id
KEEP_EVENTS = timedelta(days=1)  # Slack retries an event for minutes; a day is plenty
PRUNE_EVERY = timedelta(hours=1)
TOKEN_RE = re.compile(r"[\w.:-]{2,100}")  # one word: what a direct look-up may be
# A slash command answers in its acknowledgement, which Slack waits 3 seconds for: its heavy paste
# gets at most this long; a thread reply may come later (the pool's own time limit).
SLASH_TIME_LIMIT = 2.0


class BotService:
    """Diagnoses and records; answers look-ups, history, feedback and event de-duplication."""

    def __init__(self, runtime: Runtime, *, metrics: Metrics | None = None, pool: DiagnosisPool | None = None) -> None:
        self.runtime = runtime
        self.metrics = metrics
        self.pool = pool  # where heavy pastes are diagnosed; None: every paste in the calling thread
        self._pruned_at = None
        self._prune_lock = threading.Lock()

    @property
    def renderer(self) -> Renderer:
        """The renderer of the knowledge base being served (it knows that version's guides)."""
        return self.runtime.snapshot.renderer

    def diagnose(self, text: str, *, surface: str, user_id: str | None = None,
                 channel_id: str | None = None, lang: str | None = None) -> Recorded:
        """Diagnose `text` and record it with who asked where; the id is what buttons refer to."""
        started = time.perf_counter()
        snapshot = self.runtime.snapshot
        renderer: Renderer | None = snapshot.renderer
        if self.pool is not None and len(text) >= HEAVY_CHARS:
            # Raises DiagnosisUnavailable (busy, too slow): the Slack layer answers with a notice.
            result = self.pool.diagnose(text, lang=lang, version=snapshot.version, time_limit=self._time_limit(surface))
            diagnosis = result.diagnosis
            if result.version != snapshot.version:  # a sync landed meanwhile: render with what is served then
                renderer = None
        else:
            diagnosis = diagnose(text, snapshot.index, lang=lang)
        record = record_from_diagnosis(diagnosis, surface=surface, excerpt_chars=SLACK_EXCERPT_CHARS,
                                       user_id=user_id, channel_id=channel_id)
        # Unlike the CLI's log, a failure here fails the answer: its buttons would point at nothing.
        with self.runtime.sessions.begin() as session:
            diagnosis_id = DiagnosisLog(session).add(record)
        if self.metrics is not None:
            top = diagnosis.top
            self.metrics.diagnosis(surface=surface, decision=diagnosis.decision,
                                   entry_id=top.entry.id if top else None,
                                   seconds=time.perf_counter() - started)
        return Recorded(diagnosis, diagnosis_id, renderer)

    def _time_limit(self, surface: str) -> float:
        limit = self.pool.time_limit if self.pool is not None else SLASH_TIME_LIMIT
        return min(limit, SLASH_TIME_LIMIT) if surface == "slash" else limit

    def recorded(self, diagnosis_id: int, *, lang: str | None = None) -> Recorded | None:
        """Diagnose again the stored excerpt of diagnosis `diagnosis_id` (not recorded again)."""
        with self.runtime.sessions() as session:
            record = DiagnosisLog(session).get(diagnosis_id)
        if record is None:
            return None
        snapshot = self.runtime.snapshot
        lang = lang or record.language
        if self.pool is not None and len(record.excerpt) >= HEAVY_CHARS:
            result = self.pool.diagnose(record.excerpt, lang=lang, version=snapshot.version,
                                        time_limit=self.pool.time_limit)
            return Recorded(result.diagnosis, diagnosis_id,
                            snapshot.renderer if result.version == snapshot.version else None)
        return Recorded(diagnose(record.excerpt, snapshot.index, lang=lang), diagnosis_id, snapshot.renderer)

    def entries(self) -> list[Entry]:
        return list(self.runtime.snapshot.index.entries)

    def entry(self, entry_id: str) -> Entry | None:
        return self.runtime.snapshot.index.entry(entry_id)

    def lookup(self, query: str) -> list[Entry]:
        """Entries named by `query`: an entry id, an error code or an HTTP status, case-insensitive.

        A single word none of these name is tried against the entries' exact phrases and patterns,
        which know the names today's CLI prints (`OutOfQuota`, `key_auth_access_denied`).
        """
        wanted = query.strip().lower()
        if not wanted:
            return []
        index = self.runtime.snapshot.index
        entries = index.entries
        found = [e for e in entries if e.id.lower() == wanted]
        found += [e for e in entries if any(code.lower() == wanted for code in e.signals.codes)]
        if len(wanted) == 3 and wanted.isdigit():
            found += [e for e in entries if int(wanted) in e.signals.status]
        if not found and TOKEN_RE.fullmatch(wanted):
            word = query.strip()
            found = [e for e in entries if any(p.lower() == wanted for p in e.signals.phrases)]
            # The index's patterns: compiled once, shared with the matcher.
            found += [index.entries[p.entry] for p in index.patterns if p.regex.search(word)]
        unique: dict[str, Entry] = {}
        for entry in found:
            unique.setdefault(entry.id, entry)
        return list(unique.values())

    def history(self, user_id: str, *, limit: int = 5) -> list[PastDiagnosis]:
        with self.runtime.sessions() as session:
            rows = DiagnosisLog(session).by_user(user_id, limit)
        return [PastDiagnosis(diagnosis_id=i, created_at=r.created_at, surface=r.surface, excerpt=r.excerpt,
                              decision=r.decision, top_entry_id=r.top_entry_id, top_score=r.top_score)
                for i, r in rows]

    def record_feedback(self, *, diagnosis_id: int, user_id: str, verdict: str,
                        correct_entry_id: str | None = None) -> None:
        """Record the verdict, and propose the paste as a candidate example of the entry it names:
        the answer for "Solved it", the picked entry for "Wrong match". Candidates wait for review."""
        with self.runtime.sessions.begin() as session:
            FeedbackLog(session).add(FeedbackRecord(diagnosis_id, user_id, verdict, correct_entry_id))
            record = DiagnosisLog(session).get(diagnosis_id)
            if record is None:
                return
            entry_id = record.top_entry_id if verdict == "solved" else correct_entry_id
            # Only entries served now: an id from a select shown before a sync removed it is not proposed.
            if entry_id and self.runtime.snapshot.index.entry(entry_id) is not None:
                ExampleRepository(session).propose(entry_id=entry_id, text=record.excerpt, verdict=verdict,
                                                   user_id=user_id, answered_entry_id=record.top_entry_id)

    def review_items(self, *, limit: int = 20) -> tuple[list[ReviewItem], int]:
        """Pending candidates, most reported first, each with what the served knowledge base answers now."""
        with self.runtime.sessions() as session:
            pending = ExampleRepository(session).candidates("pending")
        pending.sort(key=lambda c: (-c.count, -c.last_reported_at.timestamp(), c.id))
        index = self.runtime.snapshot.index
        items = []
        for c in pending[:limit]:
            now = diagnose(c.text, index)
            items.append(ReviewItem(c.id, c.entry_id, c.text, c.count, c.reporters, c.verdict,
                                    now.top.entry.id if now.top else None, now.decision))
        return items, len(pending)

    def review(self, candidate_ids: list[int], *, accept: bool, by: str) -> list[ReviewOutcome]:
        with self.runtime.sessions.begin() as session:
            known = EntryRepository(session).ids()
            report = ExampleRepository(session).decide(candidate_ids, accept=accept, by=by, known_entries=known)
        return [ReviewOutcome(d.id, d.outcome, d.code, d.candidate.entry_id if d.candidate else None,
                              d.candidate.status if d.candidate else None) for d in report.decisions]

    def first_delivery(self, event_id: str) -> bool:
        """True the first time `event_id` is seen by any process on this database."""
        key = event_id if len(event_id) <= EVENT_ID_MAX else hashlib.sha256(event_id.encode()).hexdigest()
        try:
            with self.runtime.sessions.begin() as session:
                SlackEventLog(session).add(key)
        except IntegrityError:  # the primary key: another delivery (here or elsewhere) got there first
            return False
        self._prune_now_and_then()
        return True

    def _prune_now_and_then(self) -> None:
        now = utcnow()
        with self._prune_lock:
            if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
                return
            self._pruned_at = now
        try:
            with self.runtime.sessions.begin() as session:
                removed = SlackEventLog(session).prune(now - KEEP_EVENTS)
            log.debug("forgot %d handled Slack event id(s)", removed)
        except Exception:  # an old id kept a while longer harms nothing
            log.exception("could not prune handled Slack event ids")
