"""Hand-written fakes for the Slack listeners' unit tests: the service, the metrics, Slack's client,
`ack`/`respond` and file downloads. They keep state for the tests to assert on; nothing is mocked.

`World.build(index, renderer)` wires them with the real engine and renderer, so the
blocks the tests inspect are the ones a person would see.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.engine.diagnose import diagnose
from bot.engine.index import KnowledgeIndex
from bot.engine.model import Entry
from bot.replies.render import Renderer
from bot.slack import register
from bot.slack.answers import Answerer
from bot.slack.files import Download
from bot.slack.inbound import VERIFIED
from bot.slack.ports import PastDiagnosis, Recorded, ReviewItem, ReviewOutcome

SIGNING_SECRET = "test-signing-secret"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
API_BASE = "http://127.0.0.1:9/api/"


class FakeService:
    """DiagnosisService in memory: diagnoses with the real engine, remembers what it recorded."""

    def __init__(self, index: KnowledgeIndex, renderer: Renderer, entries: list[Entry]):
        self.index = index
        self.renderer = renderer
        self._entries = list(entries)
        self.diagnosed: list[dict] = []  # one dict per diagnose(): id, text, surface, user_id, channel_id, lang
        self.feedback: list[dict] = []
        self.seen: set[str] = set()
        self.decided: dict[int, tuple[str, str]] = {}  # candidate (feedback row number) -> (status, by)
        self.fail_with: Exception | None = None  # raised by diagnose(), for error-path tests

    def diagnose(self, text: str, *, surface: str, user_id: str | None = None, channel_id: str | None = None,
                 lang: str | None = None) -> Recorded:
        if self.fail_with is not None:
            raise self.fail_with
        diagnosis = diagnose(text, self.index, lang=lang)
        diagnosis_id = len(self.diagnosed) + 1
        self.diagnosed.append({"id": diagnosis_id, "text": text, "surface": surface, "user_id": user_id,
                               "channel_id": channel_id, "lang": lang, "diagnosis": diagnosis,
                               "at": datetime(2025, 5, 1, 12, tzinfo=UTC) + timedelta(minutes=diagnosis_id)})
        return Recorded(diagnosis, diagnosis_id)

    def recorded(self, diagnosis_id: int, *, lang: str | None = None) -> Recorded | None:
        for row in self.diagnosed:
            if row["id"] == diagnosis_id:
                return Recorded(diagnose(row["text"], self.index, lang=lang), diagnosis_id)
        return None

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self._entries if e.id == entry_id), None)

    def lookup(self, query: str) -> list[Entry]:
        q = query.strip().lower()
        found = [e for e in self._entries if e.id.lower() == q or q in (c.lower() for c in e.signals.codes)]
        if q.isdigit():
            found += [e for e in self._entries if int(q) in e.signals.status and e not in found]
        return found

    def history(self, user_id: str, *, limit: int = 5) -> list[PastDiagnosis]:
        rows = [r for r in self.diagnosed if r["user_id"] == user_id][::-1][:limit]
        return [PastDiagnosis(r["id"], r["at"], r["surface"], r["text"][:200], r["diagnosis"].decision,
                              r["diagnosis"].top.entry.id if r["diagnosis"].top else None,
                              r["diagnosis"].top.score if r["diagnosis"].top else None) for r in rows]

    def record_feedback(self, *, diagnosis_id: int, user_id: str, verdict: str,
                        correct_entry_id: str | None = None) -> None:
        self.feedback.append({"diagnosis_id": diagnosis_id, "user_id": user_id, "verdict": verdict,
                              "correct_entry_id": correct_entry_id})

    def review_items(self, *, limit: int = 20) -> tuple[list[ReviewItem], int]:
        """Every wrong-match pick so far is a pending candidate (in memory; the database counts repeats)."""
        items = []
        for n, row in enumerate(self.feedback, 1):
            if row["verdict"] == "wrong_match" and row["correct_entry_id"] and n not in self.decided:
                text = next(d["text"] for d in self.diagnosed if d["id"] == row["diagnosis_id"])
                now = diagnose(text, self.index)
                items.append(ReviewItem(n, row["correct_entry_id"], text, 1, (row["user_id"],), "wrong_match",
                                        now.top.entry.id if now.top else None, now.decision))
        return items[:limit], len(items)

    def review(self, candidate_ids: list[int], *, accept: bool, by: str) -> list[ReviewOutcome]:
        outcomes = []
        for candidate_id in candidate_ids:
            if not 0 < candidate_id <= len(self.feedback):
                outcomes.append(ReviewOutcome(candidate_id, "refused", "unknown"))
                continue
            status = "accepted" if accept else "rejected"
            self.decided[candidate_id] = (status, by)
            outcomes.append(ReviewOutcome(candidate_id, status, "", self.feedback[candidate_id - 1]["correct_entry_id"],
                                          status))
        return outcomes

    def first_delivery(self, event_id: str) -> bool:
        if event_id in self.seen:
            return False
        self.seen.add(event_id)
        return True


@dataclass
class FakeMetrics:
    diagnoses: list[dict] = field(default_factory=list)
    api_errors: list[tuple[str, str]] = field(default_factory=list)
    duplicates: int = 0

    def diagnosis(self, *, surface: str, decision: str, entry_id: str | None, seconds: float) -> None:
        self.diagnoses.append({"surface": surface, "decision": decision, "entry_id": entry_id, "seconds": seconds})

    def slack_api_error(self, *, method: str, error: str) -> None:
        self.api_errors.append((method, error))

    def duplicate_dropped(self) -> None:
        self.duplicates += 1


def api_error(method: str, error: str) -> SlackApiError:
    """The exception slack_sdk raises when the Web API answers ok: false."""
    response = SlackResponse(client=None, http_verb="POST", api_url=f"{API_BASE}{method}", req_args={},
                             data={"ok": False, "error": error}, headers={}, status_code=200)
    return SlackApiError(f"The request to the Slack API failed. (url: {API_BASE}{method})", response)


class FakeClient:
    """The WebClient methods the listeners call; `fail[method] = "error"` makes one answer ok: false."""

    def __init__(self) -> None:
        self.token = "xoxb-test-token"
        self.base_url = API_BASE
        self.calls: list[tuple[str, dict]] = []
        self.replies: list[dict] = []  # conversations.replies messages
        self.files: dict[str, dict] = {}  # files.info by id
        self.fail: dict[str, str] = {}
        self.locales: dict[str, str] = {}  # users.info locale by user id ("de-DE"); en-US otherwise

    def _call(self, method: str, kwargs: dict) -> dict:
        self.calls.append((method, kwargs))
        if method in self.fail:
            raise api_error(method, self.fail[method])
        return {"ok": True}

    def chat_postMessage(self, **kwargs: Any) -> dict:
        self._call("chat.postMessage", kwargs)
        return {"ok": True, "channel": kwargs.get("channel"), "ts": "1700000999.000100"}

    def conversations_replies(self, **kwargs: Any) -> dict:
        self._call("conversations.replies", kwargs)
        return {"ok": True, "messages": list(self.replies), "has_more": False}

    def files_info(self, **kwargs: Any) -> dict:
        self._call("files.info", kwargs)
        if kwargs["file"] not in self.files:
            raise api_error("files.info", "file_not_found")
        return {"ok": True, "file": self.files[kwargs["file"]]}

    def users_info(self, **kwargs: Any) -> dict:
        """As Slack answers: the locale only when asked for with include_locale."""
        self._call("users.info", kwargs)
        user = {"id": kwargs["user"], "name": kwargs["user"].lower()}
        if kwargs.get("include_locale") in (True, "true", "1", 1):
            user["locale"] = self.locales.get(kwargs["user"], "en-US")
        return {"ok": True, "user": user}

    def views_publish(self, **kwargs: Any) -> dict:
        self._call("views.publish", kwargs)
        return {"ok": True}

    def called(self, method: str) -> list[dict]:
        return [kwargs for name, kwargs in self.calls if name == method]

    @property
    def posted(self) -> list[dict]:
        return self.called("chat.postMessage")


@dataclass
class FakeWebhookResponse:
    status_code: int = 200
    body: str = "ok"


class Recorder:
    """`ack` or `respond`: remembers each call's keyword arguments."""

    def __init__(self, status_code: int = 200) -> None:
        self.calls: list[dict] = []
        self.status_code = status_code

    def __call__(self, text: str = "", **kwargs: Any) -> FakeWebhookResponse:
        self.calls.append({"text": text, **kwargs})
        return FakeWebhookResponse(self.status_code)

    @property
    def last(self) -> dict:
        return self.calls[-1]


class FakeDownload:
    """Downloads by URL from a dict; records the token and limits it was given."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files = files or {}
        self.calls: list[dict] = []

    def __call__(self, url: str, *, token: str | None, max_bytes: int, size: int | None = None) -> Download:
        self.calls.append({"url": url, "token": token, "max_bytes": max_bytes, "size": size})
        if url not in self.files:
            raise OSError("HTTP Error 404: Not Found")
        data = self.files[url]
        return Download(data[:max_bytes], "head" if len(data) > max_bytes else "", "text/plain")


@dataclass
class World:
    """Everything a listener needs, as fakes."""

    service: FakeService
    metrics: FakeMetrics
    client: FakeClient
    download: FakeDownload
    ack: Recorder
    respond: Recorder
    logger: logging.Logger
    context: dict
    log: list[logging.LogRecord] = field(default_factory=list)  # what a Bolt app from bolt_app() logged

    @classmethod
    def build(cls, index: KnowledgeIndex, renderer: Renderer, entries: list[Entry] | None = None) -> World:
        entries = list(index.entries) if entries is None else entries
        return cls(FakeService(index, renderer, entries), FakeMetrics(), FakeClient(), FakeDownload(), Recorder(),
                   Recorder(), logging.getLogger("tests.slack"), {"bot_user_id": BOT_USER, "bot_id": BOT_ID})

    def answerer(self, command: str = "/troubleshoot") -> Answerer:
        return Answerer(self.service, self.metrics, command=command)


def event_body(event: dict, event_id: str = "Ev001") -> dict:
    """An Events API envelope around `event`, as Slack posts it."""
    return {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id,
            "event_time": 1700000000, "event": event,
            "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}]}


def texts(blocks: list[dict]) -> str:
    """Every text of a message's blocks, joined: what a person reads."""
    out = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            out.append(text.get("text", ""))
        for element in block.get("elements", ()):
            if isinstance(element.get("text"), str):
                out.append(element["text"])
            elif isinstance(element.get("text"), dict):
                out.append(element["text"].get("text", ""))
    return "\n".join(out)


def buttons(blocks: list[dict]) -> dict[str, dict]:
    """action_id -> button element, over every actions block."""
    return {e["action_id"]: e for b in blocks if b.get("type") == "actions" for e in b.get("elements", ())}


@dataclass
class LocalSlack:
    """What a local HTTP server standing in for Slack received: (path, body) per request."""

    url: str
    received: list[tuple[str, dict]]
    delay: list[float]  # [seconds] every Web API call waits before answering
    gate: threading.Event  # cleared by hold(): Web API calls wait for release()
    answered: list[str]  # paths of the Web API calls answered so far

    def slow(self, seconds: float) -> None:
        self.delay[0] = seconds

    def hold(self) -> None:
        """Web API calls arrive (`calls`) but are answered only after `release()`."""
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()

    def calls(self, path: str) -> list[dict]:
        return [body for p, body in list(self.received) if p == path]


@contextmanager
def local_slack() -> Iterator[LocalSlack]:
    """A 127.0.0.1 server answering Web API calls (`/api/<method>`) with ok and response_urls with 200."""
    received: list[tuple[str, dict]] = []
    delay = [0.0]
    gate = threading.Event()
    gate.set()
    answered: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            is_json = "json" in (self.headers.get("Content-Type") or "")
            received.append((self.path, json.loads(raw) if is_json and raw else dict(parse_qsl(raw))))
            if self.path.startswith("/api/") and delay[0]:
                time.sleep(delay[0])
            if self.path.startswith("/api/"):
                gate.wait(120)  # a forgotten release() ends, it does not hang
                answered.append(self.path)
            answer = json.dumps({"ok": True, "ts": "1700000999.000100"}) if self.path.startswith("/api/") else "ok"
            data = answer.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json" if self.path.startswith("/api/") else "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield LocalSlack(f"http://127.0.0.1:{server.server_address[1]}", received, delay, gate, answered)
    finally:
        gate.set()
        server.shutdown()
        server.server_close()


def bolt_app(world: World, api_base: str = API_BASE, *, threads: int = 16) -> App:
    """A real Bolt App with every listener registered over the world's service and metrics, its
    WebClient pointed at `api_base` (by default 127.0.0.1:9, where nothing listens)."""

    def authorize(enterprise_id, team_id, logger):
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-test-token",
                               bot_user_id=BOT_USER, bot_id=BOT_ID)

    logger = logging.getLogger(f"tests.slack.bolt.{id(world)}")
    logger.handlers = [_ListHandler(world.log)]
    logger.propagate = False  # listeners may still be logging after the test's capture ended
    logger.setLevel(logging.INFO)
    app = App(signing_secret=SIGNING_SECRET, authorize=authorize, process_before_response=False,
              client=WebClient(base_url=api_base), logger=logger)
    register(app, service=world.service, metrics=world.metrics, command="/troubleshoot", threads=threads)
    return app


class _ListHandler(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def logged(world: World, fragment: str) -> list[str]:
    """Messages the Bolt app logged that contain `fragment`."""
    return [r.getMessage() for r in list(world.log) if fragment in r.getMessage()]


def signed(raw: str, content_type: str, *, verified: bool = True) -> BoltRequest:
    """A request signed as Slack signs it; `verified`: marked as bot.web.slack_events marks what it let through."""
    ts = str(int(time.time()))
    signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:{raw}".encode(), hashlib.sha256).hexdigest()
    return BoltRequest(body=raw, headers={"content-type": [content_type], "x-slack-request-timestamp": [ts],
                                          "x-slack-signature": [signature]},
                       context={VERIFIED: True} if verified else None)


def command_request(text: str, response_url: str = "http://127.0.0.1:9/response/1") -> BoltRequest:
    return signed(urlencode({"command": "/troubleshoot", "text": text, "user_id": "U123", "channel_id": "C42",
                             "team_id": "T1", "response_url": response_url, "trigger_id": "t"}),
                  "application/x-www-form-urlencoded")


def event_request(event: dict, event_id: str = "Ev001") -> BoltRequest:
    return signed(json.dumps(event_body(event, event_id)), "application/json")


def payload_request(payload: dict) -> BoltRequest:
    return signed(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


def wait_for(condition, timeout: float = 5.0) -> bool:
    """Listeners of events and interactions run after the ack, on Bolt's threads."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()
