"""The engine stays pure and the replies stay free of I/O, so every surface can share them."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
IO = ("slack_bolt", "slack_sdk", "sqlalchemy", "alembic", "flask", "gunicorn", "os", "bot.db", "bot.slack",
      "bot.web", "bot.alerts", "bot.delivery", "bot.kb", "bot.runtime", "bot.settings", "bot.service")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def offending_imports(wing: str, forbidden: tuple[str, ...]) -> list[tuple[str, str]]:
    found = []
    for path in sorted((BOT / wing).rglob("*.py")):
        for module in imported_modules(path):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                found.append((path.name, module))
    return found


def test_the_engine_imports_neither_slack_nor_sql_nor_the_environment_nor_the_replies():
    assert (BOT / "engine" / "diagnose.py").exists()
    assert offending_imports("engine", IO + ("bot.replies", "jinja2")) == []


def test_the_replies_import_no_io():
    assert (BOT / "replies" / "render.py").exists()
    assert offending_imports("replies", IO) == []


def test_no_diagnosis_module_is_left_outside_its_wing():
    moved = {"text", "redact", "extract", "words", "markers", "paste", "symptoms", "index", "matching",
             "diagnose", "model", "commands", "render", "slack_views", "slack_blocks", "labels"}
    assert sorted(p.stem for p in BOT.glob("*.py") if p.stem in moved) == []
