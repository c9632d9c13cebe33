"""The real server as a user runs it: `python app.py serve` in its own process, on a free port.

    with ServerProcess(server_env(database_url=url, slack=fake)) as server:
        server.get("/healthz").status                # 200
        server.post(signer.slash_command(...))       # a signed request to /slack/events

The process runs in a fresh temporary working directory (so a developer's `.env` is not read) with
an environment built from scratch for Slack and the database (a developer's SLACK_* variables
would point it at real Slack or switch it to Socket Mode). Its output goes to a log file that
`logs()` reads. `stop()` sends SIGTERM to its process group (gunicorn master and workers) and
SIGKILL if it has not gone after a grace period.

Fixtures for the end-to-end modules (a module binds the ones it uses to module names,
`e2e_server = server_process.e2e_server`, which pytest then finds):
`e2e_db_url` (module-scoped: a fresh database per module and backend, SQLite and, when
TEST_DATABASE_URL is set, PostgreSQL), `e2e_slack` (the module's fake Slack, reset before each test),
`e2e_server` (the module's server on those; a failed test shows the server's log lines of its time),
`signer`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from bot.db.engine import database_url
from tests.fake_slack import FakeSlack, elements
from tests.slack_signing import Signer, SlackRequest, unique_id

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "e2e0c0ffee5ec0de0123456789abcdef"  # 32 hex characters, like Slack's
BOT_TOKEN = "xoxb-1111-2222-e2etesttoken"
START_TIMEOUT = 90.0
# Variables of the developer's shell that would change what the server under test does.
_DROPPED = ("SLACK_", "DATABASE_URL", "PORT", "KNOWLEDGE_DIR", "LOG_LEVEL", "WEB_", "GUNICORN_CMD_ARGS",
            # slack_sdk sends every call through HTTP(S)_PROXY and ignores NO_PROXY: the fake is local.
            "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 only: never a proxy


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(*, database_url: str, slack: FakeSlack | None = None, signing_secret: str = SIGNING_SECRET,
               bot_token: str = BOT_TOKEN, **extra: str) -> dict[str, str]:
    """The server's environment: the database, and Slack pointed at `slack` (None: no Slack credentials)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED)}
    env.update({"DATABASE_URL": database_url, "HOST": "127.0.0.1", "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
                "KNOWLEDGE_DIR": str(ROOT / "knowledge")})
    if slack is not None:
        env.update({"SLACK_BOT_TOKEN": bot_token, "SLACK_SIGNING_SECRET": signing_secret,
                    "SLACK_API_URL": slack.api_url})
    env.update(extra)
    return env


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes
    elapsed: float  # seconds from sending to the whole answer read

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body) if self.body.strip() else None


def http(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = 30.0) -> HttpResult:
    """One HTTP request; any status is a result, never an exception."""
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    start = time.perf_counter()
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            data = response.read()
            return HttpResult(response.status, {k.lower(): v for k, v in response.headers.items()}, data,
                              time.perf_counter() - start)
    except urllib.error.HTTPError as exc:
        data = exc.read()
        return HttpResult(exc.code, {k.lower(): v for k, v in exc.headers.items()}, data,
                          time.perf_counter() - start)


class ServerStartError(RuntimeError):
    pass


class ServerProcess:
    """`python app.py serve` on 127.0.0.1:<free port>; a context manager."""

    def __init__(self, env: dict[str, str], *, port: int | None = None, args: tuple[str, ...] = ()):
        self.env = dict(env)
        self.port = port or free_port()
        self.args = args
        self._dir = tempfile.TemporaryDirectory(prefix="tsgbot-serve-")
        self.log_path = Path(self._dir.name) / "server.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self, *, timeout: float = START_TIMEOUT, ready: bool = True) -> ServerProcess:
        """Start and wait for GET /healthz (and /readyz when `ready`) to answer 200."""
        env = {**self.env, "PORT": str(self.port)}
        with self.log_path.open("ab") as log:
            # Own session: stop() signals the whole group, gunicorn's workers included.
            self.process = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "serve", *self.args],
                                            cwd=self._dir.name, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            self._wait_for("/healthz", timeout)
            if ready:
                self._wait_for("/readyz", timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for(self, path: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStartError(f"`app.py serve` exited with {self.process.returncode} before {path} "
                                       f"answered; its output:\n{self.logs()}")
            try:
                result = http("GET", self.url(path), timeout=2)
                if result.status == 200:
                    return
                last = f"{result.status} {result.text[:200]}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.05)
        raise ServerStartError(f"{path} did not answer 200 within {timeout}s (last: {last}); output:\n{self.logs()}")

    def stop(self, *, grace: float = 15.0) -> int | None:
        """SIGTERM the process group, SIGKILL after `grace` seconds; returns the exit status."""
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        # Workers outliving their master would keep the port and the database busy.
        _signal_group(process.pid, signal.SIGKILL)
        return process.returncode

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def logs(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    # -- requests -----------------------------------------------------------------------------

    def get(self, path: str, *, timeout: float = 30.0) -> HttpResult:
        return http("GET", self.url(path), timeout=timeout)

    def post(self, request: SlackRequest, *, path: str = "/slack/events", timeout: float = 30.0) -> HttpResult:
        """Send a (signed) Slack request as Slack does."""
        return http("POST", self.url(path), body=request.body, headers=request.headers, timeout=timeout)

    def metrics(self) -> str:
        result = self.get("/metrics")
        assert result.status == 200, (result.status, result.text[:500])
        return result.text


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# -- reading the server's state ---------------------------------------------------------------------


def wait_until(check: Callable[[], object], *, timeout: float = 10.0, what: str = "condition"):
    """Poll `check` until it returns something truthy (returned); AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        time.sleep(0.05)


def metric_value(metrics_text: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels` (0 when there is none)."""
    total = 0.0
    for line in metrics_text.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        sample, _, label_text = head.partition("{")
        if sample != name:
            continue
        found = dict(_labels(label_text.rstrip("}")))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(value)
    return total


def _labels(text_: str) -> Iterator[tuple[str, str]]:
    # Prometheus label values are quoted with \" and \\ escapes; entry ids and surfaces have neither.
    for part in text_.split('",'):
        if "=" in part:
            key, _, value = part.partition("=")
            yield key.strip(), value.strip().strip('"')


def query_db(url: str, sql: str, **params) -> list[dict]:
    """Rows of one query on the server's database, as dicts (a fresh connection, closed after)."""
    from sqlalchemy import create_engine

    engine = create_engine(database_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


# -- clicking what the bot rendered ----------------------------------------------------------------


def click(server: ServerProcess, signer: Signer, slack: FakeSlack, blocks: list[dict], action_id: str, *,
          user_id: str = "U123", channel_id: str = "C123", option: str | None = None,
          message: dict | None = None) -> tuple[HttpResult, str]:
    """Click the element `action_id` of `blocks` as Slack reports it (for a select: pick `option`).

    Returns the HTTP answer and the fresh response_url the click carried. `message` (with `ts`) for
    a click on a posted message; without it the click is on an ephemeral one, as Slack sends it."""
    found = elements(blocks, action_id)
    present = [e["action_id"] for _, e in elements(blocks)]
    assert found, f"no element {action_id!r} in the blocks; the actions there: {present}"
    block, element = found[0]
    action = {"type": element.get("type"), "action_id": action_id, "block_id": block.get("block_id") or unique_id("b")}
    if element.get("type") == "button":
        action.update(text=element.get("text"), value=element.get("value"))
    elif "select" in str(element.get("type")):
        options = [o for group in element.get("option_groups") or [{"options": element.get("options") or []}]
                   for o in group["options"]]
        chosen = [o for o in options if o.get("value") == option]
        assert chosen, f"option {option!r} not offered; offered: {[o.get('value') for o in options]}"
        action["selected_option"] = chosen[0]
    url = slack.response_url()
    request = signer.block_actions(action, response_url=url, user_id=user_id, channel_id=channel_id,
                                   message=message, ephemeral=message is None)
    return server.post(request), url


# -- fixtures -------------------------------------------------------------------------------------


def _backends() -> list:
    from tests.conftest import _backends as backends

    return backends()


@pytest.fixture(scope="module", params=_backends())
def e2e_db_url(request, tmp_path_factory) -> Iterator[str]:
    """A fresh database for one module's server, per backend (the conftest's `db_url`, module-wide)."""
    from tests.conftest import fresh_database

    with fresh_database(request.param, request, tmp_path_factory.mktemp("e2e")) as url:
        yield url


@pytest.fixture(scope="module")
def e2e_slack_module() -> Iterator[FakeSlack]:
    with FakeSlack(bot_token=BOT_TOKEN) as slack:
        yield slack


@pytest.fixture
def e2e_slack(e2e_slack_module: FakeSlack) -> FakeSlack:
    """The module's fake Slack, with the calls and scripts of earlier tests forgotten."""
    e2e_slack_module.wait_quiet(0.2, timeout=5, at_least=False)
    e2e_slack_module.reset()
    return e2e_slack_module


@pytest.fixture(scope="module")
def e2e_server_module(e2e_db_url: str, e2e_slack_module: FakeSlack) -> Iterator[ServerProcess]:
    with ServerProcess(server_env(database_url=e2e_db_url, slack=e2e_slack_module)) as server:
        yield server


@pytest.fixture
def e2e_server(e2e_server_module: ServerProcess, e2e_slack: FakeSlack) -> Iterator[ServerProcess]:
    """The module's running server (restarted if an earlier test stopped it); prints its new log lines."""
    server = e2e_server_module
    if not server.running:
        server.start()
    start = server.log_size()
    yield server
    # Shown by pytest only when the test failed: what the server logged meanwhile.
    with server.log_path.open("rb") as log:
        log.seek(start)
        print(f"--- server log ({server.base_url}) ---\n" + log.read().decode("utf-8", "replace"))


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer(SIGNING_SECRET)
