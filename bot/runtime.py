"""Runtime: the database, the knowledge index built from it, and the renderer, wired once.

A running process builds its index from the database (not from the files), so every instance on
one database serves the same knowledge-base version.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.db.diagnoses import DiagnosisLog, record_from_diagnosis
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.entries import EntryRepository
from bot.db.guides import GuideRepository
from bot.db.migrate import upgrade
from bot.index import KnowledgeIndex, build_index
from bot.kb.files import load_knowledge
from bot.kb.guides import load_guide_files
from bot.kb.sync import SyncReport, sync_knowledge
from bot.model import Diagnosis
from bot.render import Renderer
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker
    index: KnowledgeIndex
    kb_version: int
    renderer: Renderer

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
    with sessions() as session:
        entries = EntryRepository(session).all()
        guides = GuideRepository(session).all()
        version = EntryRepository(session).version()
    return build_index(entries, guides), version


def open_runtime(settings: Settings, *, sync_if_empty: bool = True) -> Runtime:
    """Migrate the database, load the knowledge base into it when it is empty, build the index."""
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    if sync_if_empty:
        with sessions() as session:
            empty = EntryRepository(session).count() == 0
        if empty:
            report = sync_from_files(settings, engine=engine)
            (log.error if report.problems else log.info)("knowledge base was empty: %s", report.summary())
    index, version = load_index(sessions)
    renderer = Renderer(guide_sources={g.name: g.source for g in index.guides.values()})
    return Runtime(settings, engine, sessions, index, version, renderer)
