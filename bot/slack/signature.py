"""Slack's request signature, checked on the raw bytes before anything reads the body.

Slack signs `v0:{X-Slack-Request-Timestamp}:{raw body}` with the app's signing secret (HMAC-SHA256,
hex, `v0=` in front) and receivers refuse timestamps more than five minutes away. Here every header
is treated as hostile: a timestamp that is not a plain number, a signature of the wrong shape, two
secrets during a rotation. The answer is a reason to refuse (for the log and the metrics) or None;
this module never raises on what a sender put in a request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence

WINDOW_SECONDS = 5 * 60  # Slack's replay window
_TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would take "+1_0", " 1", "١٢"
_SIGNATURE_RE = re.compile(r"v0=[0-9a-f]{64}")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`v0=` + the hex HMAC-SHA256 of `v0:{timestamp}:{body}` under `secret`."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def refusal(secrets: Sequence[str], *, timestamp: str | None, signature: str | None, body: bytes,
            now: float) -> str | None:
    """Why this request is not Slack's ('no signature', 'bad timestamp', 'stale', 'bad signature'), or None.

    `secrets`: the signing secrets accepted (the current one first; an old one during a rotation).
    """
    if not timestamp or not signature:
        return "no signature"
    if not _TIMESTAMP_RE.fullmatch(timestamp):
        return "bad timestamp"
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        return "stale"
    if not _SIGNATURE_RE.fullmatch(signature):
        return "bad signature"
    # Every secret is tried (no early exit), so the time taken says nothing about which one matched.
    matched = False
    for secret in secrets:
        if secret:
            matched |= hmac.compare_digest(sign(secret, timestamp, body), signature)
    return None if matched else "bad signature"
