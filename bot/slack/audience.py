"""Whose requests the bot answers: one workspace (team) and one app.

A signing secret belongs to an app, and an app can be installed in several workspaces: a signed
request proves it is Slack's, not that it comes from the workspace this bot serves. The team and app
ids come from the settings (`SLACK_TEAM_ID`, `SLACK_APP_ID`); a team id not set is learned from
`auth.test` on the first request that needs it (never at start: Slack may be unreachable then), and
asked again at most every `RETRY_SECONDS` while that fails.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)
RETRY_SECONDS = 10.0


class Unknown(RuntimeError):
    """The workspace is not known yet (auth.test failed): requests cannot be checked."""


class Audience:
    """The expected team and app; `accepts(team, app)` says whether a request is for this bot."""

    def __init__(self, *, team_id: str | None, app_id: str | None,
                 auth_test: Callable[[], dict] | None = None, clock: Callable[[], float] = time.monotonic):
        self._team_id = team_id
        self._app_id = app_id
        self._auth_test = auth_test
        self._clock = clock
        self._lock = threading.Lock()
        self._failed_at: float | None = None

    def accepts(self, team_id: str | None, app_id: str | None) -> bool:
        """True when the request names this bot's team and (where known) app. Raises Unknown when the
        team could not be learned."""
        expected_team, expected_app = self.expected()
        if team_id != expected_team:
            return False
        return expected_app is None or app_id == expected_app

    def expected(self) -> tuple[str, str | None]:
        if self._team_id:
            return self._team_id, self._app_id
        with self._lock:  # one auth.test at a time; the others wait for its answer
            if not self._team_id:
                self._learn()
        return self._team_id, self._app_id  # type: ignore[return-value]

    def _learn(self) -> None:
        now = self._clock()
        if self._auth_test is None:
            raise Unknown("SLACK_TEAM_ID is not set and there is no Slack client to ask")
        if self._failed_at is not None and now - self._failed_at < RETRY_SECONDS:
            raise Unknown("auth.test failed a moment ago")
        try:
            answer = self._auth_test()
            team = answer.get("team_id")
        except Exception as exc:  # Slack unreachable, a revoked token: refuse for now, ask again later
            self._failed_at = now
            log.warning("cannot learn the Slack workspace from auth.test (%s): requests are refused with 503 "
                        "until it answers; set SLACK_TEAM_ID to need no call", exc.__class__.__name__)
            raise Unknown("auth.test failed") from None
        if not isinstance(team, str) or not team:
            self._failed_at = now
            raise Unknown("auth.test named no team")
        self._team_id = team
        # Slack's auth.test names the app for some tokens; SLACK_APP_ID wins when set.
        if not self._app_id and isinstance(answer.get("app_id"), str) and answer.get("app_id"):
            self._app_id = answer["app_id"]
        log.info("answering Slack requests of team %s%s", team,
                 f" and app {self._app_id}" if self._app_id else " (any app: set SLACK_APP_ID to check it)")
