"""`kb import` on small guides: plain CommonMark, a status-code table, broken guides and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.files import load_knowledge
from bot.kb.guides import load_guide_files
from tests.cli import run_app

GUIDES = Path(__file__).resolve().parent / "guides"


def kb_import(root: Path, guide_file: Path | str, name: str, *args: str):
    result = run_app("kb", "import", str(guide_file), "--guide", name, "--dir", str(root), *args,
                     database_url=f"sqlite:///{root.parent / 'unused.db'}")
    return result.returncode, result.stdout.decode(), result.stderr.decode()


def drafts_by_id(root: Path) -> dict:
    loaded = load_knowledge(root)
    assert not loaded.problems, loaded.problems
    return {e.id: e for e in loaded.drafts}


@pytest.fixture
def root(tmp_path) -> Path:
    path = tmp_path / "knowledge"
    path.mkdir()
    return path


def check(root: Path) -> str:
    result = run_app("kb", "check", database_url="sqlite://", env={"KNOWLEDGE_DIR": str(root)})
    assert result.returncode == 0, result.stdout.decode()
    return result.stderr.decode()


def test_a_plain_commonmark_guide_becomes_drafts_that_pass_kb_check(root):
    code, out, err = kb_import(root, GUIDES / "plain-widget.md", "widget")
    assert code == 0, out + err
    drafts = drafts_by_id(root)
    assert sorted(drafts) == ["WidgetQuotaExceeded", "deployment-hangs-while-starting",
                              "scoring-returns-connection-refused"]
    refused = drafts["scoring-returns-connection-refused"]
    assert refused.anchor == "scoring-returns-connection-refused"
    assert refused.signals.phrases == ("Connection refused while calling the widget scoring endpoint",)
    assert [s.en for s in refused.causes[0].steps] == ["Check that the deployment finished provisioning.",
                                                       "Read the container log for the port the server binds to."]
    assert [c.template for c in refused.causes[0].commands] == [
        "az ml online-deployment get-logs -e <endpoint-name> -n <deployment-name> --resource-group <resource-group> "
        "--lines 50"]
    quota = drafts["WidgetQuotaExceeded"]
    assert quota.kind == "deployment-error" and quota.signals.codes == ("WidgetQuotaExceeded",)
    assert [c.template for c in quota.causes[0].commands] == [
        "az ml online-endpoint show -n <endpoint-name> -g <resource-group> -w <workspace-name>"]
    hangs = drafts["deployment-hangs-while-starting"]  # sub-sections without codes are its causes
    assert [c.title.en for c in hangs.causes] == ["The image is very large", "The readiness probe gives up too early"]
    assert hangs.causes[1].commands[0].template == ("az ml online-deployment update -e <endpoint-name> "
                                                    "-n <deployment-name> --set readiness_probe.initial_delay=300")
    assert "see-also" not in out  # boilerplate is skipped
    guides, _ = load_guide_files(root)
    assert [(g.name, g.title.en, g.language) for g in guides] == [
        ("widget", "Widget scoring service: troubleshooting", "en")]
    assert "wrote" in out and "3 drafts written" in out
    assert check(root) == "knowledge base OK\n"


def test_a_draft_file_says_it_is_a_draft_in_the_guides_language(root):
    kb_import(root, GUIDES / "plain-widget.md", "widget")
    text = (root / "entries" / "WidgetQuotaExceeded.yaml").read_text(encoding="utf-8")
    assert "\nstatus: draft\n" in text
    assert "guide's text (en) in both" in text and "kb review WidgetQuotaExceeded" in text
    assert "examples: []" in text


def test_each_row_of_a_status_table_is_an_entry_and_includes_next_to_the_guide_are_followed(root):
    code, out, err = kb_import(root, GUIDES / "status-table.md", "widget-api")
    assert code == 0, out + err
    drafts = drafts_by_id(root)
    assert sorted(drafts) == ["HTTP_400", "HTTP_404", "HTTP_429_RATE_LIMITED", "HTTP_429_TOO_MANY_QUEUED_WIDGETS",
                              "HTTP_503", "retry-requests"]
    queued = drafts["HTTP_429_TOO_MANY_QUEUED_WIDGETS"]
    assert (queued.kind, queued.anchor, queued.signals.status) == ("scoring-status", "status-codes", (429,))
    assert queued.signals.phrases == ("Too many queued widgets",)
    assert queued.summary.en == "The queue of widgets waiting for a worker is full."
    assert drafts["HTTP_503"].links == ("https://example.org/widget/scaling",)
    retry = drafts["retry-requests"]  # the {#id} heading id, a TIP block and the included steps
    assert [s.en for s in retry.causes[0].steps] == ["Wait for the `Retry-After` seconds before sending again.",
                                                     "Double the wait after every further failure."]
    assert "Tip: Retry with exponential backoff" in retry.causes[0].explanation.en
    assert "status-table.md:25: include include-retry.md: followed" in out
    assert "status-table.md:27: include no-such-include.md: not followed (no such file)" in out
    assert check(root) == "knowledge base OK\n"


def test_a_broken_guide_lists_its_problems_by_line_and_still_imports_its_good_sections(root):
    code, out, err = kb_import(root, GUIDES / "broken.md", "broken")
    assert code == 1
    assert "Traceback" not in err
    path = GUIDES / "broken.md"
    for expected in (f"{path}:11: section 'empty-section' is empty",
                     f"{path}:13: section 'only-prose' has nothing recognisable",
                     f"{path}:17: duplicate anchor 'good-section-before-the-problems' (first at line 3)",
                     f"{path}:27: code fence ```bash is never closed"):
        assert expected in out, out
    drafts = drafts_by_id(root)  # before and after the broken ones
    assert sorted(drafts) == ["ERR_9100", "ERR_9200", "section-36"]
    assert drafts["section-36"].anchor == "section-36"  # a heading with no letters is named by its line
    assert "4 problem(s)" in out
    assert check(root) == "knowledge base OK\n"


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not Markdown text"),
    ("# Titel\n\n## Fehler\n\nUngültig: ä\n".encode("latin-1"), "5: not UTF-8 text (byte 0xfc)"),
    (None, "no such file"),
    (b"# Just a title\n\nNo sections below it.\n", "1: no sections found"),
], ids=["binary", "latin-1", "missing", "no-sections"])
def test_files_that_are_no_markdown_guide_give_one_clear_line(root, tmp_path, content, message):
    path = tmp_path / "guide.md"
    if content is not None:
        path.write_bytes(content)
    code, out, err = kb_import(root, path, "bad")
    assert code == 1
    assert f"{path}:{message if message[0].isdigit() else '0: ' + message}" in out
    assert "Traceback" not in err
    assert not (root / "entries").exists() or not list((root / "entries").iterdir())


def test_bad_usage_is_explained(root):
    result = run_app("kb", "import", str(GUIDES / "plain-widget.md"), "--dir", str(root), database_url="sqlite://")
    assert result.returncode == 2
    assert "kb import GUIDE.md --guide NAME" in result.stderr.decode()
    code, _, err = kb_import(root, GUIDES / "plain-widget.md", "Not A Name")
    assert code == 2 and "--guide 'Not A Name'" in err


def test_ids_stay_unique_across_guides_and_a_second_import_changes_nothing(root):
    kb_import(root, GUIDES / "plain-widget.md", "widget")
    before = {p.name: p.read_text(encoding="utf-8") for p in (root / "entries").iterdir()}
    code, out, _ = kb_import(root, GUIDES / "plain-widget.md", "widget")
    assert code == 0
    assert "0 drafts written, 0 existing with differences, 3 existing unchanged" in out
    assert {p.name: p.read_text(encoding="utf-8") for p in (root / "entries").iterdir()} == before
    code, out, _ = kb_import(root, GUIDES / "plain-widget.md", "widget-copy")
    assert code == 0, out
    assert sorted(e for e in drafts_by_id(root) if e.startswith("widget-copy-")) == [
        "widget-copy-WidgetQuotaExceeded", "widget-copy-deployment-hangs-while-starting",
        "widget-copy-scoring-returns-connection-refused"]
    assert check(root) == "knowledge base OK\n"


def test_dry_run_writes_nothing(root):
    code, out, _ = kb_import(root, GUIDES / "plain-widget.md", "widget", "--dry-run")
    assert code == 0
    assert "would write" in out and "3 drafts written" in out
    assert not (root / "entries").exists() and not (root / "guides").exists()


def test_an_edited_draft_shows_as_a_diff_and_is_not_overwritten(root):
    kb_import(root, GUIDES / "plain-widget.md", "widget")
    path = root / "entries" / "WidgetQuotaExceeded.yaml"
    edited = path.read_text(encoding="utf-8").replace("examples: []", "examples:\n- '(WidgetQuotaExceeded) no cores'")
    path.write_text(edited, encoding="utf-8")
    code, out, _ = kb_import(root, GUIDES / "plain-widget.md", "widget")
    assert code == 0
    assert f"--- {path} (existing)" in out and f"+++ {path} (import)" in out
    assert "-- '(WidgetQuotaExceeded) no cores'" in out
    assert "1 existing with differences, 2 existing unchanged" in out
    assert path.read_text(encoding="utf-8") == edited


def test_python_snippets_stay_whole_and_inline_commands_are_found(root):
    code, out, _ = kb_import(root, GUIDES / "sdk-snippets.md", "sdk")
    assert code == 0, out
    entry = drafts_by_id(root)["ResourceNotReady"]
    assert [c.template for c in entry.causes[0].commands] == [
        "from azure.ai.ml import MLClient\n"
        'ml_client.online_endpoints.begin_create_or_update(ManagedOnlineEndpoint(name="<endpoint-name>"))',
        "az ml online-endpoint show --name <endpoint-name> --resource-group <resource-group> "
        "--workspace-name <workspace-name>"]
    assert "run: |-\n" in (root / "entries" / "ResourceNotReady.yaml").read_text(encoding="utf-8")
    assert check(root) == "knowledge base OK\n"


@pytest.mark.parametrize(("command", "template"), [
    ("az ml online-endpoint show -n my-endpoint --resource-group myrg",
     "az ml online-endpoint show -n <endpoint-name> --resource-group <resource-group>"),
    ("az ml online-deployment get-logs --endpoint-name=ep1 --name blue -w ws",
     "az ml online-deployment get-logs --endpoint-name=<endpoint-name> --name <deployment-name> -w <workspace-name>"),
    ('curl -X POST https://fraud-ep.westeurope.inference.ml.azure.com/score -H "Authorization: Bearer $API_KEY"',
     'curl -X POST <scoring-uri> -H "Authorization: Bearer <api-key>"'),
    ("az ml online-deployment create -f blue.yml --set instance_type=Standard_DS3_v2 image=myacr.azurecr.io/r/x:1",
     "az ml online-deployment create -f blue.yml --set instance_type=<instance-type> image=<image>"),
    ("azcopy copy https://acct.blob.core.windows.net/models/m.pkl .", "azcopy copy <blob-url> ."),
])
def test_example_values_in_commands_become_placeholders(command, template):
    from bot.kb.importer.placeholders import to_template

    assert to_template(command) == template
