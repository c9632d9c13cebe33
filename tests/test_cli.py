"""The command line, run as a user runs it, against a real database."""

from __future__ import annotations

import json

from bot.db.diagnoses import DiagnosisLog
from bot.db.engine import make_engine, make_sessionmaker
from tests.cli import run_app

QUOTA = ("ERROR: (OutOfQuota) Not enough quota available for Standard_DS3_v2 in SubscriptionId "
         "11111111-2222-3333-4444-555555555555. Current usage/limit: 4/6. Additional needed: 8\n"
         "az ml online-deployment create -f blue.yml -e fraud-ep -g rg-ml -w ws-prod")


def test_diagnose_prints_the_likely_cause_with_filled_commands(db_url):
    result = run_app("diagnose", QUOTA, database_url=db_url)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "ERR_1100" in out
    assert "fraud-ep" in out and "rg-ml" in out  # commands filled from the paste
    assert "Traceback" not in result.stderr.decode()


def test_diagnose_json_has_decision_matches_entities_and_language(db_url):
    result = run_app("diagnose", QUOTA, "--json", database_url=db_url)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["decision"] == "match"
    assert data["matches"][0]["id"] == "ERR_1100"
    assert 0 < data["matches"][0]["score"] <= 1
    assert {"signal", "text", "line"} <= set(data["matches"][0]["evidence"][0])
    assert data["entities"]["endpoint-name"] == "fraud-ep"
    assert data["entities"]["instance-type"] == "Standard_DS3_v2"
    assert data["language"] == "en"


def test_diagnose_reads_standard_input_and_answers_in_german(db_url):
    paste = "Mein Onlineendpunkt gibt 429 zurück: Too many pending requests".encode()
    result = run_app("diagnose", "-", "--lang", "de", database_url=db_url, stdin=paste)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "HTTP_429_TOO_MANY_PENDING" in out
    assert "Wahrscheinlichste Ursache" in out


def test_unrelated_paste_is_no_match_with_exit_status_zero(db_url):
    result = run_app("diagnose", "KeyError: 'customer_id' in pandas merge", "--json", database_url=db_url)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["decision"] == "no_match" and data["matches"] == []


def test_empty_paste_gets_the_how_to(db_url):
    result = run_app("diagnose", "-", database_url=db_url, stdin=b"")
    assert result.returncode == 0
    assert "Paste an error" in result.stdout.decode()


def test_binary_paste_is_diagnosed_not_crashed(db_url):
    result = run_app("diagnose", "-", "--json", database_url=db_url, stdin=b"\x00\xff\xfe garbage \x80 ERR_1200 \x00")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["matches"][0]["id"] == "ERR_1200"


def test_batch_writes_one_json_line_per_case_and_flags_bad_lines(db_url, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "a", "text": "ERR_1300 model download failed"}\n'
                     "not json at all\n"
                     '{"id": "b", "text": "hello there"}\n', encoding="utf-8")
    result = run_app("diagnose", "--batch", str(cases), database_url=db_url)
    assert result.returncode == 1  # a malformed line is reported, the rest diagnosed
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert lines[0]["id"] == "a" and lines[0]["matches"][0]["id"] == "ERR_1300"
    assert lines[0]["elapsed_ms"] >= 0
    assert lines[1]["error"] and lines[1]["line"] == 2
    assert lines[2] == {**lines[2], "id": "b", "decision": "no_match", "matches": []}
    assert f"{cases}:2:" in result.stderr.decode()


def test_bad_usage_is_a_clear_message_and_non_zero(db_url):
    result = run_app("diagnose", database_url=db_url)
    assert result.returncode == 2
    assert "give the text" in result.stderr.decode()
    result = run_app("diagnose", "x", "--top", "0", database_url=db_url)
    assert result.returncode == 2 and "--top" in result.stderr.decode()
    result = run_app("diagnose", "--batch", "/no/such/file.jsonl", database_url=db_url)
    assert result.returncode == 2 and "cannot read" in result.stderr.decode()


def test_every_diagnosis_is_logged_without_secrets(db_url):
    paste = ("401 Unauthorized from https://ep1.westeurope.inference.ml.azure.com/score\n"
             "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl")
    assert run_app("diagnose", paste, database_url=db_url).returncode == 0
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            record = DiagnosisLog(session).recent(1)[0]
    finally:
        engine.dispose()
    assert record.surface == "cli"
    assert record.matches[0][0] == "HTTP_401"
    assert "eyJhbGci" not in record.excerpt and "[REDACTED]" in record.excerpt


def test_kb_sync_is_idempotent(db_url):
    first = run_app("kb", "sync", database_url=db_url)
    assert first.returncode == 0, first.stderr
    assert "18 added" in first.stdout.decode()
    second = run_app("kb", "sync", database_url=db_url)
    assert "(no change)" in second.stdout.decode() and "0 added" in second.stdout.decode()


def test_kb_check_is_clean_on_the_shipped_knowledge_base(tmp_path):
    result = run_app("kb", "check", database_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 0, result.stdout
    assert "knowledge base OK" in result.stderr.decode()


def test_an_unreachable_database_is_a_message_not_a_traceback():
    result = run_app("diagnose", "ERR_1200", database_url="postgresql://nobody:secret@127.0.0.1:1/none")
    assert result.returncode == 3
    err = result.stderr.decode()
    assert "database" in err and "Traceback" not in err
    assert "secret" not in err


def test_kb_sync_refuses_files_with_problems_and_keeps_what_is_stored(db_url, tmp_path, knowledge_root):
    import shutil

    assert run_app("kb", "sync", database_url=db_url).returncode == 0
    broken = tmp_path / "knowledge"
    shutil.copytree(knowledge_root, broken)
    (broken / "entries" / "ERR_1200.yaml").write_text("id: ERR_1200\nkind: [oops\n", encoding="utf-8")
    result = run_app("kb", "sync", database_url=db_url, env={"KNOWLEDGE_DIR": str(broken)})
    assert result.returncode == 1
    out = result.stdout.decode()
    assert "nothing synced" in out and "ERR_1200.yaml:" in out
    # The stored knowledge base is untouched: ERR_1200 is still diagnosed.
    check = run_app("diagnose", "ERR_1200", "--json", database_url=db_url)
    assert json.loads(check.stdout)["matches"][0]["id"] == "ERR_1200"
    empty = run_app("kb", "sync", database_url=db_url, env={"KNOWLEDGE_DIR": str(tmp_path / "nowhere")})
    assert empty.returncode == 1 and "no entries found" in empty.stdout.decode()


def test_a_bare_status_is_a_close_call_that_says_what_decides(db_url):
    result = run_app("diagnose", "we keep getting 429", database_url=db_url)
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert out.startswith("Close call")
    assert "HTTP_429_RATE_LIMIT" in out and "HTTP_429_TOO_MANY_PENDING" in out
    assert "What decides: HTTP 429 alone does not say which of these it is" in out
    german = run_app("diagnose", "429", "--lang", "de", database_url=db_url).stdout.decode()
    assert "Was entscheidet: HTTP 429 allein" in german


def test_diagnose_json_carries_what_decides_or_null(db_url):
    close = json.loads(run_app("diagnose", "we keep getting 429", "--json", database_url=db_url).stdout)
    assert close["decision"] == "close_call"
    assert close["decides"].startswith("HTTP 429 alone does not say which of these it is")
    german = json.loads(run_app("diagnose", "429", "--json", "--lang", "de", database_url=db_url).stdout)
    assert german["decides"].startswith("HTTP 429 allein")
    sure = json.loads(run_app("diagnose", QUOTA, "--json", database_url=db_url).stdout)
    assert sure["decision"] == "match" and sure["decides"] is None
