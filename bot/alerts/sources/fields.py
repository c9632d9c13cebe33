"""Reading senders' JSON defensively: types checked with a JSON path, strings capped, times and URLs parsed."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from bot.alerts.model import (
    MAX_ALERTS,
    MAX_ANNOTATION_VALUE,
    MAX_LABEL_NAME,
    MAX_LABEL_VALUE,
    MAX_LABELS,
    MAX_LINKS,
    MAX_URL,
    AlertLink,
    AlertPayloadError,
)

# Never kept from a sender's text: C0 controls but tab and newline, DEL, C1 controls, and the bidi
# controls that make text read differently than it is (U+202E turns "exe.txt" into "txt.exe").
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# JSON may spell a lone UTF-16 surrogate ("\ud800"); no database, hash or Slack message takes one.
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without control and bidi characters, a lone surrogate replaced by U+FFFD."""
    text = _SURROGATE.sub("\ufffd", text)
    return _UNSAFE.sub("", text)


def clean_json(value: Any) -> Any:
    """Every string of a parsed JSON document (keys too) through clean_text; iterative, so depth is no risk."""
    root = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = clean_text(item)
        elif isinstance(item, list):
            stack.extend((item, n) for n in range(len(item)))
        elif isinstance(item, dict):
            cleaned = {clean_text(k) if isinstance(k, str) else k: v for k, v in item.items()}
            item.clear()
            item.update(cleaned)
            stack.extend((item, k) for k in item)
    return root[0]


def load_json(body: bytes) -> Any:
    """The body as JSON, every string cleaned (clean_text); 400 when it is empty, not UTF-8 or not JSON."""
    if not body or not body.strip():
        raise AlertPayloadError(400, "", "The request body is empty; send the alert as JSON.")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AlertPayloadError(400, "", "The request body is not UTF-8 text; send the alert as JSON.") from None
    try:
        return clean_json(json.loads(text))
    except RecursionError:
        raise AlertPayloadError(400, "", "The request body is nested too deeply to read.") from None
    except ValueError as exc:
        raise AlertPayloadError(400, "", f"The request body is not valid JSON ({exc}).") from None


def need_object(value: Any, path: str, what: str = "an object") -> dict:
    if not isinstance(value, dict):
        where = path or "The body"
        raise AlertPayloadError(422 if path else 400, path, f"{where} must be {what}, not {kind(value)}.")
    return value


def optional_object(value: Any, path: str) -> dict:
    """An object, or {} when the field is missing or null."""
    return {} if value is None else need_object(value, path)


def alert_list(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise AlertPayloadError(422, path, f"{path} must be a list of alerts, not {kind(value)}.")
    if len(value) > MAX_ALERTS:
        raise AlertPayloadError(422, path, f"{path} holds {len(value)} alerts; at most {MAX_ALERTS} are accepted "
                                           "in one request.")
    return value


def status_of(value: Any, path: str) -> str:
    status = value.strip().lower() if isinstance(value, str) else value
    if status not in ("firing", "resolved"):
        raise AlertPayloadError(422, path, f'{path} must be "firing" or "resolved", not {json.dumps(value)[:60]}.')
    return status


def kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def one_line(text: str, limit: int) -> str:
    return cap(" ".join(text.split()), limit)


def text_of(value: Any, limit: int) -> str:
    """A kept string: strings stripped, numbers and booleans written out, nested values as JSON, all capped."""
    if value is None:
        return ""
    if isinstance(value, str):
        return cap(value.strip(), limit)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return cap(format_number(value), limit)
    return cap(json.dumps(value, ensure_ascii=False, sort_keys=True), limit)


def format_number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def string_map(value: Any, path: str, *, value_limit: int = MAX_LABEL_VALUE, strict: bool = True) -> dict[str, str]:
    """Labels or annotations flattened to str -> str: at most MAX_LABELS, each value capped.

    Nested values are kept as JSON; internal keys (`__name__`-style) are left out. With `strict`,
    anything but an object (or null) is a 422; otherwise it is ignored.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        if strict:
            raise AlertPayloadError(422, path, f"{path} must be an object of names and values, not {kind(value)}.")
        return {}
    out: dict[str, str] = {}
    for name, item in value.items():
        name = str(name).strip()
        if not name or (name.startswith("__") and name.endswith("__")) or item is None:
            continue
        out[cap(name, MAX_LABEL_NAME)] = text_of(item, value_limit)
        if len(out) >= MAX_LABELS:
            break
    return out


def annotation_map(value: Any, path: str, *, strict: bool = True) -> dict[str, str]:
    return string_map(value, path, value_limit=MAX_ANNOTATION_VALUE, strict=strict)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as aware UTC; None when missing, unreadable or Go's zero time (0001-01-01)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # senders that leave the zone out mean UTC
    moment = moment.astimezone(UTC)
    return None if moment.year < 1971 else moment


def http_url(value: Any) -> str | None:
    """The URL when it is an absolute http(s) URL of sane length; None otherwise."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def links_of(candidates: Iterable[tuple[str, Any]]) -> tuple[AlertLink, ...]:
    """(label, url) pairs kept when the URL is http(s), first of each URL wins, at most MAX_LINKS."""
    out: list[AlertLink] = []
    seen: set[str] = set()
    for label, value in candidates:
        url = http_url(value)
        if url and url not in seen:
            seen.add(url)
            out.append(AlertLink(one_line(label, 80) or "Link", url))
            if len(out) >= MAX_LINKS:
                break
    return tuple(out)


def annotation_links(annotations: Mapping[str, str]) -> list[tuple[str, str]]:
    """runbook_url, dashboard_url and any other `*_url` / `*URL` annotation, labelled by its name."""
    out = []
    for name, value in annotations.items():
        lower = name.lower()
        if lower.endswith("url") and http_url(value):
            base = lower[:-3].rstrip("_-. ") or "link"
            out.append((base.replace("_", " ").capitalize(), value))
    return out


def is_url_annotation(name: str, value: str) -> bool:
    return name.lower().endswith("url") or http_url(value) is not None


_SEVERITY_WORDS = {
    "critical": "critical", "crit": "critical", "fatal": "critical", "emergency": "critical", "page": "critical",
    "disaster": "critical", "p1": "critical", "sev0": "critical", "sev 0": "critical", "p0": "critical",
    "error": "error", "err": "error", "high": "error", "major": "error", "p2": "error", "sev1": "error",
    "sev 1": "error",
    "warning": "warning", "warn": "warning", "medium": "warning", "minor": "warning", "average": "warning",
    "p3": "warning", "sev2": "warning", "sev 2": "warning",
    "info": "info", "informational": "info", "information": "info", "low": "info", "notice": "info",
    "none": "info", "p4": "info", "p5": "info", "sev3": "info", "sev 3": "info", "sev4": "info",
    "sev 4": "info", "verbose": "info",
}


def severity_of(value: Any) -> str | None:
    """critical / error / warning / info from the words senders use (Sev0-4, P1-5, crit, warn...)."""
    if isinstance(value, str):
        return _SEVERITY_WORDS.get(value.strip().lower())
    return None


def labels_fingerprint(*parts: Any) -> str:
    """A stable hash of JSON-able parts, for senders that give no fingerprint of their own."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


_RESOURCE_LABELS = ("resource_id", "resourceid", "azure_resource_id", "_resourceid", "resource", "target")


def resource_from_labels(labels: Mapping[str, str]) -> str | None:
    """An Azure resource id named by a label (resource_id, resourceId, ...), when one looks like one."""
    lowered = {name.lower(): value for name, value in labels.items()}
    for name in _RESOURCE_LABELS:
        value = lowered.get(name, "")
        if value.lower().startswith("/subscriptions/"):
            return value
    return None



def truncated_alerts(value: Any) -> int:
    """Alertmanager's and Grafana's `truncatedAlerts`: how many alerts the notification left out (0 if unsaid)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return max(0, min(int(value), 10**9))
