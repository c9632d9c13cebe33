"""Socket Mode: the worker connects out to Slack over a WebSocket instead of taking HTTP requests.

Connecting happens in a background thread, retried until it works, so the HTTP side (health,
readiness, metrics, alerts) serves meanwhile; once connected, slack_sdk reconnects by itself (Slack
asks clients to reconnect every few hours, and says `disconnect` first). `/readyz` shows the state.
"""

from __future__ import annotations

import itertools
import logging
import threading

log = logging.getLogger(__name__)
RETRY_SECONDS = (1, 2, 5, 10, 30)
CONNECTED, CONNECTING, CLOSED = "connected", "connecting", "closed"


class SocketModeConnection:
    """Bolt's built-in Socket Mode handler (no extra library), connected from a background thread."""

    def __init__(self, bolt_app, app_token: str, *, retry_seconds: tuple[float, ...] = RETRY_SECONDS) -> None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        # The handler calls apps.connections.open through the app's client (SLACK_API_URL applies).
        self.handler = SocketModeHandler(bolt_app, app_token)
        self.retry_seconds = retry_seconds
        self.last_error: str | None = None
        self._closed = threading.Event()

    def start(self) -> SocketModeConnection:
        threading.Thread(target=self._connect, name="socket-mode", daemon=True).start()
        return self

    @property
    def connected(self) -> bool:
        return self.handler.client.is_connected()

    @property
    def state(self) -> str:
        if self._closed.is_set():
            return CLOSED
        return CONNECTED if self.connected else CONNECTING

    def as_json(self) -> dict:
        body: dict = {"socket_mode": self.state}
        if self.state != CONNECTED and self.last_error:
            body["socket_mode_error"] = self.last_error
        return body

    def close(self) -> None:
        """Stop taking requests over the socket (the replies under way are the app's to finish)."""
        self._closed.set()
        self.handler.close()

    def _connect(self) -> None:
        client = self.handler.client
        for attempt in itertools.count():
            if self._closed.is_set():
                return
            try:
                # A fresh URL each try: one from apps.connections.open is good for one connection.
                client.connect_to_new_endpoint(force=True)
                self.last_error = None
                log.info("Socket Mode connected")
                return
            except Exception as exc:  # Slack unreachable, a revoked token: try again, keep serving HTTP
                self.last_error = f"{exc.__class__.__name__}: {(str(exc).splitlines() or [''])[0][:200]}"
                wait = self.retry_seconds[min(attempt, len(self.retry_seconds) - 1)]
                log.warning("Socket Mode connection failed (%s); trying again in %s s", self.last_error, wait)
                self._closed.wait(wait)
