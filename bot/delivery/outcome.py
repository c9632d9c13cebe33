"""What became of one Slack call, and how long to wait before the next attempt."""

from __future__ import annotations

import random
import socket
import urllib.error
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

MAX_BACKOFF_SECONDS = 300.0
# Slack's answers that no retry will change: the job is given up (and logged, and counted).
PERMANENT = frozenset({"channel_not_found", "is_archived", "msg_too_long", "invalid_blocks", "no_text",
                       "message_not_found", "cant_update_message", "edit_window_closed", "invalid_metadata_format",
                       "restricted_action", "too_many_attachments", "invalid_arguments"})
MAX_ATTEMPTS_UNKNOWN = 30  # an error Slack does not document as transient gets this many tries


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | retry | dead
    ts: str | None = None
    delay: float = 0.0
    error: str = ""
    in_doubt: bool = False  # the call may have reached Slack

    @classmethod
    def sent(cls, ts: str | None) -> Outcome:
        return cls("sent", ts=ts)


def backoff(attempt: int) -> float:
    """Exponential with jitter: about 1, 2, 4 ... seconds, at most five minutes."""
    base = min(MAX_BACKOFF_SECONDS, 2.0 ** max(0, attempt - 1))
    return base * random.uniform(0.8, 1.2)


def failure(exc: Exception, *, attempt: int) -> Outcome:
    """The outcome of a call that raised: retry (with the wait Slack asked for) or give up."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = getattr(response, "status_code", 0)
        data = getattr(response, "data", None)
        error = data.get("error", "") if isinstance(data, dict) else ""
        if status == 429 or error == "ratelimited":
            headers = getattr(response, "headers", {}) or {}
            retry_after = _number(headers.get("Retry-After") or headers.get("retry-after"), 1.0)
            return Outcome("retry", delay=max(retry_after, 1.0), error="ratelimited")
        if status >= 500:
            # Slack may have acted before failing: the next attempt looks before posting again.
            return Outcome("retry", delay=backoff(attempt), error=f"http_{status}", in_doubt=True)
        if error in PERMANENT:
            return Outcome("dead", error=error)
        if attempt >= MAX_ATTEMPTS_UNKNOWN:
            return Outcome("dead", error=f"{error or status} (after {attempt} attempts)")
        return Outcome("retry", delay=backoff(attempt), error=error or f"http_{status}")
    if isinstance(exc, OSError):
        # Refused: nothing was sent. Anything else (a timeout, a reset) may have reached Slack.
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        refused = isinstance(reason, ConnectionRefusedError | socket.gaierror)
        return Outcome("retry", delay=backoff(attempt), error=f"connection: {reason}", in_doubt=not refused)
    raise exc


def _number(value, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
