"""`python app.py worker`: the alert delivery worker on its own, beside servers run with DELIVERY_WORKER=off
(or several of them: they share the outbox safely). Stops after the job under way on SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import TextIO

from bot.log_redaction import install_log_redaction
from bot.settings import Settings

log = logging.getLogger(__name__)


def run_worker(settings: Settings, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    problems = settings.validate()
    if not settings.slack_bot_token:
        problems.append("SLACK_BOT_TOKEN is missing: the worker sends alert messages to Slack with it")
    if problems:
        for problem in problems:
            print(f"tsgbot worker: {problem}", file=err)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from bot.delivery.setup import build_worker
    from bot.kb_watch import start_watcher
    from bot.runtime import open_runtime
    from bot.web.metrics import PrometheusMetrics

    runtime = open_runtime(settings)
    worker = build_worker(runtime, PrometheusMetrics())
    watcher = start_watcher(runtime, interval=settings.kb_poll_seconds)
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())
    print(f"tsgbot worker {worker.name} delivering alerts from {settings.safe_database_url}", file=out, flush=True)
    worker.start()
    try:
        stopped.wait()
    finally:
        worker.stop()
        if watcher is not None:
            watcher.stop()
        runtime.engine.dispose()
    return 0
