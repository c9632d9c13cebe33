"""Secrets out before anything is logged, stored, matched or echoed.

Each rule has a cheap literal trigger so a 1 MB paste without, say, a SAS URL costs one
substring search for that rule, not a regex pass.
"""

from __future__ import annotations

import re

MASK = "[REDACTED]"

# (trigger that must occur in the lowercased text, pattern, replacement)
_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # Authorization headers and bare bearer tokens.
    ("bearer", re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + MASK),
    # JWTs anywhere (AML tokens and AAD tokens are JWTs).
    ("eyj", re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
    # SAS signatures in storage URLs.
    ("sig=", re.compile(r"(?i)(\bsig=)[^&\s\"'<>]+"), r"\1" + MASK),
    # Connection-string secrets: AccountKey=...; SharedAccessKey=...; Password=...;
    ("key=", re.compile(r"(?i)\b((?:Account|SharedAccess)Key=)[^;\s\"']+"), r"\1" + MASK),
    ("password=", re.compile(r"(?i)\b((?:Password|Pwd)=)[^;\s\"']+"), r"\1" + MASK),
    # Passwords in URLs: scheme://user:secret@host
    ("@", re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@\"']+:)[^@\s/\"']+@"), r"\1" + MASK + "@"),
    # key: value / key=value / "key": "value" for names that hold credentials.
    ("key", re.compile(
        r"(?i)(\b(?:primary_?key|secondary_?key|api[_-]?key|x-api-key|endpoint[_-]?key|access[_-]?key|"
        r"account[_-]?key|subscription[_-]?key|ocp-apim-subscription-key)\b[\"']?\s*[:=]\s*[\"']?)"
        r"[A-Za-z0-9+/=._-]{8,}"), r"\1" + MASK),
    ("secret", re.compile(r"(?i)(\b(?:client_?secret|secret)\b[\"']?\s*[:=]\s*[\"']?)[^\s\"',;]{6,}"),
     r"\1" + MASK),
    ("pass", re.compile(r"(?i)(\b(?:password|passwd|pwd)\b[\"']?\s*[:=]\s*[\"']?)[^\s\"',;]{3,}"),
     r"\1" + MASK),
    ("token", re.compile(
        r"(?i)(\b(?:access_?token|refresh_?token|id_?token|token)\b[\"']?\s*[:=]\s*[\"']?)"
        r"[A-Za-z0-9._~+/=-]{16,}"), r"\1" + MASK),
)


def redact(text: str, lower: str | None = None) -> str:
    """Replace every secret this module knows with [REDACTED]; the rest is left as it was."""
    lower = text.lower() if lower is None else lower
    for trigger, pattern, replacement in _RULES:
        if trigger in lower:
            text = pattern.sub(replacement, text)
    return text
