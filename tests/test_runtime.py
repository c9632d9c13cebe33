"""A running process builds its index from the database, so instances on one database agree."""

from __future__ import annotations

from dataclasses import replace

from bot.engine.diagnose import diagnose
from bot.engine.model import Localized
from bot.kb.files import load_knowledge
from bot.kb.sync import sync_knowledge
from bot.runtime import load_index, open_runtime
from bot.settings import Settings


def test_first_start_on_an_empty_database_loads_the_knowledge_base(db_url, knowledge_root):
    runtime = open_runtime(Settings(database_url=db_url, knowledge_dir=knowledge_root))
    try:
        assert runtime.kb_version == 1
        assert {e.id for e in runtime.index.entries} == {e.id for e in load_knowledge(knowledge_root).entries}
        assert diagnose("ERR_2200 user container crashed", runtime.index).top.entry.id == "ERR_2200"
    finally:
        runtime.engine.dispose()


def test_two_instances_on_one_database_serve_the_same_version(db_url, knowledge_root):
    settings = Settings(database_url=db_url, knowledge_dir=knowledge_root)
    first, second = open_runtime(settings), open_runtime(settings)
    try:
        assert first.kb_version == second.kb_version == 1
        assert first.index.entries == second.index.entries
        # An edit synced through one instance is what the other sees when it reloads.
        edited = [replace(e, title=Localized("Quota, edited", e.title.de)) if e.id == "ERR_1100" else e
                  for e in load_knowledge(knowledge_root).entries]
        with first.sessions.begin() as session:
            report = sync_knowledge(session, edited)
        assert report.updated == ("ERR_1100",)
        index, version = load_index(second.sessions)
        assert version == 2
        assert index.entry("ERR_1100").title.en == "Quota, edited"
    finally:
        first.engine.dispose()
        second.engine.dispose()


def test_diagnoses_are_logged_by_surface(db_url, knowledge_root):
    from bot.db.diagnoses import DiagnosisLog

    runtime = open_runtime(Settings(database_url=db_url, knowledge_dir=knowledge_root))
    try:
        runtime.log_diagnoses([diagnose("HTTP/1.1 413 Payload Too Large from my online endpoint", runtime.index)],
                              surface="slack")
        with runtime.sessions() as session:
            [record] = DiagnosisLog(session).recent(5, surface="slack")
        assert record.matches[0][0] == "HTTP_413" and record.decision in ("match", "close_call")
    finally:
        runtime.engine.dispose()
