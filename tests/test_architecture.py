"""The core stays pure: no Slack, no SQL, no environment, so every surface can share it."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = ["model", "text", "words", "redact", "extract", "index", "matching", "diagnose", "commands", "render",
        "paste", "symptoms", "markers", "slack_blocks", "slack_views",
        "labels"]
FORBIDDEN = ("slack_bolt", "slack_sdk", "sqlalchemy", "alembic", "bot.db", "bot.slack", "os")
BOT = Path(__file__).resolve().parent.parent / "bot"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_modules_import_neither_slack_nor_sql_nor_the_environment():
    for name in CORE:
        for module in imported_modules(BOT / f"{name}.py"):
            assert not any(module == f or module.startswith(f + ".") for f in FORBIDDEN), (name, module)
