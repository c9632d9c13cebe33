"""Runtime: the database, and the knowledge base served from it as one immutable snapshot.

A running process builds its index from the database (not from the files), so every instance on
one database serves the same knowledge-base version. `bot.kb_watch` swaps in a new snapshot when a
sync bumps the version; a request reads `runtime.snapshot` once and uses that for all it does.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.db.diagnoses import DiagnosisLog, record_from_diagnosis
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.entries import EntryRepository
from bot.db.examples import ExampleRepository
from bot.db.guides import GuideRepository
from bot.db.migrate import upgrade
from bot.engine.index import KnowledgeIndex, build_index
from bot.engine.model import Diagnosis
from bot.kb.files import load_knowledge
from bot.kb.guides import load_guide_files
from bot.kb.sync import SyncReport, sync_knowledge
from bot.replies.render import Renderer
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """One knowledge-base version as served: its index, its number and the renderer that knows its guides.

    Never changed once built: readers holding it see one consistent version however long they take.
    """

    index: KnowledgeIndex
    version: int
    renderer: Renderer
    build_ms: float = 0.0

    @property
    def entry_count(self) -> int:
        return len(self.index.entries)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker
    # Replaced whole (one attribute assignment, atomic) by the watcher; never mutated in place.
    snapshot: Snapshot

    @property
    def index(self) -> KnowledgeIndex:
        return self.snapshot.index

    @property
    def kb_version(self) -> int:
        return self.snapshot.version

    @property
    def renderer(self) -> Renderer:
        return self.snapshot.renderer

    def stored_version(self) -> int:
        """The knowledge-base version in the database now: one small SELECT."""
        with self.sessions() as session:
            return EntryRepository(session).version()

    def log_diagnosis(self, diagnosis: Diagnosis, *, surface: str) -> None:
        self.log_diagnoses([diagnosis], surface=surface)

    def log_diagnoses(self, diagnoses: Sequence[Diagnosis], *, surface: str) -> None:
        """Record diagnoses in one transaction; a failure to log never fails the answer."""
        if not diagnoses:
            return
        try:
            with self.sessions.begin() as session:
                journal = DiagnosisLog(session)
                for diagnosis in diagnoses:
                    journal.add(record_from_diagnosis(diagnosis, surface=surface))
        except Exception:  # the user already has the diagnosis; losing a log row is only logged
            log.exception("could not record %d diagnosis(es)", len(diagnoses))


def sync_from_files(settings: Settings, *, engine: Engine | None = None) -> SyncReport:
    """Validate knowledge/ and load it into the database (migrating it first).

    Nothing is written when the files have problems or hold no entry: a sync makes the database
    equal to the files, so a typo (or a wrong KNOWLEDGE_DIR) would otherwise delete the entries it
    hides from every running instance.
    """
    upgrade(settings.database_url)
    owned = engine is None
    engine = engine or make_engine(settings.database_url)
    try:
        result = load_knowledge(settings.knowledge_dir)
        guides, guide_problems = load_guide_files(settings.knowledge_dir)
        problems = [str(p) for p in (*result.problems, *guide_problems)]
        if not result.entries:
            problems.append(f"{settings.knowledge_dir}: no entries found (entries/*.yaml)")
        with make_sessionmaker(engine).begin() as session:
            if problems:
                return SyncReport(version=EntryRepository(session).version(), problems=tuple(problems))
            return sync_knowledge(session, result.entries, guides)
    finally:
        if owned:
            engine.dispose()


def load_index(sessions: sessionmaker) -> tuple[KnowledgeIndex, int]:
    """The index of the stored knowledge base (with the accepted feedback examples) and its version.

    The version is read before the entries: should a sync commit in between, the index is newer than
    the version it is filed under, and the next look at the version loads it again. The other way
    round, a process could serve old entries under the new version and never reload them.
    """
    with _no_gc_pauses():
        with sessions() as session:
            version = EntryRepository(session).version()
            entries = EntryRepository(session).all()
            guides = GuideRepository(session).all()
            confirmed = ExampleRepository(session).accepted()
        return build_index(entries, guides, confirmed=confirmed), version


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Building an index allocates hundreds of thousands of objects that all live on; the cycle
    collector would walk them again and again (about half the build time for 10,000 entries)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_snapshot(sessions: sessionmaker) -> Snapshot:
    """Read the stored knowledge base and build everything a request needs from it."""
    started = time.perf_counter()
    index, version = load_index(sessions)
    renderer = Renderer(guides=tuple(index.guides.values()))
    return Snapshot(index, version, renderer, (time.perf_counter() - started) * 1000)


def prepare_database(settings: Settings, *, engine: Engine | None = None, sync_if_empty: bool = True) -> None:
    """Migrate the database and load the knowledge base into it when it is empty."""
    upgrade(settings.database_url)
    if not sync_if_empty:
        return
    owned = engine is None
    engine = engine or make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            empty = EntryRepository(session).count() == 0
        if empty:
            report = sync_from_files(settings, engine=engine)
            (log.error if report.problems else log.info)("knowledge base was empty: %s", report.summary())
    finally:
        if owned:
            engine.dispose()


def open_runtime(settings: Settings, *, sync_if_empty: bool = True) -> Runtime:
    """Migrate the database, load the knowledge base into it when it is empty, build the index."""
    engine = make_engine(settings.database_url)
    prepare_database(settings, engine=engine, sync_if_empty=sync_if_empty)
    sessions = make_sessionmaker(engine)
    return Runtime(settings, engine, sessions, load_snapshot(sessions))
