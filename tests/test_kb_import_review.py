"""Drafts are checked but not served until `kb review` marks them reviewed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.kb.check import check_knowledge
from bot.kb.files import load_knowledge
from tests.cli import run_app

GUIDES = Path(__file__).resolve().parent / "guides"
PASTE = "(WidgetQuotaExceeded) the subscription has no cores left for this deployment"


@pytest.fixture
def root(tmp_path, knowledge_root) -> Path:
    """A copy of the shipped knowledge base with the widget guide imported as drafts."""
    path = tmp_path / "knowledge"
    shutil.copytree(knowledge_root, path)
    result = run_app("kb", "import", str(GUIDES / "plain-widget.md"), "--guide", "widget", "--dir", str(path),
                     database_url="sqlite://")
    assert result.returncode == 0, result.stdout.decode()
    return path


def app(root: Path, url: str, *args: str):
    result = run_app(*args, database_url=url, env={"KNOWLEDGE_DIR": str(root)})
    return result.returncode, result.stdout.decode(), result.stderr.decode()


def top_match(root: Path, url: str) -> str | None:
    code, out, err = app(root, url, "diagnose", "--json", PASTE)
    assert code == 0, err
    matches = json.loads(out)["matches"]
    return matches[0]["id"] if matches else None


def test_drafts_are_not_served_until_reviewed(root, migrated_url):
    code, out, _ = app(root, migrated_url, "kb", "sync")
    assert code == 0
    assert "3 drafts not served" in out
    assert top_match(root, migrated_url) != "WidgetQuotaExceeded"

    code, out, _ = app(root, migrated_url, "kb", "review", "WidgetQuotaExceeded")
    assert code == 0
    assert "WidgetQuotaExceeded: draft -> reviewed" in out
    code, out, _ = app(root, migrated_url, "kb", "sync")
    assert code == 0
    assert "1 added" in out and "2 drafts not served" in out
    assert top_match(root, migrated_url) == "WidgetQuotaExceeded"


def test_review_changes_only_the_status_line(root):
    path = root / "entries" / "WidgetQuotaExceeded.yaml"
    before = path.read_text(encoding="utf-8").splitlines()
    code, _, _ = app(root, "sqlite://", "kb", "review", "WidgetQuotaExceeded")
    after = path.read_text(encoding="utf-8").splitlines()
    assert code == 0
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [("status: draft", "status: reviewed")]
    code, out, _ = app(root, "sqlite://", "kb", "review", "WidgetQuotaExceeded")
    assert code == 0 and "WidgetQuotaExceeded: already reviewed" in out


def test_review_by_guide_marks_every_draft_of_it(root):
    code, out, _ = app(root, "sqlite://", "kb", "review", "--guide", "widget")
    assert code == 0
    assert "3 entries marked reviewed" in out
    loaded = load_knowledge(root)
    assert loaded.drafts == ()
    assert {"WidgetQuotaExceeded", "deployment-hangs-while-starting"} <= {e.id for e in loaded.entries}


def test_review_of_an_unknown_id_changes_nothing_and_fails(root):
    code, out, _ = app(root, "sqlite://", "kb", "review", "WidgetQuotaExceeded", "NO_SUCH_ENTRY")
    assert code == 1
    assert "no such entry: NO_SUCH_ENTRY (nothing changed)" in out
    assert len(load_knowledge(root).drafts) == 3
    code, _, err = app(root, "sqlite://", "kb", "review")
    assert code == 2 and "give entry ids or --guide NAME" in err


def test_a_draft_with_problems_stays_a_draft(root):
    path = root / "entries" / "WidgetQuotaExceeded.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: deployment-error", "kind: nonsense"),
                    encoding="utf-8")
    code, out, _ = app(root, "sqlite://", "kb", "review", "WidgetQuotaExceeded")
    assert code == 1
    assert "kind 'nonsense' must be one of" in out and "still a draft" in out
    assert "\nstatus: draft\n" in path.read_text(encoding="utf-8")


def test_kb_check_validates_drafts_and_the_status_value(root):
    path = root / "entries" / "deployment-hangs-while-starting.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: draft", "status: maybe"), encoding="utf-8")
    line = text.splitlines().index("status: draft") + 1
    problems = [str(p) for p in check_knowledge(root)]
    assert problems == [f"{path}:{line}: status 'maybe' must be one of draft, reviewed"]


def test_shipped_entries_have_no_status_and_stay_reviewed(knowledge_root):
    loaded = load_knowledge(knowledge_root)
    assert loaded.drafts == () and len(loaded.entries) >= 18
