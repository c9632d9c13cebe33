"""Syncing knowledge/ into the database: what `kb sync` reports, and what every instance then serves."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from bot.db.engine import make_sessionmaker
from bot.db.entries import EntryRepository
from bot.db.guides import GuideRepository
from bot.engine.model import Localized
from bot.kb.files import load_knowledge
from bot.kb.guides import load_guide_files
from bot.kb.sync import SyncReport, sync_knowledge


@pytest.fixture
def entries(knowledge_root):
    # knowledge/entries/ grows while people write it: use what loads now, never a fixed count.
    loaded = load_knowledge(knowledge_root).entries
    if len(loaded) < 2:
        pytest.skip("needs at least two loadable entries in knowledge/entries/")
    return loaded


def sync(session_factory, entries, guides=None) -> SyncReport:
    with session_factory.begin() as session:
        return sync_knowledge(session, entries, guides)


def stored(session_factory):
    with session_factory() as session:
        repo = EntryRepository(session)
        return repo.all(), repo.version()


def retitled(entry, suffix=" (edited)"):
    return replace(entry, title=Localized(entry.title.en + suffix, entry.title.de + suffix))


def test_the_first_sync_adds_every_entry(session_factory, entries):
    report = sync(session_factory, entries)
    assert report.added == tuple(sorted(e.id for e in entries))
    assert (report.updated, report.removed, report.unchanged) == ((), (), 0)
    assert report.changed and report.version == 1
    with session_factory() as session:
        assert EntryRepository(session).count() == len(entries)


def test_stored_entries_equal_the_loaded_ones(session_factory, entries):
    sync(session_factory, entries)
    all_entries, version = stored(session_factory)
    assert all_entries == sorted(entries, key=lambda e: e.id)
    assert version == 1
    with session_factory() as session:
        repo = EntryRepository(session)
        assert repo.get(entries[0].id) == entries[0]
        assert repo.get("NO_SUCH_ENTRY") is None


def test_a_second_identical_sync_changes_nothing(session_factory, entries):
    first = sync(session_factory, entries)
    second = sync(session_factory, entries)
    assert not second.changed
    assert (second.added, second.updated, second.removed) == ((), (), ())
    assert second.unchanged == len(entries)
    assert second.version == first.version == stored(session_factory)[1]
    assert "(no change)" in second.summary()


def test_an_edited_entry_is_reported_updated_and_bumps_the_version(session_factory, entries):
    first = sync(session_factory, entries)
    edited = retitled(entries[1])
    report = sync(session_factory, [entries[0], edited, *entries[2:]])
    assert report.updated == (edited.id,)
    assert (report.added, report.removed, report.unchanged) == ((), (), len(entries) - 1)
    assert report.version == first.version + 1
    with session_factory() as session:
        assert EntryRepository(session).get(edited.id) == edited
        assert EntryRepository(session).version() == report.version


def test_a_removed_entry_is_reported_removed_and_gone(session_factory, entries):
    first = sync(session_factory, entries)
    gone, kept = entries[0], entries[1:]
    report = sync(session_factory, kept)
    assert report.removed == (gone.id,)
    assert (report.added, report.updated, report.unchanged) == ((), (), len(kept))
    assert report.version == first.version + 1
    with session_factory() as session:
        assert EntryRepository(session).get(gone.id) is None
        assert EntryRepository(session).count() == len(kept)


def test_a_sync_that_fails_leaves_the_database_as_it_was(session_factory, entries):
    sync(session_factory, entries)
    with pytest.raises(ValueError, match="duplicate"):
        sync(session_factory, [retitled(entries[0]), entries[0]])
    assert stored(session_factory) == (sorted(entries, key=lambda e: e.id), 1)


def test_two_instances_on_one_database_see_the_same_knowledge(migrated_url, engine_factory, entries):
    one = make_sessionmaker(engine_factory(migrated_url))
    two = make_sessionmaker(engine_factory(migrated_url))
    sync(one, entries)
    assert stored(one) == stored(two)
    report = sync(two, [retitled(entries[0]), *entries[1:]])
    assert stored(one) == stored(two)
    assert stored(one)[1] == report.version == 2


def test_concurrent_syncs_do_not_lose_a_version_bump(migrated_url, engine_factory, entries):
    sync(make_sessionmaker(engine_factory(migrated_url)), entries)
    first, second = retitled(entries[0]), retitled(entries[1])
    batches = [
        [first, *entries[1:]],  # changes entries[0]
        [entries[0], second, *entries[2:]],  # changes entries[1] (and entries[0] back, if it runs second)
    ]
    barrier = threading.Barrier(len(batches))
    reports: dict[int, SyncReport] = {}
    errors = []

    def run(i):
        sessions = make_sessionmaker(engine_factory(migrated_url))
        try:
            barrier.wait(timeout=10)
            reports[i] = sync(sessions, batches[i])
        except Exception as exc:  # collected: a failure in a thread would otherwise go unseen
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # Each sync changed something, so each bumped once: 1 -> 3, in whichever order they ran.
    assert all(r.changed for r in reports.values())
    assert sorted(r.version for r in reports.values()) == [2, 3]
    last = next(i for i, r in reports.items() if r.version == 3)
    assert stored(make_sessionmaker(engine_factory(migrated_url))) == (sorted(batches[last], key=lambda e: e.id), 3)


def test_guides_are_stored_and_read_back(session_factory, entries, knowledge_root):
    guides, problems = load_guide_files(knowledge_root)
    assert not problems and guides
    report = sync(session_factory, entries, guides)
    assert report.guides_changed == tuple(sorted(g.name for g in guides))
    with session_factory() as session:
        assert GuideRepository(session).all() == sorted(guides, key=lambda g: g.name)
        assert GuideRepository(session).get(guides[0].name) == guides[0]


def test_a_changed_guide_bumps_the_version_and_no_guides_argument_leaves_them(session_factory, entries,
                                                                              knowledge_root):
    guides, _ = load_guide_files(knowledge_root)
    first = sync(session_factory, entries, guides)
    changed = replace(guides[0], markers=(*guides[0].markers, "new-marker"))
    report = sync(session_factory, entries, [changed, *guides[1:]])
    assert report.guides_changed == (changed.name,) and report.version == first.version + 1
    untouched = sync(session_factory, entries)  # guides=None: entries only
    assert not untouched.changed
    with session_factory() as session:
        assert GuideRepository(session).get(changed.name) == changed


def test_a_database_made_by_create_all_syncs_too(tmp_path, engine_factory, entries):
    from bot.db.tables import Base

    engine = engine_factory(f"sqlite:///{tmp_path / 'plain.db'}")
    Base.metadata.create_all(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        assert EntryRepository(session).version() == 0
    assert sync(sessions, entries).version == 1
    assert sync(sessions, entries).version == 1


def test_the_summary_tells_an_operator_what_happened():
    report = SyncReport(added=("A", "B"), updated=("C",), removed=(), unchanged=4, version=7)
    assert report.summary() == "knowledge base version 7: 2 added, 1 updated, 0 removed, 4 unchanged"
    refused = SyncReport(version=7, problems=("knowledge/entries/X.yaml:3: bad",))
    lines = refused.summary().splitlines()
    assert lines[0].startswith("knowledge base version 7: nothing synced, 1 problem(s)")
    assert lines[1:] == ["knowledge/entries/X.yaml:3: bad"]
