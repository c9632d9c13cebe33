"""`POST /slack/events`: every request proven to be Slack's, for this bot, before Bolt sees it.

In order, each step answering on its own when it refuses (nothing of the body is logged, ever):

1. size: a body over `MAX_BODY_BYTES` is refused with 413, by its Content-Length before reading
   it, or (chunked) as soon as more than that has arrived;
2. signature: the raw bytes and the timestamp, checked here (bot.slack.signature) against the
   signing secret and, during a rotation, the old one: 401 for anything unsigned, forged or stale;
3. parsing: the Content-Type decides how the body is read (bot.slack.inbound): 400 when a signed
   body is not what Slack sends;
4. audience: a request of another workspace or app is answered 200 and ignored (bot.slack.audience);
5. response_url: must point at Slack's hooks (or the configured fake Slack in tests): 400 otherwise.

Bolt then gets the parsed request re-encoded as JSON (its own guessing parser never sees a form)
and a context marked verified; its own signature check is off (it would see the re-encoded body).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Sequence

from flask import Request, Response, jsonify

from bot.slack.audience import Audience, Unknown
from bot.slack.inbound import (
    JSON,
    SLACK_HOOKS,
    VERIFIED,
    Malformed,
    needs_origin,
    origin,
    parse_body,
    response_url_allowed,
    response_urls,
)
from bot.slack.signature import refusal

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_048_576  # Slack's payloads stay far below: a 40,000-character message is ~200 KB
READ_CHUNK = 65_536
MAX_DEPTH = 64  # Slack's payloads nest about 10 deep; deeper would only strain every walker of the dict
_DROPPED_HEADERS = ("content-type", "content-length", "transfer-encoding")


def response_url_prefixes(api_url: str | None) -> list[str]:
    """Where response_urls may point: Slack's hooks, and the origin of a configured Web API (a test fake)."""
    prefixes = [SLACK_HOOKS]
    if api_url:
        parts = urllib.parse.urlsplit(api_url)
        prefixes.append(f"{parts.scheme}://{parts.netloc}/")
    return prefixes


class SlackEndpoint:
    """The handler of `POST /slack/events` in HTTP mode."""

    def __init__(self, bolt_app, *, secrets: Sequence[str], audience: Audience, response_url_prefixes: Sequence[str],
                 count_refused: Callable[[str], None] | None = None, max_bytes: int = MAX_BODY_BYTES,
                 clock: Callable[[], float] = time.time):
        from slack_bolt.adapter.flask.handler import to_flask_response

        self.bolt_app = bolt_app
        self.secrets = [s for s in secrets if s]
        self.audience = audience
        self.prefixes = list(response_url_prefixes)
        self.count_refused = count_refused or (lambda reason: None)
        self.max_bytes = max_bytes
        self.clock = clock
        self._to_flask = to_flask_response

    def handle(self, request: Request) -> Response | tuple[Response, int]:
        if request.content_length is not None and request.content_length > self.max_bytes:
            return self._refuse(413, "too_large", f"the body is larger than {self.max_bytes} bytes")
        raw = _read_at_most(request, self.max_bytes)
        if raw is None:
            return self._refuse(413, "too_large", f"the body is larger than {self.max_bytes} bytes")
        reason = refusal(self.secrets, timestamp=request.headers.get("X-Slack-Request-Timestamp"),
                         signature=request.headers.get("X-Slack-Signature"), body=raw, now=self.clock())
        if reason is not None:
            return self._refuse(401, reason.replace(" ", "_"), "invalid request", size=len(raw))
        try:
            body = parse_body(raw, request.mimetype)
            if _depth_over(body, MAX_DEPTH):
                raise Malformed(f"the JSON is nested deeper than {MAX_DEPTH} levels")
        except Malformed as exc:
            return self._refuse(400, "malformed", str(exc), size=len(raw))
        if needs_origin(body):
            team, app = origin(body)
            try:
                accepted = self.audience.accepts(team, app)
            except Unknown:
                # Slack has not answered auth.test since start and SLACK_TEAM_ID is unset: the signature
                # still proves the request is this app's. Serving it keeps slash commands answered while
                # Slack's API is down; set SLACK_TEAM_ID to check the workspace from the first request.
                self.count_refused("workspace_unchecked")
                accepted = True
            if not accepted:
                self.count_refused("other_workspace")
                log.info("ignored a signed Slack request of team %.20r app %.20r: this bot serves another",
                         team, app)
                return Response(status=200)
        if not all(response_url_allowed(url, self.prefixes) for url in response_urls(body)):
            return self._refuse(400, "response_url", "the response_url is not a Slack URL", size=len(raw))
        return self._dispatch(request, body)

    def _dispatch(self, request: Request, body: dict) -> Response:
        from slack_bolt.request import BoltRequest

        headers = {name: value for name, value in request.headers.items() if name.lower() not in _DROPPED_HEADERS}
        headers["Content-Type"] = JSON
        bolt_request = BoltRequest(body=json.dumps(body), query=request.query_string.decode("latin-1"),
                                   headers=headers, context={VERIFIED: True})
        return self._to_flask(self.bolt_app.dispatch(bolt_request))

    def _refuse(self, status: int, reason: str, message: str, *, size: int | None = None):
        self.count_refused(reason)
        # One short line, never the body or a header's value: the sender chose both.
        log.warning("refused a Slack request (%d %s%s)", status, reason, f", {size} bytes" if size is not None else "")
        return jsonify(ok=False, error=message), status


def _read_at_most(request: Request, limit: int) -> bytes | None:
    """The whole body, or None as soon as it proves longer than `limit` (chunked bodies have no length)."""
    stream = request.stream
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(READ_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


def _depth_over(value: object, limit: int) -> bool:
    """Whether `value` nests containers more than `limit` deep (iterative: no recursion to exhaust)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
