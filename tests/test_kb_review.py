"""`kb test` guards the entries' own examples; `kb stats` shows coverage, gaps and disputed entries."""

from __future__ import annotations

import shutil

from bot.db.diagnoses import DiagnosisLog, record_from_diagnosis
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.slack import FeedbackLog, FeedbackRecord
from bot.engine.diagnose import diagnose
from bot.kb.stats import group_similar
from tests.cli import run_app


def test_kb_test_passes_on_the_shipped_entries(tmp_path):
    result = run_app("kb", "test", database_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 0, result.stdout.decode()
    assert "examples land on their entry" in result.stderr.decode()


def test_kb_test_names_an_example_another_entry_steals(tmp_path, knowledge_root):
    root = tmp_path / "knowledge"
    shutil.copytree(knowledge_root, root)
    path = root / "entries" / "HTTP_413.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("examples:\n", "examples:\n  - \"ERROR: (OutOfQuota) Not enough quota\"\n", 1),
                    encoding="utf-8")
    result = run_app("kb", "test", database_url=f"sqlite:///{tmp_path / 'x.db'}", env={"KNOWLEDGE_DIR": str(root)})
    assert result.returncode == 1
    assert "HTTP_413: 'ERROR: (OutOfQuota) Not enough quota': lands on ERR_1100" in result.stdout.decode()


def test_kb_stats_reports_entries_gaps_and_wrong_matches(migrated_url, shipped_index):
    pastes = ["ERR_1200 pull failed", "ERR_1200 again", "random chatter about lunch", "random chatter about lunch!",
              "ERR_2200 crashed"]
    engine = make_engine(migrated_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            ids = [DiagnosisLog(session).add(record_from_diagnosis(diagnose(p, shipped_index), surface="cli"))
                   for p in pastes]
            FeedbackLog(session).add(FeedbackRecord(ids[4], "U1", "wrong_match", "ERR_2100"))
    finally:
        engine.dispose()
    assert run_app("kb", "sync", database_url=migrated_url).returncode == 0
    result = run_app("kb", "stats", database_url=migrated_url)
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert "managed-online-endpoints / scoring-status: 10" in out
    assert "ERR_1200: 2" in out
    assert "2 x 'random chatter about lunch" in out
    assert "entries with most 'Wrong match' feedback:\n  ERR_2200: 1" in out


def test_similar_no_match_pastes_group_together():
    gaps = group_similar(["kubectl CrashLoopBackOff pod api", "pod api CrashLoopBackOff (kubectl)", "lunch?"])
    assert [g.count for g in gaps] == [2, 1]
