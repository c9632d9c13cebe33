"""The command line as a newcomer meets it: a quick diagnose on a database that needs no work, the
migration still made when the database is behind, batches that leave the log alone, `kb test` naming
the files it could not read, `--json` listing the codes, `worker` without the signing secret.

CPU time is measured by `python -X importtime` and /usr/bin/time (README "Command line"), never
bounded here; what a test can hold is that a plain diagnose does not import SQLAlchemy or Alembic.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.cli_runtime import open_cli_runtime
from bot.db.diagnoses import DiagnosisLog, record_from_diagnosis
from bot.db.direct import SCHEMA, SQLITE_BUSY_TIMEOUT_MS
from bot.db.engine import BUSY_TIMEOUT_MS, make_engine, make_sessionmaker
from bot.db.examples import ExampleRepository
from bot.db.migrate import current_revision, head_revision, upgrade
from bot.db.revision import code_head
from bot.engine.diagnose import diagnose
from bot.runtime import open_runtime
from bot.settings import Settings
from tests.cli import ROOT, run_app

QUOTA = ("ERROR: (OutOfQuota) Not enough quota available for Standard_DS3_v2 in SubscriptionId "
         "11111111-2222-3333-4444-555555555555.\naz ml online-deployment create -f blue.yml -e fraud-ep -g rg-ml")
HEAVY = ("sqlalchemy", "alembic")


def imported_modules(result: subprocess.CompletedProcess) -> set[str]:
    """Top-level package names from `python -X importtime`'s report on stderr."""
    names = set()
    for line in result.stderr.decode().splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def run_traced(*args: str, database_url: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "app.py"), *args], capture_output=True,
                          env=environ, cwd=ROOT, timeout=120)


def records(url: str) -> list:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return DiagnosisLog(session).recent(100)
    finally:
        engine.dispose()


def test_the_migrations_head_is_read_from_the_files_as_alembic_reads_it():
    assert code_head() == head_revision()
    # The direct reader knows the tables as of SCHEMA; a new migration turns the fast path off until
    # bot/db/direct.py has been checked against it (e.g. new tables the index is built from) and SCHEMA moved.
    assert SCHEMA == code_head(), "review bot/db/direct.py against the new migration, then update SCHEMA"
    assert SQLITE_BUSY_TIMEOUT_MS == BUSY_TIMEOUT_MS


def test_a_plain_diagnose_on_a_current_database_imports_neither_sqlalchemy_nor_alembic(db_url):
    first = run_app("diagnose", QUOTA, database_url=db_url)  # a new database: migrated and filled
    assert first.returncode == 0, first.stderr
    again = run_traced("diagnose", QUOTA, database_url=db_url)
    assert again.returncode == 0, again.stderr
    assert not imported_modules(again) & set(HEAVY)
    out = again.stdout.decode()
    assert out == first.stdout.decode()  # the same answer as the full path gave
    assert "ERR_1100" in out and "fraud-ep" in out
    logged = records(db_url)
    assert [r.surface for r in logged] == ["cli", "cli"]
    assert logged[0] == replace(logged[1], created_at=logged[0].created_at, elapsed_ms=logged[0].elapsed_ms)


def test_a_database_behind_the_code_is_still_migrated_by_diagnose(db_url):
    upgrade(db_url, "0002_slack")
    result = run_traced("diagnose", QUOTA, "--json", database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert "alembic" in imported_modules(result)
    assert current_revision(db_url) == head_revision()
    assert json.loads(result.stdout)["matches"][0]["id"] == "ERR_1100"


def test_the_fast_path_reads_what_a_server_reads_and_logs_what_it_logs(migrated_url):
    settings = Settings.from_env({"DATABASE_URL": migrated_url})
    assert run_app("kb", "sync", database_url=migrated_url).returncode == 0
    engine = make_engine(migrated_url)
    try:  # an accepted feedback example: both paths must learn from it
        with make_sessionmaker(engine).begin() as session:
            examples = ExampleRepository(session)
            candidate = examples.propose(entry_id="ERR_2200", text="our scorer container keeps restarting, exit 137",
                                         verdict="wrong_match", user_id="U0MAINT")
            examples.decide([candidate], accept=True, by="U0MAINT", known_entries={"ERR_2200"})
    finally:
        engine.dispose()
    full = open_runtime(settings)
    fast = open_cli_runtime(settings)
    try:
        assert fast.fast
        assert fast.index.entries == full.index.entries
        assert fast.index.guides == full.index.guides
        assert fast.index.confirmed == full.index.confirmed
        assert [c.entry_id for c in fast.index.confirmed] == ["ERR_2200"]
        diagnosis = diagnose(QUOTA + "\nAuthorization: Bearer abc.def.ghi", fast.index)
        fast.log_diagnoses([diagnosis], surface="cli")
    finally:
        fast.close()
        full.engine.dispose()
    (stored,) = records(migrated_url)
    expected = record_from_diagnosis(diagnosis, surface="cli")
    assert stored.created_at.tzinfo is not None and stored.created_at <= datetime.now(UTC)
    assert stored == replace(expected, created_at=stored.created_at)


def test_an_empty_knowledge_base_is_filled_before_the_answer(migrated_url):
    result = run_app("diagnose", "ERR_1200", "--json", database_url=migrated_url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["matches"][0]["id"] == "ERR_1200"


def test_batch_leaves_the_diagnosis_log_alone_unless_asked(db_url, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "a", "text": "ERR_1300 model download failed"}\n'
                     '{"id": "b", "text": "my sourdough starter smells of acetone"}\n', encoding="utf-8")
    result = run_app("diagnose", "--batch", str(cases), database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.decode().splitlines()) == 2
    assert records(db_url) == []
    stats = run_app("kb", "stats", database_url=db_url).stdout.decode()
    assert "diagnoses logged: 0" in stats and "sourdough" not in stats

    asked = run_app("diagnose", "--batch", str(cases), "--log", database_url=db_url)
    assert asked.returncode == 0, asked.stderr
    assert sorted(r.surface for r in records(db_url)) == ["batch", "batch"]
    assert "sourdough" in run_app("kb", "stats", database_url=db_url).stdout.decode()


def test_log_without_batch_is_bad_usage(db_url):
    result = run_app("diagnose", "ERR_1200", "--log", database_url=db_url)
    assert result.returncode == 2
    assert "--log goes with --batch" in result.stderr.decode()


def test_json_lists_every_code_the_paste_names(db_url):
    paste = ("deployment failed: (OutOfQuota) ... then Code: ResourceNotReady\n"
             "events: ImagePullFailed for acr.azurecr.io/model:1; see ERR_1100")
    result = run_app("diagnose", paste, "--json", database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["codes"] == ["OutOfQuota", "ResourceNotReady", "ImagePullFailed", "ERR_1100"]


def test_kb_test_names_the_files_it_cannot_read(tmp_path, knowledge_root):
    root = tmp_path / "knowledge"
    shutil.copytree(knowledge_root, root)
    (root / "entries" / "ERR_9999.yaml").write_bytes(b"id: ERR_9999\ntitle: \xff\xfe not UTF-8\n")
    (root / "guides" / "other.yaml").mkdir()  # a directory where a guide file should be
    result = run_app("kb", "test", database_url=f"sqlite:///{tmp_path / 'x.db'}", env={"KNOWLEDGE_DIR": str(root)})
    assert result.returncode == 1
    out = result.stdout.decode()
    assert f"{root / 'entries' / 'ERR_9999.yaml'}:0: cannot read:" in out
    assert f"{root / 'guides' / 'other.yaml'}:0: cannot read:" in out
    assert "2 file problem(s)" in result.stderr.decode()


def test_kb_test_and_check_refuse_a_knowledge_directory_that_is_not_there(tmp_path):
    missing = tmp_path / "no-such-knowledge"
    for action in ("test", "check"):
        result = run_app("kb", action, database_url=f"sqlite:///{tmp_path / 'x.db'}",
                         env={"KNOWLEDGE_DIR": str(missing)})
        assert result.returncode == 2
        assert f"{missing}: no such directory" in result.stderr.decode()


def _start_worker(env: dict) -> subprocess.Popen:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ALERT_"))}
    return subprocess.Popen([sys.executable, str(ROOT / "app.py"), "worker"], env={**environ, **env}, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def test_worker_runs_with_the_bot_token_alone(migrated_url):
    # SLACK_API_URL: a local port nobody listens on; with an empty outbox the worker calls nothing.
    worker = _start_worker({"DATABASE_URL": migrated_url, "SLACK_BOT_TOKEN": "xoxb-1-2-worker",
                            "SLACK_API_URL": "http://127.0.0.1:9/api/", "KB_POLL_SECONDS": "0"})
    try:
        first_line: list[bytes] = []
        reader = threading.Thread(target=lambda: first_line.append(worker.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout=120)
        assert first_line and b"delivering alerts from" in first_line[0]
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
        assert b"SLACK_SIGNING_SECRET" not in worker.stderr.read()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


@pytest.mark.parametrize("env, missing", [
    ({"SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5"}, "SLACK_BOT_TOKEN is missing"),
    ({}, "SLACK_BOT_TOKEN is missing"),
])
def test_worker_without_a_bot_token_says_so_and_exits_2(tmp_path, env, missing):
    worker = _start_worker({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env})
    _, err = worker.communicate(timeout=120)
    assert worker.returncode == 2
    lines = err.decode().splitlines()
    assert [line for line in lines if missing in line] == [f"tsgbot worker: {missing}: the worker sends alert "
                                                           "messages to Slack with it (xoxb-...)"]
    assert "SLACK_SIGNING_SECRET" not in err.decode()


def test_settings_for_the_worker_never_ask_for_the_signing_secret():
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1-2-abc"})
    assert settings.validate(role="worker") == []
    assert any("SLACK_SIGNING_SECRET is missing" in p for p in settings.validate())  # serve still needs it
    with pytest.raises(ValueError):
        settings.validate(role="wrker")


def test_output_into_a_closed_pipe_is_no_traceback(db_url):
    # `python app.py diagnose ... --json | head -1`: the reader is gone before the answer is written.
    assert run_app("diagnose", "ERR_1200", database_url=db_url).returncode == 0
    environ = {**os.environ, "DATABASE_URL": db_url}
    process = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "diagnose", QUOTA, "--json"], env=environ,
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err, err
