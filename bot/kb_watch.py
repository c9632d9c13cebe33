"""Reloading the knowledge base without a restart: watch the stored version, swap in a new snapshot.

    watcher = KnowledgeWatcher(runtime, interval=2, on_swap=publish).start()
    ...
    watcher.stop()

A daemon thread asks the database for the knowledge-base version every `interval` seconds (one small
SELECT). When `kb sync` has bumped it, the thread builds the new index beside the one being served
and replaces `runtime.snapshot` in one assignment: a request that read the old snapshot finishes on
it, the next one gets the new, and none waits for the build. A failed look or build (database down,
a stored document that no longer parses) keeps the snapshot being served and is tried again at the
next poll.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable

from bot.runtime import Runtime, Snapshot, load_snapshot

log = logging.getLogger(__name__)


class KnowledgeWatcher:
    """Keeps a runtime's snapshot at the version stored in its database."""

    def __init__(self, runtime: Runtime, *, interval: float,
                 on_swap: Callable[[Snapshot], None] | None = None) -> None:
        # Held weakly: a runtime nobody uses any more is neither kept alive nor polled by its watcher.
        self._runtime = weakref.ref(runtime)
        self.interval = interval
        self.on_swap = on_swap
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False  # the last attempt failed: log the next failure briefly, a recovery loudly

    def start(self) -> KnowledgeWatcher:
        self._thread = threading.Thread(target=self._run, name="kb-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop polling; waits for a build under way (up to `timeout` seconds)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            runtime = self._runtime()
            if runtime is None:
                return
            self.check(runtime)
            del runtime  # not held while waiting

    def check(self, runtime: Runtime | None = None) -> bool:
        """Look at the stored version once and load it when it differs; True when a new snapshot was swapped in."""
        runtime = runtime or self._runtime()
        if runtime is None:
            return False
        served = runtime.snapshot
        try:
            if runtime.stored_version() == served.version:
                self._recovered(runtime)
                return False
            snapshot = load_snapshot(runtime.sessions)
        except Exception:  # whatever it was, the snapshot being served stays; the next poll tries again
            self._failed(served)
            return False
        if self._stop.is_set():
            return False  # stopped during the build: a closed app keeps what it had
        runtime.snapshot = snapshot
        self._failing = False
        log.info("knowledge base version %d loaded (%d entries) in %.0f ms",
                 snapshot.version, snapshot.entry_count, snapshot.build_ms)
        if self.on_swap is not None:
            try:
                self.on_swap(snapshot)
            except Exception:  # e.g. a metrics update: the new snapshot is served regardless
                log.exception("after loading knowledge base version %d", snapshot.version)
        return True

    def _failed(self, served: Snapshot) -> None:
        if self._failing:
            log.debug("knowledge base reload still failing; serving version %d", served.version, exc_info=True)
            return
        self._failing = True
        log.exception("could not reload the knowledge base; still serving version %d, trying again in %g s",
                      served.version, self.interval)

    def _recovered(self, runtime: Runtime) -> None:
        if self._failing:
            self._failing = False
            log.info("knowledge base reload works again; serving version %d", runtime.snapshot.version)


def start_watcher(runtime: Runtime, *, interval: float,
                  on_swap: Callable[[Snapshot], None] | None = None) -> KnowledgeWatcher | None:
    """A running watcher, or None when `interval` is 0 (reloading is off)."""
    if interval <= 0:
        log.info("knowledge base reload is off (KB_POLL_SECONDS=0): restart to serve a new sync")
        return None
    return KnowledgeWatcher(runtime, interval=interval, on_swap=on_swap).start()
