"""Heavy pastes in child processes: the same diagnosis as in the server's thread, bounded in number and time.

Real child processes on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import threading

import pytest

from bot.diagnosis_pool import DiagnosisBusy, DiagnosisPool, DiagnosisTooSlow
from bot.engine.diagnose import diagnose
from bot.runtime import open_runtime
from bot.settings import Settings
from tests.ackbench import heavy_paste
from tests.server_process import wait_until


@pytest.fixture
def served(db_url, knowledge_root):
    runtime = open_runtime(Settings(database_url=db_url, knowledge_dir=knowledge_root))
    yield runtime
    runtime.engine.dispose()


def test_a_heavy_paste_gets_the_diagnosis_the_server_would_make_and_a_slow_one_is_stopped(served):
    paste = heavy_paste(seed=3)
    expected = diagnose(paste, served.index)
    pool = DiagnosisPool(served.settings.database_url, workers=1, queue_limit=0, time_limit=60)
    try:
        result = pool.diagnose(paste, lang=None, version=served.kb_version, time_limit=60)
        assert result.version == served.kb_version
        assert result.diagnosis.decision == expected.decision
        assert [(m.entry.id, m.score) for m in result.diagnosis.matches] == \
               [(m.entry.id, m.score) for m in expected.matches]
        # A version the child does not have: it loads the stored one again and says which it used.
        assert pool.diagnose(paste, lang="de", version=served.kb_version + 7, time_limit=60).version == \
               served.kb_version
        with pytest.raises(DiagnosisTooSlow):
            pool.diagnose(paste, lang=None, version=served.kb_version, time_limit=0.001)
        # The stopped child is replaced: the next paste is diagnosed again.
        again = pool.diagnose(paste, lang=None, version=served.kb_version, time_limit=60)
        assert again.diagnosis.decision == expected.decision
    finally:
        pool.close()


def test_beyond_its_processes_and_queue_the_pool_says_busy_at_once(served):
    pool = DiagnosisPool(served.settings.database_url, workers=1, queue_limit=0, time_limit=60)
    outcome: list[object] = []
    try:
        first = threading.Thread(target=lambda: outcome.append(
            pool.diagnose(heavy_paste(), lang=None, version=served.kb_version, time_limit=60)))
        first.start()
        wait_until(lambda: pool._admitted == 1, what="the first paste admitted")
        with pytest.raises(DiagnosisBusy):
            pool.diagnose("ERR_1200 " * 1000, lang=None, version=served.kb_version, time_limit=60)
        first.join(timeout=120)
        assert len(outcome) == 1 and outcome[0].version == served.kb_version
    finally:
        pool.close()
