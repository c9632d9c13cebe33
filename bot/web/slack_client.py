"""The Slack Web API client the bot uses: retries on 429 (Retry-After), 5xx and connection errors, and
counts every failed call in the metrics."""

from __future__ import annotations

import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.slack.ports import Metrics

ERROR_CODE_RE = re.compile(r"[a-z0-9_.]{1,64}")
MAX_RETRIES = 2  # per failure kind; Slack's own advice for 429 is to wait Retry-After and try again


class MeteredWebClient(WebClient):
    """A WebClient whose failed calls (after its retries) count in `metrics.slack_api_error`."""

    def __init__(self, *args, metrics: Metrics, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    def api_call(self, api_method: str, **kwargs):
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            self.metrics.slack_api_error(method=api_method, error=_error_name(exc))
            # The Slack layer counts errors it meets too, unless marked (bot.slack.errors.count_api_error).
            exc._tsgbot_counted = True  # type: ignore[attr-defined]
            raise
        except OSError:  # connection refused, reset, timed out: after the retries gave up
            self.metrics.slack_api_error(method=api_method, error="connection_error")
            raise


def _error_name(exc: SlackApiError) -> str:
    """Slack's error code (`channel_not_found`), else the HTTP status: a label with few values."""
    response = exc.response
    data = getattr(response, "data", None)
    error = data.get("error") if isinstance(data, dict) else None
    # slack_sdk puts a sentence (with the body) here for a non-JSON answer: not a label.
    if isinstance(error, str) and ERROR_CODE_RE.fullmatch(error):
        return error
    return f"http_{getattr(response, 'status_code', 'unknown')}"


def make_slack_client(token: str, *, metrics: Metrics, base_url: str | None = None,
                      max_retries: int = MAX_RETRIES, timeout: int = 30) -> MeteredWebClient:
    """The bot's client: `base_url` (with a trailing '/') points it at another Web API, e.g. a test fake.

    `max_retries=0` leaves retrying to the caller (the alert delivery worker keeps its own schedule).
    """
    options: dict = {"base_url": base_url} if base_url else {}
    if not max_retries:
        options["retry_handlers"] = []
    options.setdefault("retry_handlers", [
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        ServerErrorRetryHandler(max_retry_count=max_retries),
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
    ])
    return MeteredWebClient(token=token, metrics=metrics, timeout=timeout, **options)
