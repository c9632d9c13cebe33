"""The diagnosis log: what an operator reads back is what was recorded, newest first, kept short."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db.diagnoses import EXCERPT_MAX, DiagnosisLog, DiagnosisRecord, record_from_diagnosis
from bot.engine.model import Diagnosis, Extraction, Match
from tests.mini_kb import ENTRIES

START = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def record(excerpt: str = "ERR_1200 out of quota", *, surface: str = "cli", minutes: int = 0,
           matches=(("QUOTA", 0.93), ("RATE", 0.41))) -> DiagnosisRecord:
    return DiagnosisRecord(surface=surface, excerpt=excerpt, language="de", decision="match",
                           matches=matches, elapsed_ms=3.25, created_at=START + timedelta(minutes=minutes))


def test_a_record_reads_back_as_it_was_written(session_factory):
    written = record()
    with session_factory.begin() as session:
        DiagnosisLog(session).add(written)
    with session_factory() as session:
        [read] = DiagnosisLog(session).recent()
    assert read == written
    assert read.created_at.tzinfo is not None and read.created_at.utcoffset() == timedelta(0)
    assert (read.top_entry_id, read.top_score) == ("QUOTA", 0.93)


def test_a_record_without_matches_has_no_top_entry(session_factory):
    with session_factory.begin() as session:
        DiagnosisLog(session).add(record("hello", matches=()))
    with session_factory() as session:
        [read] = DiagnosisLog(session).recent()
    assert read.matches == () and read.top_entry_id is None and read.top_score is None


def test_recent_lists_newest_first_and_filters_by_surface(session_factory):
    with session_factory.begin() as session:
        log = DiagnosisLog(session)
        log.add(record("first", surface="cli", minutes=0))
        log.add(record("third", surface="slack", minutes=2))
        log.add(record("second", surface="alert", minutes=1))
        log.add(record("fourth", surface="slack", minutes=3))
    with session_factory() as session:
        log = DiagnosisLog(session)
        assert [r.excerpt for r in log.recent()] == ["fourth", "third", "second", "first"]
        assert [r.excerpt for r in log.recent(limit=2)] == ["fourth", "third"]
        assert [r.excerpt for r in log.recent(surface="slack")] == ["fourth", "third"]
        assert log.recent(surface="batch") == []


def test_an_excerpt_longer_than_the_cap_is_cut(session_factory):
    with session_factory.begin() as session:
        DiagnosisLog(session).add(record("x" * (EXCERPT_MAX + 500)))
    with session_factory() as session:
        [read] = DiagnosisLog(session).recent()
    assert read.excerpt == "x" * EXCERPT_MAX


def test_a_timestamp_in_another_zone_reads_back_as_the_same_instant_in_utc(session_factory):
    local = START.astimezone(ZoneInfo("Europe/Berlin"))
    with session_factory.begin() as session:
        DiagnosisLog(session).add(replace(record(), created_at=local))
    with session_factory() as session:
        [read] = DiagnosisLog(session).recent()
    assert read.created_at == START and read.created_at.tzinfo == UTC


def diagnosis(text: str, scores: list[float]) -> Diagnosis:
    matches = tuple(Match(entry, score, (), entry.causes) for entry, score in zip(ENTRIES * 2, scores, strict=False))
    return Diagnosis("match" if matches else "no_match", matches,
                     Extraction(text=text, codes=(), status=(), language="de"), elapsed_ms=12.5)


def test_record_from_diagnosis_keeps_the_start_of_the_text_and_the_top_five_matches():
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
    rec = record_from_diagnosis(diagnosis("y" * 800, scores), surface="slack")
    assert rec.surface == "slack" and rec.language == "de" and rec.decision == "match" and rec.elapsed_ms == 12.5
    assert rec.excerpt == "y" * 500
    assert [score for _, score in rec.matches] == scores[:5]
    assert rec.matches[0] == (ENTRIES[0].id, 0.9)
    assert rec.created_at.tzinfo is not None
    assert len(record_from_diagnosis(diagnosis("z" * 80, []), surface="cli", excerpt_chars=10).excerpt) == 10


def test_a_diagnosis_is_logged_through_its_record(session_factory):
    with session_factory.begin() as session:
        DiagnosisLog(session).add(record_from_diagnosis(diagnosis("ERR_1200", [0.95]), surface="alert"))
    with session_factory() as session:
        [read] = DiagnosisLog(session).recent(surface="alert")
    assert read.matches == ((ENTRIES[0].id, 0.95),) and read.excerpt == "ERR_1200"
