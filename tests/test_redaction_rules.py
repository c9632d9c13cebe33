"""detect-secrets' detectors from the cache file: the same ruleset the package gives, never one read
under another detect-secrets version or other extraction code, and a command-line diagnosis that
then needs neither detect-secrets nor a compiled template from scratch."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from bot.engine import redact
from bot.engine.detector_ruleset import DetectorRuleset, extract_ruleset
from bot.redaction_rules import CACHE_FILE, cache_key, install_cached_ruleset, load_ruleset
from bot.user_cache import cache_dir
from tests.cli import ROOT, run_app

FRESH = extract_ruleset()
# A ruleset no detect-secrets gives: seen back only when a cache under today's key is used.
MARKER = DetectorRuleset(("marker_?name",), (("MarkerDetector#0", r"marker-[0-9]{6}", False),))
AWS_KEY_ID = "AKIA" + "Q7R2X9M4T1V8K3P6"  # found only by detect-secrets' AWSKeyDetector


def stored(directory) -> dict:
    return json.loads((directory / CACHE_FILE).read_text(encoding="utf-8"))


def store(directory, key: dict, ruleset: DetectorRuleset) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CACHE_FILE).write_text(json.dumps({"key": key, "ruleset": ruleset.to_json()}), encoding="utf-8")


@pytest.fixture
def restore_redaction():
    yield
    redact.use_ruleset(FRESH)


def test_the_cached_ruleset_equals_the_freshly_extracted_one(tmp_path, restore_redaction):
    assert FRESH.detectors and "password" in FRESH.credential_names
    assert "AWSKeyDetector#0" in {name for name, _, _ in FRESH.detectors}
    assert load_ruleset(tmp_path) == FRESH  # no cache yet: extracted, and stored
    assert stored(tmp_path)["key"] == cache_key()
    from_file = DetectorRuleset.from_json(stored(tmp_path)["ruleset"])
    assert from_file == FRESH
    assert load_ruleset(tmp_path) == FRESH  # read back from the file
    # Redaction built from the cache runs exactly the rules it runs when it reads detect-secrets itself.
    redact.use_ruleset(FRESH)
    expected = [(r.name, r.triggers, r.regex.pattern, r.regex.options.case_sensitive, r.groups) for r in redact.rules()]
    install_cached_ruleset(tmp_path)
    assert [(r.name, r.triggers, r.regex.pattern, r.regex.options.case_sensitive, r.groups)
            for r in redact.rules()] == expected
    assert redact.redact(f"id {AWS_KEY_ID} in the log") == "id [REDACTED] in the log"


def test_a_cache_under_todays_key_is_used(tmp_path):
    store(tmp_path, cache_key(), MARKER)
    assert load_ruleset(tmp_path) == MARKER


@pytest.mark.parametrize("part, other", [
    ("detect_secrets", "detect_secrets-1.4.0.dist-info at /elsewhere/site-packages"),
    ("re2", "google_re2-1.0.dist-info at /elsewhere/site-packages"),
    ("extraction", "0" * 64),
])
def test_a_cache_from_another_detect_secrets_version_or_extraction_is_not_used(tmp_path, part, other):
    key = {**cache_key(), part: other}
    store(tmp_path, key, MARKER)
    assert load_ruleset(tmp_path) == FRESH
    assert stored(tmp_path)["key"] == cache_key()  # rewritten under today's key
    assert DetectorRuleset.from_json(stored(tmp_path)["ruleset"]) == FRESH


@pytest.mark.parametrize("content", [b"", b"{not json", b"\xff\xfe", b"[]", b'{"key": 1}',
                                     b'{"ruleset": {"credential_names": [], "detectors": []}}'])
def test_a_damaged_cache_is_read_again_from_the_package(tmp_path, content):
    (tmp_path / CACHE_FILE).write_bytes(content)
    assert load_ruleset(tmp_path) == FRESH
    assert stored(tmp_path)["key"] == cache_key()


def test_a_cache_with_the_right_key_and_a_bad_shape_is_not_used(tmp_path):
    (tmp_path / CACHE_FILE).write_text(json.dumps({"key": cache_key(), "ruleset": {
        "credential_names": ["password"], "detectors": [["AWSKeyDetector#0", "AKIA", "yes"]]}}), encoding="utf-8")
    assert load_ruleset(tmp_path) == FRESH


def test_a_cached_pattern_that_does_not_compile_falls_back_to_the_package(tmp_path, restore_redaction):
    broken = DetectorRuleset(FRESH.credential_names, (("Broken#0", "(unclosed", False),))
    store(tmp_path, cache_key(), broken)
    install_cached_ruleset(tmp_path)
    assert redact.redact(f"id {AWS_KEY_ID} in the log") == "id [REDACTED] in the log"


def test_a_cache_that_cannot_be_written_costs_only_time(tmp_path):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("x", encoding="utf-8")
    assert load_ruleset(not_a_directory) == FRESH
    assert load_ruleset(not_a_directory / "deeper") == FRESH


def test_the_cache_lives_in_the_users_cache_directory():
    assert str(cache_dir({"XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"})) == "/x/cache/tsgbot"
    assert str(cache_dir({"HOME": "/home/u"})) == "/home/u/.cache/tsgbot"
    assert cache_dir({}) is None


def _traced_diagnose(text: str, *, database_url: str, cache: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "DATABASE_URL": database_url, "XDG_CACHE_HOME": cache}
    return subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "app.py"), "diagnose", text],
                          capture_output=True, env=environ, cwd=ROOT, timeout=120)


def _imported(result: subprocess.CompletedProcess) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.decode().splitlines()
            if line.startswith("import time:") and "|" in line}


def _logged_excerpts(path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [excerpt for (excerpt,) in connection.execute("SELECT excerpt FROM diagnoses ORDER BY id")]


def test_a_diagnosis_with_the_cache_redacts_as_before_without_importing_detect_secrets(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    cache = tmp_path / "cache"
    paste = f"ERR_1200 model download failed; key {AWS_KEY_ID} token=ghp_{'k7Q2' * 9}"
    first = run_app("diagnose", paste, database_url=url, env={"XDG_CACHE_HOME": str(cache)})
    assert first.returncode == 0, first.stderr
    assert (cache / "tsgbot" / CACHE_FILE).exists()
    assert list((cache / "tsgbot" / "templates").iterdir())  # the compiled reply template

    again = _traced_diagnose(paste, database_url=url, cache=str(cache))
    assert again.returncode == 0, again.stderr
    assert "detect_secrets" not in {name.split(".")[0] for name in _imported(again)}
    assert again.stdout == first.stdout
    assert "ERR_1200" in again.stdout.decode()

    # With the package's ruleset cached under another version, the answer is still the same.
    key = {**cache_key(), "detect_secrets": "detect_secrets-0.1.dist-info at /elsewhere"}
    store(cache / "tsgbot", key, MARKER)
    other = _traced_diagnose(paste, database_url=url, cache=str(cache))
    assert other.returncode == 0, other.stderr
    assert "detect_secrets" in {name.split(".")[0] for name in _imported(other)}
    assert other.stdout == first.stdout
    # The diagnosis log keeps the paste, masked alike by the cached and by the package's detectors.
    masked = "ERR_1200 model download failed; key [REDACTED] token=[REDACTED]"
    assert _logged_excerpts(tmp_path / "cli.db") == [masked] * 3
