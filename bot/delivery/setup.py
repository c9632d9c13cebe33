"""Building a delivery worker from the settings (for `serve` and for `python app.py worker`)."""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from bot.delivery.slack_calls import SlackCalls
from bot.delivery.worker import DeliveryWorker
from bot.runtime import Runtime
from bot.web.metrics import PrometheusMetrics
from bot.web.slack_client import make_slack_client

log = logging.getLogger(__name__)
RATE_PER_SENDER = 25  # messages per second one sending thread keeps up with on a busy machine
MAX_SENDERS = 4


def build_worker(runtime: Runtime, metrics: PrometheusMetrics) -> DeliveryWorker | None:
    """A worker for `runtime`'s database and Slack; None without a bot token (nothing could be sent)."""
    settings = runtime.settings
    if not settings.slack_bot_token:
        log.warning("alert delivery is off: SLACK_BOT_TOKEN is not set (alerts are stored and wait for it)")
        return None
    lease = settings.delivery_lease_seconds
    # A call must end well within its job's lease, or a second worker could take the job meanwhile.
    client = make_slack_client(settings.slack_bot_token, metrics=metrics, base_url=settings.slack_api_url,
                               max_retries=0, timeout=max(1, lease // 3))
    calls = SlackCalls(client, lambda: runtime.snapshot, lang=settings.alert_lang)
    rate = settings.alert_channel_rate
    return DeliveryWorker(runtime.sessions, calls, lease=timedelta(seconds=lease), per_channel_rate=rate,
                          senders=max(1, min(MAX_SENDERS, math.ceil(rate / RATE_PER_SENDER))),
                          storm_threshold=settings.alert_storm_threshold,
                          storm_quiet=timedelta(minutes=settings.alert_storm_quiet_minutes),
                          on_outcome=lambda job, outcome: metrics.alert_delivery(job.kind, outcome))
