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
    problems = settings.validate(role="worker")  # the bot token, never the signing secret
    if problems:
        for problem in problems:
            print(f"tsgbot worker: {problem}", file=err)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from bot.web import multiprocess

    multiprocess.leave()  # one process: its metrics live in memory, whatever the environment says
    from bot.delivery.setup import build_worker
    from bot.kb_watch import start_watcher
    from bot.runtime import open_runtime
    from bot.web.live_metrics import OutboxBacklog
    from bot.web.metrics import PrometheusMetrics
    from bot.web.metrics_port import serve_metrics

    runtime = open_runtime(settings)
    metrics = PrometheusMetrics()
    metrics.knowledge_base(version=runtime.kb_version, entries=len(runtime.index.entries))
    metrics.add_live([OutboxBacklog(runtime.sessions)])
    worker = build_worker(runtime, metrics)
    watcher = start_watcher(runtime, interval=settings.kb_poll_seconds,
                            on_swap=lambda s: metrics.knowledge_base(version=s.version, entries=s.entry_count))
    metrics_port = serve_metrics(metrics, host=settings.host, port=settings.metrics_port)
    stopped = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopped.set())
    where = f"; metrics at http://{settings.host}:{metrics_port.port}/metrics" if metrics_port else ""
    print(f"tsgbot worker {worker.name} delivering alerts from {settings.safe_database_url}{where}", file=out,
          flush=True)
    worker.start()
    try:
        stopped.wait()
    finally:
        worker.stop()
        if metrics_port is not None:
            metrics_port.close()
        if watcher is not None:
            watcher.stop()
        runtime.engine.dispose()
    return 0
