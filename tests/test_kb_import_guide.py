"""`kb import` on the managed online endpoints guide the shipped entries were written from."""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from pathlib import Path

import pytest

from bot.kb.files import load_knowledge
from tests.cli import run_app

# The guide lies in the shared folder beside the checkout (where CI lays it too), not in the repository.
GUIDE = Path(__file__).resolve().parents[2] / "shared" / "guides" / "troubleshoot-managed-online-endpoints.de.md"
NAME = "managed-online-endpoints"
LOGS = "az ml endpoint get-logs"

pytestmark = pytest.mark.skipif(not GUIDE.is_file(), reason=f"{GUIDE} is not on this machine")

# What each section of the guide holds, by anchor (status-table rows by anchor and status).
EXPECTED = {
    "deploy-locally": ("how-to", (), [
        "az ml endpoint create -n <endpoint-name> -f <spec-file> --local"]),
    "get-container-logs": ("how-to", (), [
        f"{LOGS} -n <endpoint-name> -d <deployment-name> -l 100",
        f"{LOGS} --name <endpoint-name> --deployment <deployment-name> --lines 100",
        f"{LOGS} -h"]),
    "err_1100-not-enough-quota": ("deployment-error", ("ERR_1100",), []),
    "err_1200-unable-to-download-user-container-image": ("deployment-error", ("ERR_1200",), [
        "az acr repository show-tags -n <registry-name> --repository <image-repository> --orderby time_desc "
        "--output table",
        f"{LOGS} -n <endpoint-name> --deployment <deployment-name> --tail 100"]),
    "err_1300-unable-to-download-user-modelcode-artifacts": ("deployment-error", ("ERR_1300",), [
        "az ml model show --name <model-name>",
        "az ml code show --name <code-name> --version <code-version>",
        "az storage blob exists --account-name <storage-account> --container-name <container-name> "
        "--name <blob-path> --subscription <subscription-id>",
        f"{LOGS} -n <endpoint-name> --deployment <deployment-name> --lines 100"]),
    "err_2100-unable-to-start-user-container": ("deployment-error", ("ERR_2100",), [LOGS]),
    "err_2200-user-container-has-crashedterminated": ("deployment-error", ("ERR_2200",), []),
    "err_5000-internal-error": ("deployment-error", ("ERR_5000",), []),
}
STATUS_ROWS = Counter({200: 1, 401: 1, 404: 1, 408: 1, 413: 1, 424: 2, 429: 2, 500: 1})


def section_key(entry) -> tuple:
    return (entry.anchor, entry.signals.status[0] if entry.anchor == "http-status-codes" else None)


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, object]:
    """The guide imported into an empty knowledge directory."""
    root = tmp_path_factory.mktemp("fresh") / "knowledge"
    root.mkdir()
    result = run_app("kb", "import", str(GUIDE), "--guide", NAME, "--dir", str(root), "--source",
                     "https://learn.microsoft.com/de-de/azure/machine-learning/how-to-troubleshoot-managed-online-endpoints",
                     database_url="sqlite://")
    return root, result


def test_all_eighteen_sections_of_the_shipped_entries_are_found(imported, knowledge_root):
    root, result = imported
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    drafts = load_knowledge(root).drafts
    shipped = load_knowledge(knowledge_root).entries
    guide_entries = [e for e in shipped if e.guide == NAME]
    assert len(drafts) == 18
    assert Counter(section_key(d) for d in drafts) == Counter(section_key(e) for e in guide_entries)
    assert "18 entries drafted, 18 drafts written" in result.stdout.decode()


def test_each_section_has_its_codes_kind_and_commands_with_placeholders(imported):
    by_anchor = {d.anchor: d for d in load_knowledge(imported[0]).drafts if d.anchor != "http-status-codes"}
    for anchor, (kind, codes, commands) in EXPECTED.items():
        draft = by_anchor[anchor]
        assert (draft.kind, draft.signals.codes, draft.signals.status) == (kind, codes, ()), anchor
        assert [c.template for cause in draft.causes for c in cause.commands] == commands, anchor
        if codes:
            assert draft.id == codes[0]
    assert by_anchor["err_1200-unable-to-download-user-container-image"].signals.phrases == (
        "Unable to download user container image",)
    assert len(by_anchor["err_2200-user-container-has-crashedterminated"].causes[0].steps) == 6


def test_each_status_table_row_is_a_scoring_status_entry(imported):
    rows = [d for d in load_knowledge(imported[0]).drafts if d.anchor == "http-status-codes"]
    assert Counter(d.signals.status[0] for d in rows) == STATUS_ROWS
    assert all(d.kind == "scoring-status" for d in rows)
    ids = {d.id for d in rows}
    assert {"HTTP_200", "HTTP_413", "HTTP_500", "HTTP_429_TOO_MANY_PENDING_REQUESTS"} <= ids
    pending = next(d for d in rows if d.id == "HTTP_429_TOO_MANY_PENDING_REQUESTS")
    assert pending.signals.phrases == ("Too many pending requests",)
    assert "https://aka.ms/exponential-backoff" in pending.links


def test_every_draft_passes_kb_check(imported):
    result = run_app("kb", "check", database_url="sqlite://", env={"KNOWLEDGE_DIR": str(imported[0])})
    assert result.returncode == 0, result.stdout.decode()


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*.yaml"))}


def test_importing_into_the_shipped_knowledge_shows_diffs_and_writes_nothing(tmp_path, knowledge_root):
    root = tmp_path / "knowledge"
    shutil.copytree(knowledge_root, root)
    before = digest(root)
    result = run_app("kb", "import", str(GUIDE), "--guide", NAME, "--dir", str(root), database_url="sqlite://")
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert digest(root) == before
    shipped = [e.id for e in load_knowledge(knowledge_root).entries if e.guide == NAME]
    for entry_id in shipped:  # mapped to the reviewed entries by anchor (and status), whatever their id
        assert f"--- {root / 'entries' / entry_id}.yaml (existing)" in out, entry_id
    assert f"0 drafts written, {len(shipped)} existing with differences" in out
    assert "+status: draft" in out
