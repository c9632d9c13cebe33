"""Is Slack's Web API reachable, and does it take the bot token? Checked in the background, never at start.

Bolt's default checks the token (`auth.test`) while the app is built; with Slack unreachable the
worker then fails to boot and gunicorn exits, taking `/healthz`, `/readyz` and the alert webhooks
with it, just when alerts must still be taken. The app is built without that check and this link
asks `auth.test` from a background thread instead: at start, again and again (backing off) while it
fails, and once a minute while it works. `/readyz` and `/metrics` report what it last saw.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)
RETRY_SECONDS = (1, 2, 5, 10, 30)  # after a failed check: the n-th wait, the last one repeated
RECHECK_SECONDS = 60  # after a good check
# Slack's answers meaning the token itself is refused: no retry soon will change that.
TOKEN_REFUSED = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                           "not_allowed_token_type", "no_permission", "missing_scope", "team_access_not_granted"})
CHECKING, OK, UNREACHABLE, TOKEN_REJECTED = "checking", "ok", "unreachable", "token_rejected"


@dataclass(frozen=True)
class LinkState:
    state: str  # checking | ok | unreachable | token_rejected
    checked_at: datetime | None = None
    last_ok: datetime | None = None
    error: str | None = None
    team: str | None = None
    bot_user_id: str | None = None

    @property
    def up(self) -> bool:
        return self.state == OK

    def as_json(self) -> dict:
        body: dict = {"api": self.state}
        if self.error:
            body["error"] = self.error
        if self.checked_at is not None:
            body["checked_at"] = _iso(self.checked_at)
        if self.last_ok is not None:
            body["last_ok"] = _iso(self.last_ok)
        if self.team:
            body["team"] = self.team
        return body


class SlackLink:
    """This process's view of Slack's Web API, kept fresh by `start()`'s thread; `state` any time."""

    def __init__(self, client: WebClient, *, retry_seconds: tuple[float, ...] = RETRY_SECONDS,
                 recheck_seconds: float = RECHECK_SECONDS) -> None:
        self.client = client
        self.retry_seconds = retry_seconds
        self.recheck_seconds = recheck_seconds
        self.state = LinkState(CHECKING)  # replaced whole: readers never see half an update
        self._identity: dict | None = None  # the last good auth.test answer: who the bot is
        self._checked = threading.Event()  # set once a first check has an answer, good or bad
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SlackLink:
        self._thread = threading.Thread(target=self._run, name="slack-link", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def identity(self, *, wait: float = 0.0) -> dict | None:
        """The bot's identity from the last good `auth.test` (team_id, user_id, bot_id, ...), or None
        when Slack never answered; waits up to `wait` seconds for a first check still under way."""
        if wait and self._identity is None:
            self._checked.wait(wait)
        return self._identity

    def check(self) -> LinkState:
        """Ask `auth.test` once and record the answer."""
        now = datetime.now(UTC)
        previous = self.state
        try:
            answer = self.client.auth_test()
        except SlackApiError as exc:
            error = _slack_error(exc)
            status = getattr(exc.response, "status_code", 0)
            state = TOKEN_REJECTED if error in TOKEN_REFUSED else UNREACHABLE
            self.state = LinkState(state, now, previous.last_ok, error if status < 500 else f"http_{status}")
        except Exception as exc:  # refused, reset, timed out, a name that does not resolve
            self.state = LinkState(UNREACHABLE, now, previous.last_ok, _connection_error(exc))
        else:
            self._identity = {key: answer.get(key) for key in ("team_id", "team", "url", "user_id", "bot_id", "app_id",
                                                               "enterprise_id")}
            self.state = LinkState(OK, now, now, None, answer.get("team"), answer.get("user_id"))
        self._checked.set()
        if self.state.state != previous.state:
            _log_change(previous, self.state)
        return self.state

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            if self.check().up:
                failures = 0
                wait = self.recheck_seconds
            else:
                wait = self.retry_seconds[min(failures, len(self.retry_seconds) - 1)]
                failures += 1
            self._stop.wait(wait)


def _log_change(previous: LinkState, now: LinkState) -> None:
    if now.up:
        log.info("Slack's Web API answers (team %s)%s", now.team or "?",
                 "" if previous.state == CHECKING else f", after being {previous.state}")
    elif now.state == TOKEN_REJECTED:
        log.error("Slack refuses the bot token (%s): check SLACK_BOT_TOKEN", now.error)
    else:
        log.warning("Slack's Web API is unreachable (%s); alerts are still taken and wait in the outbox", now.error)


def _slack_error(exc: SlackApiError) -> str:
    data = getattr(exc.response, "data", None)
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, str) and len(error) <= 64 else f"http_{getattr(exc.response, 'status_code', 0)}"


def _connection_error(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc  # urllib wraps the socket error in URLError.reason
    text = (str(reason).splitlines() or [""])[0][:200]
    return f"{reason.__class__.__name__}: {text}" if text else reason.__class__.__name__


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
