"""Heavy diagnoses in processes of their own: bounded in number, in waiting and in time.

A diagnosis is pure Python and holds the interpreter lock while it computes: a 40 KB paste of the
knowledge base's own words takes a third of a second, a 1 MB attachment seconds, and while threads
of the server process run them, the threads that acknowledge Slack's requests wait for their turn
(slash-command acks went from milliseconds to seconds under three such pastes). So a paste of
`HEAVY_CHARS` or more is diagnosed in a child process (spawned, never forked from the threaded
server), `workers` of them at most; at most `queue_limit` more wait for one, the rest get
`DiagnosisBusy` at once; a diagnosis that takes longer than its time limit gets `DiagnosisTooSlow`
and its process is ended (the next one starts afresh). Either way the person gets a clear reply.

Each child builds its own index from the database and rebuilds it when the server asks for a
knowledge-base version it does not have (after a `kb sync`).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bot.engine.model import Diagnosis
from bot.slack.ports import DiagnosisUnavailable

log = logging.getLogger(__name__)
HEAVY_CHARS = 4_000  # shorter pastes take milliseconds: diagnosed in the calling thread
DEFAULT_WORKERS = 2
DEFAULT_QUEUE = 8
DEFAULT_TIME_LIMIT = 20.0
START_SECONDS = 60.0  # a child that has not built its index by then is given up
RETRY_SECONDS = (1, 2, 5, 10, 30)


class DiagnosisBusy(DiagnosisUnavailable):
    reason = "busy"


class DiagnosisTooSlow(DiagnosisUnavailable):
    reason = "too_slow"


@dataclass(frozen=True)
class PoolResult:
    diagnosis: Diagnosis
    version: int  # the knowledge-base version the child diagnosed with


class _Child:
    """One child process and the pipe to it."""

    def __init__(self, database_url: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(target=_child_main, args=(database_url, child_conn), daemon=True,
                                       name="tsgbot-diagnosis")
        self.process.start()
        child_conn.close()
        if not self.conn.poll(START_SECONDS) or self.conn.recv() != "ready":
            self.stop()
            raise DiagnosisBusy("the diagnosis process did not start")

    def ask(self, text: str, lang: str | None, version: int, time_limit: float) -> PoolResult:
        self.conn.send((text, lang, version))
        if not self.conn.poll(time_limit):
            raise DiagnosisTooSlow(f"no diagnosis within {time_limit:g} s")
        kind, value = self.conn.recv()
        if kind == "error":
            raise RuntimeError(f"the diagnosis process failed: {value}")
        return value

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=2)
        self.conn.close()


class DiagnosisPool:
    """`diagnose(text, lang=..., version=..., time_limit=...)` in a child process; thread-safe.

    Children start in the background (`start()`, or at the first heavy paste) and a stopped one is
    replaced in the background too: a caller's time limit covers all its waiting, for a free child
    as much as for the diagnosis, so a slash command is answered within Slack's 3 seconds whatever
    the pool is doing.
    """

    def __init__(self, database_url: str, *, workers: int = DEFAULT_WORKERS, queue_limit: int = DEFAULT_QUEUE,
                 time_limit: float = DEFAULT_TIME_LIMIT):
        self.database_url = database_url
        self.workers = workers
        self.queue_limit = queue_limit
        self.time_limit = time_limit  # callers pass it, or less (a slash command)
        self._idle: queue.Queue[_Child] = queue.Queue()
        self._lock = threading.Lock()
        self._admitted = 0
        self._started = False
        self._closed = False

    def diagnose(self, text: str, *, lang: str | None, version: int, time_limit: float) -> PoolResult:
        try:
            return self._diagnose(text, lang=lang, version=version, time_limit=time_limit)
        except DiagnosisUnavailable as exc:  # the person gets a notice; the operator this line (never the text)
            log.warning("a heavy paste of %d characters was not diagnosed: %s", len(text), exc)
            raise

    def _diagnose(self, text: str, *, lang: str | None, version: int, time_limit: float) -> PoolResult:
        deadline = time.monotonic() + time_limit
        with self._lock:
            if self._closed or self._admitted >= self.workers + self.queue_limit:
                raise DiagnosisBusy(f"{self._admitted} heavy diagnoses are running or waiting")
            self._admitted += 1
        try:
            self.start()
            try:
                child = self._idle.get(timeout=time_limit)
            except queue.Empty:
                raise DiagnosisTooSlow(f"no diagnosis process free within {time_limit:g} s") from None
            try:
                result = child.ask(text, lang, version, max(0.001, deadline - time.monotonic()))
            except BaseException:
                child.stop()  # still computing, or broken: a new one takes its place
                self._replace()
                raise
            self._idle.put(child)
            return result
        finally:
            with self._lock:
                self._admitted -= 1

    def start(self) -> DiagnosisPool:
        """Start the children in the background, once (the first heavy paste then waits for none)."""
        with self._lock:
            if self._started:
                return self
            self._started = True
        for _ in range(self.workers):
            self._replace()
        return self

    def _replace(self) -> None:
        threading.Thread(target=self._spawn, name="tsgbot-diagnosis-start", daemon=True).start()

    def _spawn(self) -> None:
        for attempt in itertools.count():
            if self._closed:
                return
            try:
                child = _Child(self.database_url)
                break
            except Exception:  # the database away, say: the heavy pastes get 'too slow' meanwhile
                wait = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
                log.exception("could not start a diagnosis process; trying again in %d s", wait)
                time.sleep(wait)
        if self._closed:
            child.stop()
            return
        self._idle.put(child)

    def close(self) -> None:
        """End the idle children; one busy now is ended by its caller's time limit, or at exit (daemon)."""
        with self._lock:
            self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return


def _child_main(database_url: str, conn: Connection) -> None:
    """The child: build the index, then diagnose what arrives until the pipe closes (the server is gone)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server ends us
    from bot.db.engine import make_engine, make_sessionmaker
    from bot.engine.diagnose import diagnose
    from bot.runtime import load_index

    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    index, version = load_index(sessions)
    engine.dispose()
    conn.send("ready")
    while True:
        try:
            text, lang, wanted = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if wanted != version:  # the server serves another knowledge-base version: load the stored one
                index, version = load_index(sessions)
                engine.dispose()
            answer: Any = ("ok", PoolResult(diagnose(text, index, lang=lang), version))
        except Exception as exc:  # reported to the caller, which answers with an apology
            answer = ("error", f"{exc.__class__.__name__}: {exc}")
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return
