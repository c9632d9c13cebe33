"""Running app.py as a user does: a real process, a real database, output read back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_app(*args: str, database_url: str, stdin: bytes | None = None, env: dict | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    environ = {**os.environ, "DATABASE_URL": database_url, **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], input=stdin, capture_output=True,
                          env=environ, cwd=ROOT, timeout=timeout)
