"""The buttons of an alert message: "Acknowledge" records who took it; link buttons only need an ack.

The message is edited by the delivery worker (the acknowledgement queues that edit with it), so a
click during a Slack outage is kept and shown once Slack answers again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

ACK = "alert_ack"
LINK_PATTERN = re.compile(r"^alert_link:\d+$")


class AlertDesk(Protocol):
    def acknowledge(self, alert_id: int, user_id: str) -> bool:
        """Record that `user_id` took the alert; False when the alert is unknown."""


def make_alert_buttons(desk: AlertDesk) -> dict[str | re.Pattern, Callable[..., None]]:
    def acknowledge_alert(ack, body: Mapping, action: Mapping, respond: Any, logger: Any) -> None:
        ack()
        user = (body.get("user") or {}).get("id") or ""
        try:
            alert_id = int(action.get("value") or "")
        except ValueError:
            logger.warning("alert_ack with an unexpected value: %r", action.get("value"))
            return
        if not desk.acknowledge(alert_id, user):
            respond(response_type="ephemeral", replace_original=False,
                    text="This alert is no longer known to tsgbot (its record was removed).")

    def open_link(ack) -> None:
        ack()  # a URL button: Slack opens the link itself and tells the app it was clicked

    return {ACK: acknowledge_alert, LINK_PATTERN: open_link}
