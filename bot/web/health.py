"""Readiness: the database answers and the knowledge index is built (the version being served).

Slack's state rides along in the answer (`slack`: the Web API as this process last saw it, and the
Socket Mode connection) but never decides it: see `GET /readyz` in the README's "Operate".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from bot.engine.redact import redact
from bot.runtime import Runtime


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str | None = None
    kb_version: int | None = None
    entries: int | None = None
    slack: dict | None = None

    def as_json(self) -> dict:
        body: dict = {"status": "ready" if self.ready else "not ready"}
        if self.reason:
            body["reason"] = self.reason
        body["database"] = "unreachable" if self.reason and self.reason.startswith("database:") else "ok"
        if self.kb_version is not None:
            body["kb_version"] = self.kb_version
            body["entries"] = self.entries
        if self.slack is not None:
            body["slack"] = self.slack
        return body


def readiness(runtime: Runtime, *, slack: dict | None = None) -> Readiness:
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready"; the reason says which
        first_line = (str(exc).splitlines() or [""])[0]
        return Readiness(False, redact(f"database: {exc.__class__.__name__}: {first_line}"), slack=slack)
    snapshot = runtime.snapshot  # read once: the version and the count of one knowledge base
    if not snapshot.entry_count:
        return Readiness(False, "knowledge base is empty: run 'python app.py kb sync'", snapshot.version, 0,
                         slack=slack)
    return Readiness(True, None, snapshot.version, snapshot.entry_count, slack)
