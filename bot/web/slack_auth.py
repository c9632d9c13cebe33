"""Who the bot is, for Bolt, without asking Slack inside a request.

Bolt's default asks `auth.test` at the first request and keeps the answer; with Slack's Web API
unreachable that call and its retries take about 3 s and then fail the request: a slash command
that could have been answered in its acknowledgement (no Web API needed) gets an apology, and an
event a 500, both after Slack's 3-second limit. Here the answer the background check
(`bot.web.slack_link`) got is used; before Slack ever answered, the request goes on with the token
alone (the bot's ids unknown: the Slack layer tells its own messages by `bot_id` and the event's
`authorizations` all the same).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_bolt.authorization import AuthorizeResult

from bot.web.slack_link import SlackLink

log = logging.getLogger(__name__)
FIRST_CHECK_WAIT_SECONDS = 1.0  # a request right at start waits this long at most for the first check
LOG_EVERY_SECONDS = 60.0  # during an outage: one line a minute, not one per request


def authorize_from(link: SlackLink, token: str) -> Callable[..., AuthorizeResult]:
    """A Bolt `authorize` function answering from `link` (never calling Slack itself)."""

    last_logged = [0.0]

    def authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
        identity = link.identity(wait=FIRST_CHECK_WAIT_SECONDS)
        if identity is None:
            if time.monotonic() - last_logged[0] > LOG_EVERY_SECONDS:
                last_logged[0] = time.monotonic()
                log.warning("Slack has not answered auth.test yet (%s): answering with the token alone",
                            link.state.error or link.state.state)
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bot_token=token)
        return AuthorizeResult(enterprise_id=identity.get("enterprise_id"), team_id=identity.get("team_id") or team_id,
                               team=identity.get("team"), url=identity.get("url"), bot_id=identity.get("bot_id"),
                               bot_user_id=identity.get("user_id"), user_id=user_id, bot_token=token)

    return authorize
