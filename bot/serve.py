"""`python app.py serve`: the Flask app under gunicorn (gthread workers: WEB_WORKERS processes, WEB_THREADS threads).

The app is built inside the worker (`load()`), after the fork: a database connection or a Socket Mode
connection opened before it would be shared, badly, by the parent and the child. With SLACK_APP_TOKEN
set the worker also opens the Socket Mode connection, in background threads next to the HTTP server,
so health, readiness and metrics still answer over HTTP. SIGTERM stops gracefully (gunicorn's own).

Each start gets a directory of its own for the workers' metrics (`bot.web.multiprocess`), removed
when the server stops, and the start-up line ("tsgbot serving on ...") is printed by the first
worker that can answer requests, not before.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from gunicorn.app.base import BaseApplication

from bot.log_redaction import RedactingGunicornLogger, install_log_redaction
from bot.settings import Settings

log = logging.getLogger(__name__)
GRACEFUL_SECONDS = 20  # in-flight requests and Slack replies get this long after SIGTERM
REQUEST_TIMEOUT_SECONDS = 60  # a worker silent this long is restarted by gunicorn
SERVING_MARK = "serving"  # a file in the server's metrics directory: the start-up line was printed


def describe(settings: Settings) -> str:
    """The start-up line: where it listens and how Slack reaches it."""
    where = f"http://{settings.host}:{settings.port}"
    slack = {
        "http": f"Slack on over HTTP: point Slack's request URLs at {where}/slack/events",
        "socket": "Slack on in Socket Mode (SLACK_APP_TOKEN): no public URL needed",
        "off": "Slack off: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set",
    }[settings.slack_mode]
    alerts = f"alerts at {where}/alerts/<source>" if settings.alerts_on else "alert webhooks off"
    return (f"tsgbot serving on {where} ({settings.web_workers} x {settings.web_threads} threads); {slack}; {alerts}; "
            f"database {settings.safe_database_url}")


def serve(settings: Settings, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Validate the settings and run the server until SIGTERM or SIGINT; 2 when the settings are unusable."""
    problems = settings.validate()
    if not problems:
        from bot.web.alerts import alert_config

        problems = alert_config(settings)[2]
    if problems:
        for problem in problems:
            print(f"tsgbot: {problem}", file=err)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    if settings.log_level != "DEBUG":  # one line per Alembic plugin at every start says nothing
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    _prepare_database(settings)
    from bot.web import multiprocess

    metrics_dir = multiprocess.open_dir()  # before the fork: every worker writes its values there
    TsgbotServer(settings, metrics_dir=metrics_dir, out=out).run()  # gunicorn exits the process itself
    return 0


def _prepare_database(settings: Settings) -> None:
    """Migrate (and fill an empty knowledge base) once, in the master, before the workers start:
    WEB_WORKERS processes doing it at once would race each other. Its engine is disposed inside, so
    no connection crosses the fork."""
    from bot.runtime import prepare_database

    prepare_database(settings)


class TsgbotServer(BaseApplication):
    """gunicorn, configured from the settings alone (no gunicorn.conf.py, no command-line parsing)."""

    def __init__(self, settings: Settings, *, metrics_dir: Path | None = None, out: TextIO = sys.stdout) -> None:
        self.settings = settings
        self.metrics_dir = metrics_dir
        self.out = out
        self.socket_mode = None
        self.app = None
        super().__init__(prog="tsgbot")

    def load_config(self) -> None:
        s = self.settings
        options = {
            "bind": [f"{s.host}:{s.port}"],
            "workers": s.web_workers,
            "worker_class": "gthread",
            "threads": s.web_threads,
            "preload_app": False,
            "timeout": REQUEST_TIMEOUT_SECONDS,
            "graceful_timeout": GRACEFUL_SECONDS,
            "loglevel": s.log_level.lower(),
            "errorlog": "-",
            "accesslog": None,  # requests are counted in /metrics, not logged one by one
            "proc_name": "tsgbot",
            "logger_class": RedactingGunicornLogger,  # secrets masked in gunicorn's own log lines too
            "worker_exit": self._worker_exit,
            "post_worker_init": self._announce,
            "child_exit": self._child_exit,
            "on_exit": self._on_exit,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        from bot.web.app import app_state, create_app

        self.app = create_app(self.settings)
        pool = app_state(self.app).service.pool
        if pool is not None:  # heavy pastes then wait for no process to start
            pool.start()
        if self.settings.slack_mode == "socket":
            from bot.web.socket_mode import SocketModeConnection

            state = app_state(self.app)
            self.socket_mode = SocketModeConnection(state.bolt_app, self.settings.slack_app_token).start()
            state.socket_mode = self.socket_mode
        return self.app

    def _announce(self, worker) -> None:
        """In a worker whose app is built: the first one prints the start-up line, once per start."""
        if self.metrics_dir is not None:
            try:  # O_EXCL: of several workers (and of workers restarted later) exactly one wins
                os.close(os.open(self.metrics_dir / SERVING_MARK, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return
        print(describe(self.settings), file=self.out, flush=True)

    def _child_exit(self, server, worker) -> None:
        from bot.web import multiprocess

        multiprocess.mark_dead(worker.pid)

    def _on_exit(self, server) -> None:
        if self.metrics_dir is not None:
            from bot.web import multiprocess

            multiprocess.close_dir(self.metrics_dir)

    def _worker_exit(self, server, worker) -> None:
        """After the last request: stop taking Socket Mode requests, finish the replies under way."""
        if self.socket_mode is not None:
            self.socket_mode.close()
        if self.app is not None:
            from bot.web.app import app_state

            app_state(self.app).close()

