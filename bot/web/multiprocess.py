"""prometheus_client's multiprocess mode for `serve`: one directory of value files per server start.

gunicorn runs WEB_WORKERS processes; each would count only what it answered itself, and a scrape
lands on one of them at random (120 alerts over two workers read 52 or 68). In multiprocess mode
every process writes its values to memory-mapped files in PROMETHEUS_MULTIPROC_DIR and the process
answering a scrape adds up all the files.

The directory is made fresh by the master before the workers fork (values of an earlier run would be
added to this one's) and removed when the master exits. A dead worker's counters stay in it (they
counted real requests); its gauges of the `live*` modes are dropped (`mark_dead`).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def enabled() -> bool:
    return bool(os.environ.get(ENV))


PREFIX = "tsgbot-metrics-"


def open_dir() -> Path:
    """Make this server start's directory and switch prometheus_client to it (before any metric exists)."""
    _remove_orphans(Path(tempfile.gettempdir()))
    path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    os.environ[ENV] = str(path)
    _refresh_value_class()
    return path


def close_dir(path: Path) -> None:
    """Remove the directory (the master's last act) and leave multiprocess mode."""
    shutil.rmtree(path, ignore_errors=True)
    if os.environ.get(ENV) == str(path):
        del os.environ[ENV]
        _refresh_value_class()


def leave() -> None:
    """For a single process (`python app.py worker`): ignore a directory inherited from the environment,
    which may be another server's or gone; its values are kept in memory."""
    if os.environ.pop(ENV, None) is not None:
        _refresh_value_class()


def mark_dead(pid: int) -> None:
    """A worker exited: its `live*` gauges (the knowledge-base version it served) no longer count."""
    if enabled():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def collect_into(registry) -> None:
    """Register the collector that adds up every process's files of the directory."""
    from prometheus_client import multiprocess

    multiprocess.MultiProcessCollector(registry)


def _remove_orphans(parent: Path) -> None:
    """Directories of servers that were killed before they could remove theirs (their master is gone)."""
    for path in parent.glob(f"{PREFIX}*-*"):
        pid = path.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _refresh_value_class() -> None:
    # prometheus_client picks how values are stored when it is first imported; metrics made later
    # use `values.ValueClass`. Re-pick it if something imported the library before the switch.
    values = sys.modules.get("prometheus_client.values")
    if values is not None:
        values.ValueClass = values.get_value_class()
