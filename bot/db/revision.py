"""The schema revision the code expects, read from `migrations/versions/` without importing Alembic.

Importing Alembic (and SQLAlchemy under it) costs about 0.3 s of CPU, more than a whole diagnosis:
the command line reads the revision ids from the migration files with a regular expression and
asks Alembic to migrate only when the database stores another one. Anything unusual (several
heads, a file it cannot read, a revision line it does not recognise) answers None, and the caller
then lets Alembic decide: the cheap reading may be skipped, never wrong.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

VERSIONS_DIR = Path(__file__).resolve().parents[2] / "migrations" / "versions"

# `revision: str = "0003_alerts"` and `down_revision: str | Sequence[str] | None = "0002_slack"`
# (or None, or a tuple of ids for a merge), as Alembic's script template writes them.
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.MULTILINE)


@cache
def code_head(versions_dir: Path = VERSIONS_DIR) -> str | None:
    """The one head revision of the migration files, or None when it cannot be told cheaply."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        files = sorted(versions_dir.glob("*.py"))
        texts = [path.read_text(encoding="utf-8") for path in files]
    except (OSError, UnicodeDecodeError):
        return None
    for text in texts:
        found = dict(reversed(_ASSIGNMENT.findall(text)))  # the first assignment of each name counts
        revision = _ids(found.get("revision"))
        down = _ids(found.get("down_revision"))
        if revision is None or len(revision) != 1 or down is None:
            return None
        revisions.update(revision)
        parents.update(down)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _ids(source: str | None) -> tuple[str, ...] | None:
    """The revision ids a right-hand side names: a string, None, or a tuple/list of strings."""
    if source is None:
        return None
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return None
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple | list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None
