"""The Alert value every alert sender's payload is parsed into, and the error a bad payload raises.

Only the standard library is used: the receivers, the outbox and the renderer all share these values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

SOURCES = ("alertmanager", "azure-monitor", "grafana", "datadog", "generic")
STATUSES = ("firing", "resolved")
SEVERITIES = ("critical", "error", "warning", "info")

# What is kept of a payload: enough to diagnose and show, never an unbounded copy of what was sent.
MAX_ALERTS = 1000
MAX_TITLE = 200
MAX_SUMMARY = 3000
MAX_LABELS = 100
MAX_LABEL_NAME = 200
MAX_LABEL_VALUE = 500
MAX_ANNOTATION_VALUE = 3000
MAX_LINKS = 20
MAX_URL = 2000
MAX_VALUES = 50
MAX_VALUE_LINE = 500
MAX_FINGERPRINT = 200

class FrozenMap(dict):
    """A dict that cannot be changed: still JSON-, copy- and pickle-friendly, unlike a mappingproxy."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("alert labels and annotations cannot be changed")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self):
        return (self.__class__, (dict(self),))


@dataclass(frozen=True)
class AlertLink:
    """A link worth showing beside an alert (runbook, dashboard, silence, portal); always http(s)."""

    label: str
    url: str


@dataclass(frozen=True)
class Alert:
    """One alert from one sender, in one state (firing or resolved)."""

    source: str
    fingerprint: str  # the sender's identity for this alert; stable across firing -> resolved -> firing
    group_key: str | None
    status: str
    title: str
    summary: str = ""
    severity: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    values: tuple[str, ...] = ()
    links: tuple[AlertLink, ...] = ()
    resource: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    truncated: int = 0  # alerts the sender left out of this notification (Alertmanager's truncatedAlerts)

    def __post_init__(self) -> None:
        # Read-only copies, so a frozen Alert cannot be changed through its mappings either.
        object.__setattr__(self, "labels", FrozenMap(self.labels))
        object.__setattr__(self, "annotations", FrozenMap(self.annotations))

    def __hash__(self) -> int:
        # The mappings are not hashable; equal alerts still hash alike through these fields.
        return hash((self.source, self.fingerprint, self.group_key, self.status, self.title, self.starts_at))

    @property
    def key(self) -> str:
        """A stable identity of at most 64 characters: the source and a hash of group key and fingerprint."""
        digest = hashlib.sha256(f"{self.group_key or ''}\0{self.fingerprint}".encode()).hexdigest()
        return f"{self.source}:{digest[:40]}"


class AlertPayloadError(ValueError):
    """A payload that cannot be read: `status` 400 (not a JSON object) or 422 (JSON of the wrong shape)."""

    def __init__(self, status: int, field: str, message: str):
        super().__init__(message)
        self.status = status
        self.field = field  # JSON path of the bad field, "" for the whole body
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message
