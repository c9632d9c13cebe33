"""A running process serves a new sync within seconds, without a restart, and never half of one."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import update

from bot.db.engine import make_engine, make_sessionmaker
from bot.db.tables import STATE_ID, EntryRow, KbStateRow
from bot.engine.model import Signals
from bot.kb.files import load_knowledge
from bot.kb.guides import load_guide_files
from bot.kb.sync import sync_knowledge
from bot.kb_watch import KnowledgeWatcher
from bot.runtime import open_runtime
from bot.service import BotService
from bot.settings import Settings
from bot.web.app import app_state, create_app
from bot.web.health import readiness

SHIPPED = 18


@pytest.fixture
def settings(db_url, knowledge_root):
    return Settings(database_url=db_url, knowledge_dir=knowledge_root, kb_poll_seconds=0)


@pytest.fixture
def runtime(settings):
    runtime = open_runtime(settings)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def elsewhere(db_url, knowledge_root, engine_factory):
    """`elsewhere(extra)`: sync the shipped files plus `extra` new entries from another process's engine."""
    sessions = make_sessionmaker(engine_factory(db_url))
    shipped = load_knowledge(knowledge_root).entries
    guides, _ = load_guide_files(knowledge_root)

    def sync(extra: int) -> int:
        added = [replace(shipped[0], id=f"RELOAD_{n}", signals=Signals(codes=(f"ReloadCode{n}",)), examples=())
                 for n in range(extra)]
        with sessions.begin() as session:
            return sync_knowledge(session, [*shipped, *added], guides).version

    return sync


def wait_for(check, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.02)


def test_a_sync_elsewhere_is_served_within_the_poll_interval(runtime, elsewhere, caplog):
    service = BotService(runtime)
    assert service.diagnose("ReloadCode0 happened", surface="cli").diagnosis.decision == "no_match"
    swapped = []
    watcher = KnowledgeWatcher(runtime, interval=0.1, on_swap=swapped.append).start()
    try:
        with caplog.at_level(logging.INFO, logger="bot.kb_watch"):
            assert elsewhere(1) == 2
            wait_for(lambda: runtime.kb_version == 2, timeout=60)  # a poll and a build; generous for CI
    finally:
        watcher.stop()
    assert [s.version for s in swapped] == [2] and swapped[0].entry_count == SHIPPED + 1
    assert service.diagnose("ReloadCode0 happened", surface="cli").diagnosis.top.entry.id == "RELOAD_0"
    assert service.lookup("ReloadCode0")[0].id == "RELOAD_0"
    assert readiness(runtime).as_json() == {"status": "ready", "database": "ok", "kb_version": 2,
                                            "entries": SHIPPED + 1}
    [line] = [r.getMessage() for r in caplog.records if "loaded" in r.getMessage()]
    assert line.startswith(f"knowledge base version 2 loaded ({SHIPPED + 1} entries) in ") and line.endswith(" ms")
    assert not watcher.running


def test_readers_during_rebuilds_see_one_whole_version_and_never_an_error(runtime, elsewhere):
    service = BotService(runtime)
    counts = {1: SHIPPED}  # version -> entries synced under it
    seen: set[tuple[int, int]] = set()
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                state = readiness(runtime)  # the version and entry count of one snapshot
                seen.add((state.kb_version, state.entries))
                assert len(service.entries()) in counts.values()
                assert service.lookup("ERR_1200")[0].id == "ERR_1200"
                snapshot = runtime.snapshot
                assert len(snapshot.index.entries) == counts[snapshot.version]
            except BaseException as exc:  # collected: the test fails with it below
                errors.append(exc)
                return

    readers = [threading.Thread(target=read) for _ in range(3)]
    watcher = KnowledgeWatcher(runtime, interval=0.05).start()
    for reader in readers:
        reader.start()
    try:
        for extra in range(1, 6):
            version = elsewhere(extra)
            counts[version] = SHIPPED + extra
            wait_for(lambda v=version: runtime.kb_version == v)
    finally:
        done.set()
        for reader in readers:
            reader.join(10)
        watcher.stop()
    assert not errors, errors[0]
    assert seen <= set(counts.items())  # never a version with another version's entries
    assert len(seen) >= 3  # the readers did run across several swaps
    assert runtime.kb_version == 6


def test_a_broken_stored_entry_keeps_the_old_snapshot_until_a_good_sync(runtime, elsewhere, db_url, engine_factory,
                                                                         caplog):
    served = runtime.snapshot
    with make_sessionmaker(engine_factory(db_url)).begin() as session:  # a sync gone wrong, by hand
        session.execute(update(EntryRow).where(EntryRow.id == "ERR_1200")
                        .values(document={"id": "ERR_1200"}, content_hash="broken"))
        session.execute(update(KbStateRow).where(KbStateRow.id == STATE_ID).values(version=KbStateRow.version + 1))
    watcher = KnowledgeWatcher(runtime, interval=60)
    with caplog.at_level(logging.INFO, logger="bot.kb_watch"):
        assert watcher.check() is False
        assert watcher.check() is False  # tried again at the next poll, quietly
    assert runtime.snapshot is served
    assert BotService(runtime).entry("ERR_1200") is not None
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1 and "still serving version 1" in failures[0].getMessage()
    assert failures[0].exc_info is not None  # the cause is in the log

    version = elsewhere(0)  # rewrites the broken row
    assert watcher.check() is True
    assert runtime.kb_version == version and runtime.snapshot.index.entry("ERR_1200").title == served.index.entry(
        "ERR_1200").title


def test_a_database_that_does_not_answer_keeps_the_old_snapshot(runtime):
    unreachable = make_engine("postgresql://tsgbot@127.0.0.1:1/tsgbot")  # nothing listens on port 1
    try:
        down = replace(runtime, engine=unreachable, sessions=make_sessionmaker(unreachable))
        served = down.snapshot
        assert KnowledgeWatcher(down, interval=60).check() is False
        assert down.snapshot is served and down.kb_version == 1
    finally:
        unreachable.dispose()


def test_the_app_reloads_updates_readyz_and_metrics_and_stops_on_close(settings, elsewhere):
    app = create_app(replace(settings, kb_poll_seconds=1))
    state = app_state(app)
    client = app.test_client()
    try:
        assert state.watcher is not None and state.watcher.running
        assert client.get("/readyz").json["kb_version"] == 1
        elsewhere(1)
        wait_for(lambda: client.get("/readyz").json["kb_version"] == 2, timeout=5)
        assert client.get("/readyz").json["entries"] == SHIPPED + 1
        metrics = client.get("/metrics").get_data(as_text=True).splitlines()
        assert "tsgbot_kb_version 2.0" in metrics and f"tsgbot_kb_entries {SHIPPED + 1}.0" in metrics
    finally:
        state.close()
    assert not state.watcher.running


def test_reloading_is_off_with_kb_poll_seconds_0(settings):
    app = create_app(settings)
    try:
        assert app_state(app).watcher is None
    finally:
        app_state(app).close()


def test_kb_poll_seconds_is_read_from_the_environment():
    assert Settings.from_env({}).kb_poll_seconds == 2
    assert Settings.from_env({"KB_POLL_SECONDS": "0"}).kb_poll_seconds == 0
    bad = Settings.from_env({"KB_POLL_SECONDS": "soon"})
    assert bad.kb_poll_seconds == 2 and "KB_POLL_SECONDS must be a number 0-3600, not 'soon'" in bad.validate()
