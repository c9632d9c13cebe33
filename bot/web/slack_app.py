"""How Slack is wired into the app at start: the background check of Slack's Web API and the Bolt app.

Nothing here calls Slack while the app is built: Slack unreachable at start must not stop the server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from slack_sdk import WebClient

from bot.alert_desk import AlertDesk
from bot.service import BotService
from bot.settings import Settings
from bot.web.metrics import PrometheusMetrics
from bot.web.slack_client import make_slack_client
from bot.web.slack_link import SlackLink

CHECK_TIMEOUT_SECONDS = 10


def start_slack_link(settings: Settings, metrics: PrometheusMetrics, client: WebClient | None = None
                     ) -> SlackLink | None:
    """The background check of Slack's Web API (None when Slack is off), on a client of its own: no
    retries (the link has its own schedule), failures counted as
    `tsgbot_slack_api_errors_total{method="auth.test"}`. `client` only lends its base URL (tests)."""
    if settings.slack_mode == "off":
        return None
    base_url = getattr(client, "base_url", None) or settings.slack_api_url
    probe = make_slack_client(settings.slack_bot_token, metrics=metrics, base_url=base_url, max_retries=0,
                              timeout=CHECK_TIMEOUT_SECONDS)
    return SlackLink(probe).start()


def build_bolt_app(settings: Settings, *, service: BotService, metrics: PrometheusMetrics, client: WebClient | None,
                   alerts: AlertDesk, link: SlackLink):
    """The Bolt app with every listener registered; returns it and the Slack layer's reply threads."""
    from slack_bolt import App

    from bot.slack import register  # the Slack layer: imported only when Slack is on
    from bot.web.slack_auth import authorize_from

    client = client or make_slack_client(settings.slack_bot_token, metrics=metrics, base_url=settings.slack_api_url)
    with _quiet_token_skipped():
        bolt_app = App(
            client=client,
            signing_secret=settings.slack_signing_secret or "",
            # HTTP requests are verified before Bolt sees them (bot.web.slack_events), which hands Bolt
            # the parsed body re-encoded: Bolt's own check would refuse that (and log the body when it
            # does). Socket Mode requests are not signed at all.
            request_verification_enabled=False,
            process_before_response=False,
            # Never auth.test at start nor inside a request: Slack being unreachable must neither stop
            # the server nor hold a request; the background check's answer says who the bot is.
            token_verification_enabled=False,
            authorize=authorize_from(link, settings.slack_bot_token),
        )
    threads = register(bolt_app, service=service, metrics=metrics, command=settings.slack_command, alerts=alerts,
                       maintainers=settings.kb_maintainers)
    return bolt_app, threads


@contextmanager
def _quiet_token_skipped() -> Iterator[None]:
    """Bolt warns that the token "will be ignored" when an `authorize` function is given; it is not:
    `authorize_from` answers with it. Only that one line is dropped, only while the app is built."""
    bolt_logger = logging.getLogger("slack_bolt.App")

    def not_token_skipped(record: logging.LogRecord) -> bool:
        return "will be ignored" not in record.getMessage()

    bolt_logger.addFilter(not_token_skipped)
    try:
        yield
    finally:
        bolt_logger.removeFilter(not_token_skipped)
