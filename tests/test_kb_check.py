"""`kb check` reports every problem of the knowledge files as file:line, and never crashes."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.kb.check import check_knowledge
from tests.cli import run_app

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def copy_with(tmp_path: Path, name: str, text: str) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    (root / "entries" / name).write_text(text, encoding="utf-8")
    return root


def problems_for(tmp_path: Path, name: str, text: str) -> list[str]:
    return [str(p) for p in check_knowledge(copy_with(tmp_path, name, text))]


def test_shipped_knowledge_base_is_clean():
    assert [str(p) for p in check_knowledge(KNOWLEDGE)] == []


def test_yaml_syntax_error_points_at_its_line(tmp_path):
    found = problems_for(tmp_path, "broken.yaml", "id: broken\nkind: how-to\ntitle: [unclosed\n")
    assert any(p.startswith(f"{tmp_path}/knowledge/entries/broken.yaml:") for p in found), found


def test_missing_and_wrong_fields_are_each_named(tmp_path):
    text = ("id: X_1\nkind: nonsense\nguide: nowhere\nanchor: a\n"
            "title: {en: T}\nsummary: {en: S, de: Z}\n"
            "signals:\n  status: [999]\n  patterns: ['(a)\\1']\n  codes: [two words]\n"
            "causes:\n  - title: {en: c, de: c}\n    explanation: {en: e, de: e}\n"
            "    commands:\n      - run: az ml online-endpoint show -n <Endpoint Name>\n"
            "        description: {en: d, de: d}\n")
    found = "\n".join(problems_for(tmp_path, "X_1.yaml", text))
    assert "X_1.yaml:2: kind 'nonsense'" in found
    assert "X_1.yaml:5: entry.title.de must be a non-empty string" in found
    assert "999 is not an HTTP status code" in found
    assert "back-reference, which a linear-time engine cannot run" in found
    assert "must be one word" in found
    assert "<Endpoint Name>" in found


def test_an_entry_of_an_unknown_guide(tmp_path):
    source = (KNOWLEDGE / "entries" / "HTTP_413.yaml").read_text(encoding="utf-8")
    text = source.replace("id: HTTP_413", "id: ORPHAN").replace("guide: managed-online-endpoints", "guide: nowhere")
    found = "\n".join(problems_for(tmp_path, "ORPHAN.yaml", text))
    assert "ORPHAN.yaml:3: guide 'nowhere' has no file in guides/" in found


def test_duplicate_ids_and_unknown_related_entries(tmp_path):
    source = (KNOWLEDGE / "entries" / "ERR_1100.yaml").read_text(encoding="utf-8")
    found = "\n".join(problems_for(tmp_path, "copy.yaml", source.replace("related: [", "related: [NOPE, ")))
    assert "id 'ERR_1100' is already used" in found


def with_pattern(pattern: str) -> str:
    text = (KNOWLEDGE / "entries" / "HTTP_413.yaml").read_text(encoding="utf-8")
    quoted = "'" + pattern.replace("'", "''") + "'"
    return text.replace("signals:\n", f"signals:\n  patterns: [{quoted}]\n", 1).replace("id: HTTP_413", "id: SLOW")


def test_patterns_the_linear_engine_cannot_run_are_refused_with_their_line(tmp_path):
    # The patterns: a look-ahead, a look-behind, a repetition RE2 does not allow, and a
    # back-reference; each is refused by kb check, pointing at the line it stands on.
    for pattern, reason in [
        (r"(?-i:OutOfQuota)(?![\s\S]{0,120}insufficient memory)", "look-around"),
        (r"[A-Z][a-z]{1,30}(?<!HTTP)Error", "look-around"),
        (r"/var/azureml-app/[\s\S]{0,1500}?ImportError", "invalid repetition size"),
        (r"(\w+) \1", "back-reference"),
        (r"[a-z]{0,900}[^x]{0,900}[0-9]{0,900}", "RE2 instructions"),
    ]:
        found = problems_for(tmp_path / reason.replace(" ", "_") / str(len(pattern)), "SLOW.yaml",
                             with_pattern(pattern))
        assert len(found) == 1 and "SLOW.yaml:18: signals.patterns:" in found[0] and reason in found[0], found


def test_a_pattern_that_backtracks_in_python_is_accepted_because_it_runs_on_re2(tmp_path):
    # Nested repetition explodes on Python's re, not on RE2: the engine, not the shape, bounds it.
    assert problems_for(tmp_path, "SLOW.yaml", with_pattern(r"(\s*,)*x")) == []


def test_empty_file_is_a_problem_not_a_crash(tmp_path):
    found = problems_for(tmp_path, "empty.yaml", "")
    assert any("empty.yaml:1: the file is empty" in p for p in found), found


def test_kb_check_on_the_command_line_refuses_the_old_look_ahead_pattern(tmp_path):
    # ERR_1100's pattern as it was: it ran on Python's backtracking re; kb check now refuses it, with
    # the file and line, and exits 1 (no timing involved: the answer is the same on a loaded machine).
    source = (KNOWLEDGE / "entries" / "ERR_1100.yaml").read_text(encoding="utf-8")
    old = "    - '(?-i:OutOfQuota)(?![\\s\\S]{0,120}insufficient memory)'\n"
    text = source.replace("  patterns:\n", "  patterns:\n" + old, 1)
    root = copy_with(tmp_path, "ERR_1100.yaml", text)
    result = run_app("kb", "check", database_url=f"sqlite:///{tmp_path / 'x.db'}", env={"KNOWLEDGE_DIR": str(root)})
    out = result.stdout.decode()
    assert result.returncode == 1, out
    line = source[: source.index("  patterns:\n")].count("\n") + 2  # the line after "patterns:"
    assert f"{root}/entries/ERR_1100.yaml:{line}: signals.patterns:" in out
    assert "look-around, which a linear-time engine cannot run" in out
