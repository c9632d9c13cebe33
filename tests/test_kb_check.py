"""`kb check` reports every problem of the knowledge files as file:line, and never crashes."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.kb.check import check_knowledge

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
            "signals:\n  status: [999]\n  patterns: ['(a+)+b']\n  codes: [two words]\n"
            "causes:\n  - title: {en: c, de: c}\n    explanation: {en: e, de: e}\n"
            "    commands:\n      - run: az ml online-endpoint show -n <Endpoint Name>\n"
            "        description: {en: d, de: d}\n")
    found = "\n".join(problems_for(tmp_path, "X_1.yaml", text))
    assert "X_1.yaml:2: kind 'nonsense'" in found
    assert "X_1.yaml:5: entry.title.de must be a non-empty string" in found
    assert "999 is not an HTTP status code" in found
    assert "nested repetition" in found
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


def test_a_slow_pattern_is_caught_in_bounded_time(tmp_path):
    text = (KNOWLEDGE / "entries" / "HTTP_413.yaml").read_text(encoding="utf-8")
    text = text.replace("signals:\n", "signals:\n  patterns: ['(\\s*,)*x']\n", 1).replace("id: HTTP_413", "id: SLOW")
    found = "\n".join(problems_for(tmp_path, "SLOW.yaml", text))
    assert "SLOW.yaml" in found and ("did not finish" in found or "nested repetition" in found)


def test_empty_file_is_a_problem_not_a_crash(tmp_path):
    found = problems_for(tmp_path, "empty.yaml", "")
    assert any("empty.yaml:1: the file is empty" in p for p in found), found
