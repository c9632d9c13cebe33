"""What the Slack surface stores: handled event ids (once each), feedback, and who asked where."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.db.diagnoses import DiagnosisLog, DiagnosisRecord
from bot.db.migrate import current_revision, downgrade, head_revision, upgrade
from bot.db.slack import FeedbackLog, FeedbackRecord, SlackEventLog

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def record(excerpt: str = "ERR_1200", *, user: str | None = "U1", channel: str | None = "C1",
           minutes: int = 0) -> DiagnosisRecord:
    return DiagnosisRecord("slash", excerpt, "en", "match", (("ERR_1200", 0.9),), 2.0,
                           created_at=NOW + timedelta(minutes=minutes), user_id=user, channel_id=channel)


def add(session_factory, *records: DiagnosisRecord) -> list[int]:
    with session_factory.begin() as session:
        log = DiagnosisLog(session)
        return [log.add(r) for r in records]


def test_add_returns_the_new_id_and_keeps_who_asked_where(session_factory):
    first, second = add(session_factory, record("one"), record("two", user=None, channel=None))
    assert second > first
    with session_factory() as session:
        log = DiagnosisLog(session)
        assert log.get(first) == record("one")
        assert (log.get(second).user_id, log.get(second).channel_id) == (None, None)
        assert log.get(second + 100) is None


def test_a_users_history_is_theirs_only_newest_first(session_factory):
    ids = add(session_factory, record("old", minutes=0), record("other", user="U2", minutes=1),
              record("new", minutes=2), record("newest", minutes=3))
    with session_factory() as session:
        log = DiagnosisLog(session)
        assert [(i, r.excerpt) for i, r in log.by_user("U1")] == [(ids[3], "newest"), (ids[2], "new"), (ids[0], "old")]
        assert [r.excerpt for _, r in log.by_user("U1", limit=2)] == ["newest", "new"]
        assert [r.excerpt for _, r in log.by_user("U2")] == ["other"]
        assert log.by_user("U9") == []


def test_an_event_id_is_recorded_once(session_factory):
    with session_factory.begin() as session:
        SlackEventLog(session).add("Ev01ABC")
    with pytest.raises(IntegrityError), session_factory.begin() as session:
        SlackEventLog(session).add("Ev01ABC")
    with session_factory.begin() as session:  # the failed transaction left nothing behind
        SlackEventLog(session).add("Ev01ABD")
        assert SlackEventLog(session).seen("Ev01ABC") and not SlackEventLog(session).seen("Ev-unknown")


def test_prune_forgets_only_old_event_ids(session_factory):
    with session_factory.begin() as session:
        events = SlackEventLog(session)
        events.add("old", at=NOW - timedelta(days=2))
        events.add("recent", at=NOW - timedelta(hours=1))
    with session_factory.begin() as session:
        assert SlackEventLog(session).prune(NOW - timedelta(days=1)) == 1
    with session_factory() as session:
        assert not SlackEventLog(session).seen("old") and SlackEventLog(session).seen("recent")


def test_feedback_reads_back_in_order(session_factory):
    [diagnosis_id] = add(session_factory, record())
    with session_factory.begin() as session:
        feedback = FeedbackLog(session)
        first = feedback.add(FeedbackRecord(diagnosis_id, "U1", "wrong_match", created_at=NOW))
        second = feedback.add(FeedbackRecord(diagnosis_id, "U1", "wrong_match", "ERR_1100",
                                             created_at=NOW + timedelta(seconds=5)))
        feedback.add(FeedbackRecord(diagnosis_id, "U2", "solved", created_at=NOW + timedelta(seconds=9)))
    assert second > first
    with session_factory() as session:
        read = FeedbackLog(session).for_diagnosis(diagnosis_id)
    assert [(f.user_id, f.verdict, f.correct_entry_id) for f in read] == [
        ("U1", "wrong_match", None), ("U1", "wrong_match", "ERR_1100"), ("U2", "solved", None)]
    assert read[0].created_at == NOW


def test_feedback_needs_a_known_verdict_and_a_known_diagnosis(session_factory):
    [diagnosis_id] = add(session_factory, record())
    with pytest.raises(ValueError, match="verdict must be one of solved, wrong_match"), session_factory.begin() as s:
        FeedbackLog(s).add(FeedbackRecord(diagnosis_id, "U1", "meh"))
    with pytest.raises(IntegrityError), session_factory.begin() as session:
        FeedbackLog(session).add(FeedbackRecord(diagnosis_id + 1, "U1", "solved"))
    with pytest.raises(IntegrityError), session_factory.begin() as session:  # the table checks it too
        session.execute(text("INSERT INTO feedback (diagnosis_id, user_id, verdict, created_at) "
                             "VALUES (:d, 'U1', 'meh', :t)"), {"d": diagnosis_id, "t": NOW})


def test_downgrading_0002_keeps_the_diagnoses_and_drops_the_slack_tables(migrated_url, engine_factory):
    engine = engine_factory(migrated_url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO diagnoses (created_at, surface, excerpt, language, decision, matches, elapsed_ms, user_id) "
            "VALUES (:t, 'slash', 'ERR_1200', 'en', 'match', '[]', 1.0, 'U1')"), {"t": NOW})
    engine.dispose()
    downgrade(migrated_url, "0001_initial")
    assert current_revision(migrated_url) == "0001_initial"
    engine = engine_factory(migrated_url)
    inspector = inspect(engine)
    assert {"slack_events", "feedback"}.isdisjoint(inspector.get_table_names())
    assert "user_id" not in {c["name"] for c in inspector.get_columns("diagnoses")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT excerpt FROM diagnoses")).scalars().all() == ["ERR_1200"]
    engine.dispose()
    upgrade(migrated_url)
    assert current_revision(migrated_url) == head_revision()
