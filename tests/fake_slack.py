"""A fake Slack on 127.0.0.1: the Web API, `response_url` targets and file downloads, over real HTTP.

    with FakeSlack(bot_token="xoxb-test") as slack:
        # SLACK_API_URL=slack.api_url          -> http://127.0.0.1:<port>/api/
        url = slack.response_url()             # -> http://127.0.0.1:<port>/response/<id>
        ...
        [post] = slack.wait_for("chat.postMessage")
        assert post.body["thread_ts"] == "1700000000.000100"

Like slack-bolt's own test suite (a threaded `http.server` standing in for slack.com), but it
records every call (HTTP verb, path, headers, the parsed query/form/JSON body, the time and the
status it answered) so tests assert on what the bot sent, and it can be told to misbehave:
`rate_limit`, `server_error`, `api_error` for the next calls of one method, `delay` for all.

It is as strict as Slack where strictness has bitten: `chat.postMessage` takes a channel id or a
`#name` (and answers with the id), while `conversations.history`, `conversations.replies`,
`conversations.join`, `chat.update` and `chat.getPermalink` take ids only (`channel_not_found`
otherwise); `conversations.list`, `conversations.history` and `conversations.replies` honour
`limit` and page with `response_metadata.next_cursor`; editing a message that does not exist fails
with `message_not_found`; a channel the bot is not in answers `not_in_channel` until it joins.
Channels: every well-formed id (`C0123ABCD`) exists (named after its id, the bot a member);
channels with names are added with `add_channel`.

Routes: `/api/<method>` (the Web API; unknown methods answer `unknown_method`; `apps.connections.open`
takes only the app-level token, `app_token`, and hands out a URL of the attached `socket_mode`,
tests.fake_socket_mode.FakeSocketMode, or answers 503 while none is attached),
`/response/<id>` (what `respond()` posts to), `/files/<name>` (`url_private_download` targets:
only with `Authorization: Bearer <bot token>`, otherwise an HTML login page, as slack.com does).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AUTH_TEST = {"ok": True, "url": "https://tsg-test.slack.com/", "team": "TSG Test", "user": "tsgbot",
             "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT", "is_enterprise_install": False}
RESPONSE_URL = "response_url"  # script/record key of every /response/<id> call
FILES = "files"  # script/record key of every /files/<name> download


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    kind: str  # "api" | "response_url" | "files" | "other"
    name: str  # the Web API method ("chat.postMessage"), the response id, or the file name
    verb: str  # GET | POST
    path: str
    headers: dict[str, str]  # lower-cased names
    query: dict[str, str]
    body: dict  # query, form fields and JSON merged (JSON wins); a Slack client sends one of them
    raw: bytes
    at: float  # time.monotonic() when it arrived
    status: int = 0  # HTTP status answered
    answer: dict | None = None  # the JSON answered, when JSON

    @property
    def key(self) -> str:
        """What `calls()`/`wait_for()` select on: the method name, or RESPONSE_URL / FILES."""
        return self.name if self.kind == "api" else self.kind

    @property
    def ok(self) -> bool:
        return self.status == 200 and (self.answer is None or self.answer.get("ok", True) is True)

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        return self.body.get("token") or None

    @property
    def blocks(self) -> list[dict]:
        """The message blocks (decoded when a form body carried them as a JSON string)."""
        blocks = self.body.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    @property
    def text_everywhere(self) -> str:
        """The `text` fallback and every string inside the blocks (or view), joined: what a reader sees."""
        view = self.body.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        return "\n".join([str(self.body.get("text") or ""), *_strings(self.blocks), *_strings(view or {})])


def message_text(message: dict | None) -> str:
    """Everything a reader of a message (`text`, `blocks`, a `view`) sees, as one string."""
    return "\n".join(_strings(message or {}))


def elements(blocks: list[dict], action_id: str | None = None) -> list[tuple[dict, dict]]:
    """(block, element) for every interactive element (buttons, selects) of `blocks`, or those of one action_id."""
    found = []
    for block in blocks or []:
        candidates = list(block.get("elements") or [])
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") and (
                    action_id is None or element["action_id"] == action_id):
                found.append((block, element))
    return found


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@dataclass(frozen=True)
class Reply:
    """A scripted answer: an HTTP status, headers and a body (JSON or text)."""

    status: int = 200
    body: dict | str | bytes = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def rate_limited(cls, retry_after: int = 1) -> Reply:
        return cls(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})

    @classmethod
    def server_error(cls, status: int = 500) -> Reply:
        return cls(status, "Internal Server Error", {"Content-Type": "text/plain"})

    @classmethod
    def error(cls, error: str) -> Reply:
        """Slack's way of failing a call: HTTP 200 with ok false."""
        return cls(200, {"ok": False, "error": error})


@dataclass
class FakeChannel:
    """A conversation of the fake workspace."""

    id: str
    name: str
    is_private: bool = False
    is_member: bool = True
    is_archived: bool = False

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "is_channel": not self.is_private, "is_group": False,
                "is_im": False, "is_private": self.is_private, "is_archived": self.is_archived,
                "is_member": self.is_member, "name_normalized": self.name}


@dataclass(frozen=True)
class FakeFile:
    id: str
    name: str
    content: bytes
    mimetype: str
    filetype: str


HOLD_AT_MOST = 120.0  # seconds a held call waits for release(): a forgotten release ends, not hangs

class FakeSlack:
    """The fake; a context manager (or call start/stop). `reset()` forgets calls and scripts."""

    def __init__(self, *, bot_token: str | None = "xoxb-test-token", host: str = "127.0.0.1", port: int = 0,
                 app_token: str | None = None):
        self.bot_token = bot_token
        self.app_token = app_token  # the app-level token apps.connections.open takes (Socket Mode)
        self.socket_mode = None  # a tests.fake_socket_mode.FakeSocketMode whose URLs apps.connections.open hands out
        self._lock = threading.Condition()
        self._calls: list[Call] = []
        self._scripts: dict[str, list[Reply]] = {}
        self._delay = 0.0
        self._gate = threading.Event()  # cleared by hold(): calls wait until release()
        self._gate.set()
        self._threads: dict[tuple[str, str], list[dict]] = {}
        self._files: dict[str, FakeFile] = {}
        self._users: dict[str, dict] = {}
        self._messages: dict[str, list[dict]] = {}  # channel -> messages posted there (threads included)
        self._channels: dict[str, FakeChannel] = {}  # id -> channel
        self._arrivals: list[str] = []  # keys of calls as they arrive, before any delay (calls() has them after)
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL, with the trailing slash slack_sdk expects (SLACK_API_URL)."""
        return f"{self.base_url}/api/"

    def start(self) -> FakeSlack:
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"fake-slack-{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget calls, scripts, the delay, threads, files and users (between tests)."""
        with self._lock:
            self._calls.clear()
            self._scripts.clear()
            self._delay = 0.0
            self._gate.set()
            self._threads.clear()
            self._files.clear()
            self._users.clear()
            self._messages.clear()
            self._channels.clear()
            self._arrivals.clear()

    # -- programming it -----------------------------------------------------------------------

    def script(self, key: str, *replies: Reply) -> None:
        """The next calls of `key` (a method, RESPONSE_URL or FILES) answer `replies` in order."""
        with self._lock:
            self._scripts.setdefault(key, []).extend(replies)

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        self.script(method, *[Reply.rate_limited(retry_after)] * times)

    def server_error(self, method: str, *, times: int = 1, status: int = 500) -> None:
        self.script(method, *[Reply.server_error(status)] * times)

    def api_error(self, method: str, error: str, *, times: int = 1) -> None:
        self.script(method, *[Reply.error(error)] * times)

    def delay(self, seconds: float) -> None:
        """Every call (Web API, response_url, files) is answered only after `seconds`."""
        with self._lock:
            self._delay = seconds

    def hold(self) -> None:
        """Every call from now on arrives (see `wait_arrived`) but is answered only after `release()`:
        proves what a client does without waiting on Slack, with no clock involved."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def set_thread(self, channel: str, thread_ts: str, messages: list[dict]) -> None:
        """What conversations.replies answers for this thread (the parent first, as Slack does)."""
        with self._lock:
            self._threads[(channel, thread_ts)] = list(messages)

    def add_file(self, name: str, content: str | bytes, *, file_id: str | None = None,
                 mimetype: str = "text/plain", filetype: str = "text") -> dict:
        """Serve a file; returns the file object an event's `files` list carries."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        fake = FakeFile(file_id or f"F{next(self._ids):08d}", name, data, mimetype, filetype)
        with self._lock:
            self._files[fake.id] = fake
        return self.file_object(fake)

    def add_user(self, user_id: str, **fields) -> None:
        """A user users.info knows; `locale="de-DE"` is what it answers with include_locale=true."""
        with self._lock:
            self._users[user_id] = {"id": user_id, **fields}

    def add_channel(self, name: str, *, ident: str | None = None, private: bool = False,
                    member: bool = True, archived: bool = False) -> str:
        """A channel named `name` (without '#'); returns its id (`channel_id(name)` unless given)."""
        name = name.lstrip("#")
        fake = FakeChannel(ident or channel_id(name), name, private, member, archived)
        with self._lock:
            self._channels[fake.id] = fake
        return fake.id

    def channel(self, value: str, *, by_name: bool = False) -> FakeChannel | None:
        """The channel an API argument names: an id (any well-formed one exists), or `#name` when
        `by_name` (only chat.postMessage takes names); None when Slack would answer channel_not_found."""
        with self._lock:
            if by_name and value.startswith("#"):
                return next((c for c in self._channels.values() if c.name == value[1:]), None)
            if not CHANNEL_ID.fullmatch(value or ""):
                return None
            if value not in self._channels:
                self._channels[value] = FakeChannel(value, value.lower())
            return self._channels[value]

    def channels(self) -> list[FakeChannel]:
        with self._lock:
            return list(self._channels.values())

    def messages(self, channel: str) -> list[dict]:
        """What a reader of `channel` sees now: every message posted there (edits applied), oldest first."""
        with self._lock:
            return [dict(m) for m in self._messages.get(channel, [])]

    def _store(self, channel: str, message: dict) -> None:
        with self._lock:
            self._messages.setdefault(channel, []).append(message)

    def _edit(self, channel: str, ts: str, changes: dict) -> bool:
        with self._lock:
            for message in self._messages.get(channel, []):
                if message["ts"] == ts:
                    message.update(changes)
                    message["edited"] = {"user": "UBOT", "ts": self.next_ts()}
                    return True
        return False

    def response_url(self, response_id: str | None = None) -> str:
        """A fresh response_url on this fake."""
        return f"{self.base_url}/response/{response_id or f'R{next(self._ids):06d}'}"

    # -- reading what happened ----------------------------------------------------------------

    def calls(self, key: str | None = None, *, ok_only: bool = False,
              where: Callable[[Call], bool] | None = None) -> list[Call]:
        """Recorded calls, oldest first; `key` a Web API method, RESPONSE_URL, FILES or None for all."""
        with self._lock:
            calls = list(self._calls)
        return [c for c in calls
                if (key is None or c.key == key) and (not ok_only or c.ok) and (where is None or where(c))]

    def responses(self, url: str) -> list[Call]:
        """Calls to one response_url."""
        response_id = url.rstrip("/").rsplit("/", 1)[-1]
        return self.calls(RESPONSE_URL, where=lambda c: c.name == response_id)

    def wait_for(self, key: str | None, count: int = 1, *, timeout: float = 10.0, ok_only: bool = False,
                 where: Callable[[Call], bool] | None = None) -> list[Call]:
        """Wait until at least `count` matching calls arrived; returns them all (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = self.calls(key, ok_only=ok_only, where=where)
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.key for c in self.calls()]
                    raise AssertionError(f"fake Slack: waited {timeout}s for {count} {key or 'call'}(s), "
                                         f"got {len(found)}; all calls: {seen}")
                self._lock.wait(left)

    def wait_arrived(self, key: str, count: int = 1, *, timeout: float = 10.0) -> None:
        """Wait until `count` calls of `key` have arrived, answered or still held by `delay`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._arrivals.count(key) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fake Slack: waited {timeout}s for {count} {key} call(s) to arrive")
                self._lock.wait(left)

    def wait_quiet(self, seconds: float = 0.5, *, timeout: float = 15.0, at_least: bool = True) -> None:
        """Wait until no call has arrived for `seconds` (and, with `at_least`, for `seconds` from now):
        so 'no second reply' is not asserted before a wrong second reply could have come."""
        start = time.monotonic()
        deadline = start + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self._calls[-1].at if self._calls else 0.0
            if at_least:
                last = max(last, start)
            idle = time.monotonic() - last
            if idle >= seconds:
                return
            time.sleep(seconds - idle)

    # -- answering (called from the handler threads) ------------------------------------------

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()

    def _next_script(self, key: str) -> Reply | None:
        with self._lock:
            queue = self._scripts.get(key)
            return queue.pop(0) if queue else None

    def _current_delay(self) -> float:
        with self._lock:
            return self._delay

    def next_ts(self) -> str:
        """A message ts as Slack makes them: the time now in seconds, unique and growing."""
        return f"{int(time.time())}.{next(self._ts):06d}"

    def file_object(self, fake: FakeFile) -> dict:
        url = f"{self.base_url}/files/{urllib.parse.quote(fake.id)}/{urllib.parse.quote(fake.name)}"
        return {"id": fake.id, "name": fake.name, "title": fake.name, "mimetype": fake.mimetype,
                "filetype": fake.filetype, "pretty_type": fake.filetype.title(), "size": len(fake.content),
                "mode": "snippet" if fake.filetype == "text" else "hosted", "is_external": False,
                "url_private": url, "url_private_download": url + "?download=1"}

    def answer_api(self, method: str, body: dict, token: str | None) -> Reply:
        """What Slack answers for a Web API call that nobody scripted."""
        if method == "apps.connections.open":
            return self._connections_open(token)
        if self.bot_token and token != self.bot_token:
            return Reply.error("not_authed" if not token else "invalid_auth")
        handler = _API.get(method)
        if handler is None:
            return Reply.error("unknown_method")
        return handler(self, body)

    def _connections_open(self, token: str | None) -> Reply:
        """Socket Mode's URL: only for the app-level token (a bot token is the wrong type for it)."""
        if not token:
            return Reply.error("not_authed")
        if not token.startswith("xapp-"):
            return Reply.error("not_allowed_token_type")
        if token != self.app_token:
            return Reply.error("invalid_auth")
        if self.socket_mode is None:
            return Reply.server_error(503)
        return Reply(200, {"ok": True, "url": self.socket_mode.new_url()})

    def answer_file(self, file_id: str, token: str | None) -> Reply:
        with self._lock:
            fake = self._files.get(file_id)
        if fake is None:
            return Reply(404, "Not Found", {"Content-Type": "text/plain"})
        if self.bot_token and token != self.bot_token:
            # slack.com answers an unauthenticated download with its sign-in page, not an error.
            return Reply(200, "<!DOCTYPE html><html><body>Sign in to Slack</body></html>",
                         {"Content-Type": "text/html; charset=utf-8"})
        return Reply(200, fake.content, {"Content-Type": fake.mimetype})


# -- the Web API methods it knows ---------------------------------------------------------------


CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{1,20}")  # what Slack's conversation ids look like


def channel_id(name: str) -> str:
    """The id `add_channel` gives a channel named `name` (`ml-alerts` or `#ml-alerts`), stable across calls."""
    return "C" + hashlib.sha1(name.lstrip("#").encode()).hexdigest()[:10].upper()


def _conversation(slack: FakeSlack, body: dict, *, by_name: bool = False,
                  member: bool = True) -> tuple[FakeChannel | None, Reply | None]:
    """The channel of a call, or the error Slack answers: channel_not_found, not_in_channel."""
    channel = slack.channel(str(body.get("channel") or ""), by_name=by_name)
    if channel is None:
        return None, Reply.error("channel_not_found")
    if member and not channel.is_member:
        return None, Reply.error("not_in_channel")
    return channel, None


def _page(items: list, body: dict, *, default_limit: int, max_limit: int) -> tuple[list, dict] | Reply:
    """One page of `items` as Slack pages: `limit` (capped), an opaque `cursor`, `next_cursor` when more."""
    try:
        limit = int(body.get("limit") or default_limit)
    except ValueError:
        return Reply.error("invalid_limit")
    limit = max(1, min(limit, max_limit))
    start = 0
    if body.get("cursor"):
        try:
            start = int(base64.b64decode(str(body["cursor"])).decode().removeprefix("offset:"))
        except ValueError:
            return Reply.error("invalid_cursor")
    page = items[start:start + limit]
    more = start + limit < len(items)
    cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
    return page, {"has_more": more, "response_metadata": {"next_cursor": cursor}}


def _post_message(slack: FakeSlack, body: dict) -> Reply:
    # Slack posts to a channel named "#name" too, and answers with its id.
    channel, error = _conversation(slack, body, by_name=True)
    if error:
        return error
    if channel.is_archived:
        return Reply.error("is_archived")
    body = {**body, "channel": channel.id}
    ts = slack.next_ts()
    message = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": body.get("text", ""), "ts": ts}
    if body.get("thread_ts"):
        message["thread_ts"] = body["thread_ts"]
    blocks = _json_field(body.get("blocks"))
    if blocks:
        message["blocks"] = blocks
    metadata = _json_field(body.get("metadata"))
    if metadata:
        message["metadata"] = metadata
    slack._store(body["channel"], message)
    return Reply(200, {"ok": True, "channel": body["channel"], "ts": ts, "message": message})


def _json_field(value):
    """A JSON argument as slack_sdk sends it: an object in a JSON body, a JSON string in a form body."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _post_ephemeral(slack: FakeSlack, body: dict) -> Reply:
    if not body.get("channel"):
        return Reply.error("channel_not_found")
    if not body.get("user"):
        return Reply.error("user_not_in_channel")
    return Reply(200, {"ok": True, "message_ts": slack.next_ts()})


def _update(slack: FakeSlack, body: dict) -> Reply:
    _, error = _conversation(slack, body)  # chat.update takes channel ids only
    if error:
        return error
    changes = {"text": body.get("text", "")}
    if body.get("blocks"):
        changes["blocks"] = _json_field(body["blocks"])
    if not body.get("ts") or not slack._edit(body["channel"], body["ts"], changes):
        return Reply.error("message_not_found")
    return Reply(200, {"ok": True, "channel": body["channel"], "ts": body["ts"], "text": body.get("text", "")})


def _views_publish(slack: FakeSlack, body: dict) -> Reply:
    if not body.get("user_id") or not body.get("view"):
        return Reply.error("invalid_arguments")
    view = body["view"] if isinstance(body["view"], dict) else json.loads(body["view"])
    return Reply(200, {"ok": True, "view": {"id": f"V{next(slack._ids):08d}", "type": view.get("type", "home"),
                                            "blocks": view.get("blocks", [])}})


def _replies(slack: FakeSlack, body: dict) -> Reply:
    """A thread, the parent first then its replies oldest first; pages of `limit` (Slack: at most 1000)."""
    _, error = _conversation(slack, body)
    if error:
        return error
    key = (body.get("channel", ""), body.get("ts", ""))
    with slack._lock:
        messages = slack._threads.get(key)
    if messages is None:  # the thread as posted through this fake: the parent, then its replies
        thread_ts = body.get("ts", "")
        messages = [m for m in slack.messages(body.get("channel", ""))
                    if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts]
        if not messages:
            return Reply.error("thread_not_found")
        messages = _visible(messages, body)
    paged = _page(messages, body, default_limit=1000, max_limit=1000)
    if isinstance(paged, Reply):
        return paged
    page, meta = paged
    return Reply(200, {"ok": True, "messages": page, **meta})


def _visible(messages: list[dict], body: dict) -> list[dict]:
    """Messages between `oldest` and `latest` (exclusive unless `inclusive`), without metadata unless
    `include_all_metadata` (as Slack answers)."""
    oldest = float(body.get("oldest") or 0)
    latest = float(body.get("latest") or "inf")
    inclusive = str(body.get("inclusive", "")).lower() in ("1", "true")
    metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")

    def within(ts: float) -> bool:
        return oldest <= ts <= latest if inclusive else oldest < ts < latest

    return [m if metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in messages if within(float(m["ts"]))]


def _history(slack: FakeSlack, body: dict) -> Reply:
    """Top-level messages of a channel, newest first; pages of `limit` (default 100, at most 999)."""
    _, error = _conversation(slack, body)
    if error:
        return error
    messages = [m for m in slack.messages(body["channel"]) if m.get("thread_ts") in (None, m["ts"])]
    paged = _page(_visible(messages, body)[::-1], body, default_limit=100, max_limit=999)
    if isinstance(paged, Reply):
        return paged
    page, meta = paged
    return Reply(200, {"ok": True, "messages": page, **meta})


def _join(slack: FakeSlack, body: dict) -> Reply:
    channel, error = _conversation(slack, body, member=False)  # ids only: a name is channel_not_found
    if error:
        return error
    if channel.is_private:
        return Reply.error("method_not_supported_for_channel_type")
    if channel.is_archived:
        return Reply.error("is_archived")
    already = channel.is_member
    channel.is_member = True
    answer = {"ok": True, "channel": channel.as_json()}
    if already:
        answer["warning"] = "already_in_channel"
    return Reply(200, answer)


def _list(slack: FakeSlack, body: dict) -> Reply:
    """Channels of `types` (default public_channel; private ones only when the bot is in them)."""
    types = {t.strip() for t in str(body.get("types") or "public_channel").split(",")}
    exclude_archived = str(body.get("exclude_archived", "")).lower() in ("1", "true")
    found = [c.as_json() for c in slack.channels()
             if ("private_channel" if c.is_private else "public_channel") in types
             and (c.is_member or not c.is_private) and not (exclude_archived and c.is_archived)]
    paged = _page(found, body, default_limit=100, max_limit=1000)
    if isinstance(paged, Reply):
        return paged
    page, meta = paged
    return Reply(200, {"ok": True, "channels": page, **meta})


def _permalink(slack: FakeSlack, body: dict) -> Reply:
    _, error = _conversation(slack, body, member=False)
    if error:
        return error
    channel, ts = body.get("channel", ""), body.get("message_ts", "")
    if not any(m["ts"] == ts for m in slack.messages(channel)):
        return Reply.error("message_not_found")
    return Reply(200, {"ok": True, "channel": channel,
                       "permalink": f"https://tsg-test.slack.com/archives/{channel}/p{ts.replace('.', '')}"})


def _files_info(slack: FakeSlack, body: dict) -> Reply:
    with slack._lock:
        fake = slack._files.get(body.get("file", ""))
    if fake is None:
        return Reply.error("file_not_found")
    return Reply(200, {"ok": True, "file": slack.file_object(fake), "comments": []})


def _users_info(slack: FakeSlack, body: dict) -> Reply:
    user_id = body.get("user", "")
    with slack._lock:
        user = slack._users.get(user_id)
    if user is None:
        if not user_id.startswith(("U", "W")):
            return Reply.error("user_not_found")
        user = {"id": user_id}
    answer = {"name": user_id.lower(), "real_name": f"User {user_id}", "tz": "UTC", "is_bot": False,
              "deleted": False, "team_id": "T1", "locale": "en-US", **user}
    # Slack includes the user's locale (e.g. "de-DE") only when asked with include_locale=true.
    if str(body.get("include_locale", "")).lower() not in ("1", "true"):
        answer.pop("locale")
    return Reply(200, {"ok": True, "user": answer})


_API: dict[str, Callable[[FakeSlack, dict], Reply]] = {
    "auth.test": lambda slack, body: Reply(200, dict(AUTH_TEST)),
    "chat.postMessage": _post_message,
    "chat.postEphemeral": _post_ephemeral,
    "chat.update": _update,
    "views.publish": _views_publish,
    "conversations.replies": _replies,
    "conversations.history": _history,
    "conversations.join": _join,
    "conversations.list": _list,
    "chat.getPermalink": _permalink,
    "files.info": _files_info,
    "users.info": _users_info,
}


# -- HTTP -----------------------------------------------------------------------------------------


def _parse_body(raw: bytes, content_type: str) -> dict:
    if not raw:
        return {}
    if "json" in content_type:
        try:
            value = json.loads(raw)
        except ValueError:
            return {"_unparsed": raw.decode("utf-8", "replace")}
        return value if isinstance(value, dict) else {"_json": value}
    if "x-www-form-urlencoded" in content_type or not content_type:
        return dict(urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    return {"_unparsed": raw.decode("utf-8", "replace")}


def _handler_for(slack: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeSlack/1.0"

        def log_message(self, format, *args):  # noqa: A002 - quiet: pytest shows failures, not access logs
            pass

        def do_GET(self):
            self._serve()

        def do_POST(self):
            self._serve()

        def _serve(self) -> None:
            arrived = time.monotonic()
            parsed = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
            body = {**query, **_parse_body(raw, headers.get("content-type", ""))}
            parts = [urllib.parse.unquote(p) for p in parsed.path.split("/") if p]
            kind, name = "other", parsed.path
            if len(parts) == 2 and parts[0] == "api":
                kind, name = "api", parts[1]
            elif len(parts) == 2 and parts[0] == "response":
                kind, name = RESPONSE_URL, parts[1]
            elif len(parts) >= 2 and parts[0] == "files":
                kind, name = FILES, parts[1]
            call = Call(kind=kind, name=name, verb=self.command, path=parsed.path, headers=headers, query=query,
                        body=body, raw=raw, at=arrived)

            with slack._lock:
                slack._arrivals.append(call.key)
                slack._lock.notify_all()
            delay = slack._current_delay()
            if delay:
                time.sleep(delay)
            slack._gate.wait(HOLD_AT_MOST)
            reply = slack._next_script(call.key) or self._default(call)
            answer = reply.body if isinstance(reply.body, dict) else None
            # Recorded before answering: a test woken by the record must not race the client's retry.
            slack._record(replace(call, status=reply.status, answer=answer))
            self._send(reply)

        def _default(self, call: Call) -> Reply:
            if call.kind == "api":
                return slack.answer_api(call.name, call.body, call.token)
            if call.kind == RESPONSE_URL:
                if self.command != "POST":
                    return Reply(405, "method not allowed", {"Content-Type": "text/plain"})
                return Reply(200, "ok", {"Content-Type": "text/plain"})
            if call.kind == FILES:
                return slack.answer_file(call.name, call.token)
            return Reply(404, "Not Found", {"Content-Type": "text/plain"})

        def _send(self, reply: Reply) -> None:
            headers = dict(reply.headers)
            if isinstance(reply.body, dict):
                data = json.dumps(reply.body).encode("utf-8")
                headers.setdefault("Content-Type", "application/json; charset=utf-8")
            elif isinstance(reply.body, bytes):
                data = reply.body
            else:
                data = reply.body.encode("utf-8")
            try:
                self.send_response(reply.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts in a test)
                pass

    return Handler
