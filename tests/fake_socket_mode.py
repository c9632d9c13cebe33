"""A local stand-in for Slack's Socket Mode WebSocket endpoint, like slack_sdk's own mock server in its tests.

    with FakeSlack(bot_token=..., app_token="xapp-...") as slack, FakeSocketMode() as socket_mode:
        slack.socket_mode = socket_mode          # apps.connections.open now hands out its URLs
        socket_mode.wait_connected()
        envelope_id = socket_mode.send_request(signer.slash_command(...))
        ack = socket_mode.wait_ack(envelope_id)  # {"envelope_id": ..., "payload": {...}}

As Slack does (api.slack.com/apis/socket-mode): `apps.connections.open` (app-level token) returns a
`wss` URL good for one connection (here `ws://127.0.0.1:<port>/link/?ticket=...`); on connecting the
app first gets `{"type": "hello", ...}`; then each request arrives as an envelope
`{"envelope_id", "type": "slash_commands" | "events_api" | "interactive", "payload",
"accepts_response_payload", "retry_attempt", "retry_reason"}` with the same payload the HTTP request
would carry, and the app acknowledges it by sending back `{"envelope_id"[, "payload"]}`. A URL used a
second time is refused, as Slack refuses it.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import uuid
from http import HTTPStatus

from websockets.sync.server import ServerConnection, serve

from tests.slack_signing import SlackRequest

APP_ID = "A0TSGBOT01"


class FakeSocketMode:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._tickets: set[str] = set()
        self._connections: list[ServerConnection] = []
        self._received: list[dict] = []  # what the app sent (acks), parsed
        self._sent: dict[str, dict] = {}  # envelope id -> the envelope
        self.connects = 0
        self._server = serve(self._handle, "127.0.0.1", 0, process_request=self._check_ticket)
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.socket.getsockname()[1]

    def start(self) -> FakeSocketMode:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-socket-mode", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def new_url(self) -> str:
        """A fresh single-use URL, as apps.connections.open returns one."""
        ticket = uuid.uuid4().hex
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={APP_ID}"

    # -- the protocol -----------------------------------------------------------------------------

    def _check_ticket(self, connection: ServerConnection, request):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.path).query))
        with self._lock:
            ticket = query.get("ticket")
            if ticket not in self._tickets:
                return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")
            self._tickets.discard(ticket)
        return None

    def _handle(self, connection: ServerConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            self.connects += 1
            self._lock.notify_all()
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
                                    "connection_info": {"app_id": APP_ID}}))
        try:
            for raw in connection:
                try:
                    message = json.loads(raw)
                except ValueError:
                    message = {"unparsed": raw}
                with self._lock:
                    self._received.append(message)
                    self._lock.notify_all()
        except Exception:  # the app went away: Slack would just drop the connection
            pass
        finally:
            with self._lock:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._lock.notify_all()

    def wait_connected(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self._connections:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no Socket Mode connection within {timeout}s")
                self._lock.wait(left)

    def send(self, kind: str, payload: dict, *, accepts_response_payload: bool = False) -> str:
        """Send one envelope to the connected app; returns its envelope_id."""
        envelope_id = str(uuid.uuid4())
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": accepts_response_payload, "retry_attempt": 0, "retry_reason": ""}
        with self._lock:
            if not self._connections:
                raise AssertionError("no app is connected over Socket Mode")
            connection = self._connections[-1]
            self._sent[envelope_id] = envelope
        connection.send(json.dumps(envelope))
        return envelope_id

    def send_request(self, request: SlackRequest) -> str:
        """The envelope Slack sends over Socket Mode instead of this HTTP request (same payload)."""
        kind, payload, accepts = envelope_of(request)
        return self.send(kind, payload, accepts_response_payload=accepts)

    def wait_ack(self, envelope_id: str, timeout: float = 30.0) -> dict:
        """The app's acknowledgement of one envelope."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for message in self._received:
                    if message.get("envelope_id") == envelope_id:
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"envelope {envelope_id} not acknowledged within {timeout}s; "
                                         f"received: {self._received}")
                self._lock.wait(left)

    def acks(self, envelope_id: str) -> list[dict]:
        with self._lock:
            return [m for m in self._received if m.get("envelope_id") == envelope_id]


def envelope_of(request: SlackRequest) -> tuple[str, dict, bool]:
    """(envelope type, payload, accepts_response_payload) for what would have been an HTTP request."""
    body = request.body.decode("utf-8")
    if request.content_type.startswith("application/json"):
        return "events_api", json.loads(body), False
    fields = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
    if "payload" in fields:
        payload = json.loads(fields["payload"])
        # Slack lets a block_suggestion or view_submission answer in the ack; a click has nothing to say there.
        return "interactive", payload, payload.get("type") in ("block_suggestion", "view_submission")
    return "slash_commands", fields, True
