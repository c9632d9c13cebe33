"""The metrics directory of a server start: fresh, switched to, removed, and orphans of killed servers cleared."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.web import multiprocess


def test_a_start_gets_a_fresh_directory_that_is_removed_with_it_and_orphans_are_cleared(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp_path / f"tsgbot-metrics-{int(dead.stdout)}-abc"  # its master is gone
    orphan.mkdir()
    living = tmp_path / f"tsgbot-metrics-{os.getppid()}-def"  # a server still running
    living.mkdir()
    monkeypatch.delenv(multiprocess.ENV, raising=False)
    path = multiprocess.open_dir()
    try:
        assert path.parent == tmp_path and path.name.startswith(f"tsgbot-metrics-{os.getpid()}-")
        assert os.environ[multiprocess.ENV] == str(path) and multiprocess.enabled()
        assert not orphan.exists() and living.exists()
    finally:
        multiprocess.close_dir(path)
    assert not path.exists() and not multiprocess.enabled()
