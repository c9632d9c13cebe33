"""`python app.py serve`: the Flask app under gunicorn (gthread workers: WEB_WORKERS processes, WEB_THREADS threads).

The app is built inside the worker (`load()`), after the fork: a database connection or a Socket Mode
connection opened before it would be shared, badly, by the parent and the child. With SLACK_APP_TOKEN
set the worker also opens the Socket Mode connection, in background threads next to the HTTP server,
so health, readiness and metrics still answer over HTTP. SIGTERM stops gracefully (gunicorn's own).
"""

from __future__ import annotations

import itertools
import logging
import sys
import threading
from typing import TextIO

from gunicorn.app.base import BaseApplication

from bot.log_redaction import RedactingGunicornLogger, install_log_redaction
from bot.settings import Settings

log = logging.getLogger(__name__)
GRACEFUL_SECONDS = 20  # in-flight requests and Slack replies get this long after SIGTERM
REQUEST_TIMEOUT_SECONDS = 60  # a worker silent this long is restarted by gunicorn
SOCKET_RETRY_SECONDS = (1, 2, 5, 10, 30)


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
    print(describe(settings), file=out, flush=True)
    _prepare_database(settings)
    TsgbotServer(settings).run()  # gunicorn exits the process itself when it stops
    return 0


def _prepare_database(settings: Settings) -> None:
    """Migrate (and fill an empty knowledge base) once, in the master, before the workers start:
    WEB_WORKERS processes doing it at once would race each other. Its engine is disposed inside, so
    no connection crosses the fork."""
    from bot.runtime import prepare_database

    prepare_database(settings)


class TsgbotServer(BaseApplication):
    """gunicorn, configured from the settings alone (no gunicorn.conf.py, no command-line parsing)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
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
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        from bot.web.app import app_state, create_app

        self.app = create_app(self.settings)
        if self.settings.slack_mode == "socket":
            self.socket_mode = start_socket_mode(app_state(self.app).bolt_app, self.settings.slack_app_token)
        return self.app

    def _worker_exit(self, server, worker) -> None:
        """After the last request: stop taking Socket Mode requests, finish the replies under way."""
        if self.socket_mode is not None:
            self.socket_mode.close()
        if self.app is not None:
            from bot.web.app import app_state

            app_state(self.app).close()


def start_socket_mode(bolt_app, app_token: str):
    """Connect Bolt to Slack over Socket Mode from a background thread, retrying until it connects.

    The handler reconnects by itself once connected; a first connection that fails (Slack unreachable,
    a revoked token) is retried here, so the HTTP side starts and answers /readyz meanwhile.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(bolt_app, app_token)

    def connect() -> None:
        for attempt in itertools.count():
            try:
                handler.connect()
                log.info("Socket Mode connected")
                return
            except Exception:
                wait = SOCKET_RETRY_SECONDS[min(attempt, len(SOCKET_RETRY_SECONDS) - 1)]
                log.exception("Socket Mode connection failed; trying again in %d s", wait)
                threading.Event().wait(wait)

    threading.Thread(target=connect, name="socket-mode", daemon=True).start()
    return handler
