"""Alert storms, as Grafana OnCall's alert groups: when many alerts wait for one channel, one summary
message counts them (by rule, endpoint and diagnosis) and the single alerts go into its thread.

Pure: what an alert counts as, and what the summary shows. The store (bot.db.alert_groups) keeps
the counts; the delivery worker opens storms and edits the summary.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from bot.alerts.model import Alert

FACETS = ("rule", "endpoint", "diagnosis")
MAX_FACET_VALUE = 200
TOP = 8  # values shown per facet; the rest are summed up as OTHERS
OTHERS = "\0others"

# Label names senders use for the rule that fired (Alertmanager, Grafana, Datadog monitors...).
_RULE_LABELS = ("alertname", "rule", "rulename", "alert_rule", "monitor", "monitor_name")


@dataclass(frozen=True)
class StormCounts:
    """What a storm's summary shows: alerts in it, how many resolved, and the top values per facet."""

    total: int
    resolved: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def digest(self) -> str:
        """A short hash that changes whenever what the summary shows changes (stored: no sender text in it)."""
        parts = [f"{self.total}/{self.resolved}"]
        for facet in FACETS:
            parts.append("\n".join(f"{value}\t{count}" for value, count in self.facets.get(facet, ())))
        return hashlib.sha256("\0".join(parts).encode("utf-8", "replace")).hexdigest()[:32]


def storm_facets(alert: Alert, *, endpoint: str | None, diagnosis: str | None) -> dict[str, str]:
    """What one alert counts as in a storm's summary; `diagnosis` is the top entry's title (None: no match)."""
    lowered = {name.lower(): value for name, value in alert.labels.items()}
    rule = next((lowered[name] for name in _RULE_LABELS if lowered.get(name)), None) or alert.title
    return {
        "rule": rule[:MAX_FACET_VALUE],
        "endpoint": (endpoint or "")[:MAX_FACET_VALUE],
        "diagnosis": (diagnosis or "")[:MAX_FACET_VALUE],
    }


def top_values(counted: list[tuple[str, int]], *, top: int = TOP) -> list[tuple[str, int]]:
    """The most frequent values first (ties by name); the rest summed up as OTHERS."""
    ordered = sorted(counted, key=lambda item: (-item[1], item[0]))
    shown = ordered[:top]
    rest = sum(count for _, count in ordered[top:])
    return shown + ([(OTHERS, rest)] if rest else [])
