"""Alert webhook requests as the senders make them, for end-to-end tests and the load script."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from pathlib import Path

from tests.server_process import HttpResult, ServerProcess, http

PAYLOADS = Path(__file__).resolve().parent / "alert_payloads"
TOKEN = "e2e-alert-token-0123456789abcdef"
HMAC_SECRET = "e2e-alert-hmac-secret-0123456789"
CHANNEL = "C0ALERTS01"


def payload(name: str) -> dict:
    """A sample payload from tests/alert_payloads (a fresh copy to change)."""
    return copy.deepcopy(json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8")))


def send(server: ServerProcess | str, source: str, body: dict | list | bytes, *, token: str | None = TOKEN,
         path_token: str | None = None, headers: dict[str, str] | None = None,
         content_type: str = "application/json") -> HttpResult:
    """POST an alert body to /alerts/<source>[/<path_token>], with a bearer token unless told otherwise."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    sent = {"Content-Type": content_type} if content_type else {}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    sent.update(headers or {})
    base = server if isinstance(server, str) else server.base_url
    path = f"/alerts/{source}" + (f"/{path_token}" if path_token else "")
    return http("POST", base + path, body=raw, headers=sent)


def signed_headers(body: bytes, *, secret: str = HMAC_SECRET, at: float | None = None) -> dict[str, str]:
    """tsgbot's own HMAC scheme: a timestamp and sha256 over "<timestamp>.<body>"."""
    stamp = str(int(at if at is not None else time.time()))
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Tsgbot-Timestamp": stamp, "X-Tsgbot-Signature": f"sha256={digest}"}


def unique(source: str, body: dict | list, tag: str) -> dict | list:
    """The same alerts under identities no other test uses (so tests on one server do not meet)."""
    body = copy.deepcopy(body)
    if source in ("alertmanager", "grafana"):
        body["groupKey"] = f"{body.get('groupKey', '')}{tag}"
        for alert in body["alerts"]:
            alert["fingerprint"] = f"{alert.get('fingerprint', '')}-{tag}"
    elif source == "azure-monitor":
        essentials = body["data"]["essentials"]
        essentials["alertRule"] = f"{essentials['alertRule']}-{tag}"
        essentials["alertId"] = f"{essentials['alertId']}-{tag}"
    else:
        for alert in body if isinstance(body, list) else [body]:
            alert["fingerprint"] = f"{alert.get('fingerprint') or alert['title']}-{tag}"
    return body


def with_status(source: str, body: dict | list, status: str) -> dict | list:
    """The same alerts, all firing or all resolved, as the sender reports a change of state."""
    body = copy.deepcopy(body)
    if source in ("alertmanager", "grafana"):
        body["status"] = status
        for alert in body["alerts"]:
            alert["status"] = status
            if status == "resolved":
                alert["endsAt"] = "2026-11-24T10:42:00Z"
    elif source == "azure-monitor":
        essentials = body["data"]["essentials"]
        essentials["monitorCondition"] = "Resolved" if status == "resolved" else "Fired"
        if status == "resolved":
            essentials["resolvedDateTime"] = "2026-11-24T10:42:00.000Z"
    else:
        for alert in body if isinstance(body, list) else [body]:
            alert["status"] = status
    return body


def alert_count(source: str, body: dict | list) -> int:
    if source in ("alertmanager", "grafana"):
        return len(body["alerts"])
    return len(body) if isinstance(body, list) else 1
