"""Which Slack channel an alert goes to, and who is mentioned, from an optional YAML routes file.

    routes:
      - name: fraud critical                            # optional, shown in logs
        match: {severity: critical, endpoint: "fraud-*"}
        channel: C0123456789                            # a channel id, or #name
        mention: ["<!subteam^S0123>", "<@U0123>"]       # optional
      - match: {source: azure-monitor, resource: "*/onlineendpoints/payments*"}
        channel: C0987654321

Every key of `match` must match (values are globs, case-insensitive). Keys are label names plus
source, severity, status, resource, title, endpoint and deployment; a key the alert lacks never
matches. A route without `match` takes every alert. The first matching route wins; without one the
alert goes to the default channel, and nobody is mentioned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from bot.alerts.model import SEVERITIES, SOURCES, STATUSES, Alert
from bot.alerts.text import alert_entities
from bot.kb.yamlfile import LineDict, LineList, YamlError, load_yaml

SPECIAL_KEYS = ("source", "severity", "status", "resource", "title", "endpoint", "deployment")
ROUTE_KEYS = ("name", "match", "channel", "mention")
_CHANNEL_RE = re.compile(r"^(?:[CGD][A-Z0-9]{8,20}|#[a-z0-9][a-z0-9._-]{0,79})$")
_MENTION_RE = re.compile(r"^<(?:@[UW][A-Z0-9]{2,20}|!subteam\^S[A-Z0-9]{2,20}(?:\|[^<>]{1,80})?|!here|!channel)>$")
_KNOWN_VALUES = {"source": SOURCES, "severity": SEVERITIES, "status": STATUSES}


@dataclass(frozen=True)
class Route:
    """Where an alert is posted and whom it mentions."""

    channel: str
    mentions: tuple[str, ...] = ()
    name: str = "default"


@dataclass(frozen=True)
class Rule:
    """A route and the conditions an alert must meet for it: (key, lower-case glob) pairs."""

    match: tuple[tuple[str, str], ...]
    route: Route


@dataclass(frozen=True)
class RoutingTable:
    default_channel: str | None
    rules: tuple[Rule, ...] = ()

    def route(self, alert: Alert) -> Route | None:
        """The first matching rule's route, else the default channel; None when there is neither."""
        if self.rules:
            facts = alert_facts(alert)
            for rule in self.rules:
                if all(key in facts and fnmatchcase(facts[key], glob) for key, glob in rule.match):
                    return rule.route
        return Route(channel=self.default_channel) if self.default_channel else None


def alert_facts(alert: Alert) -> dict[str, str]:
    """What routes match on, lower-cased: the labels, then the special keys (which win over labels)."""
    facts = {name.lower(): value.lower() for name, value in alert.labels.items()}
    entities = alert_entities(alert)
    special = {"source": alert.source, "severity": alert.severity, "status": alert.status,
               "resource": alert.resource, "title": alert.title,
               "endpoint": entities.get("endpoint-name"), "deployment": entities.get("deployment-name")}
    facts.update({key: value.lower() for key, value in special.items() if value})
    return facts


def load_routes(path: Path | None, *, default_channel: str | None) -> tuple[RoutingTable, list[str]]:
    """The routing table and its problems as "path:line: message"; the valid routes are kept."""
    if path is None:
        return RoutingTable(default_channel), []
    problems: list[str] = []

    def problem(line: int, message: str) -> None:
        problems.append(f"{path}:{line}: {message}")

    try:
        doc = load_yaml(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        problem(1, "the routes file does not exist")
        return RoutingTable(default_channel), problems
    except (OSError, UnicodeDecodeError) as exc:
        problem(1, f"the routes file cannot be read: {exc}")
        return RoutingTable(default_channel), problems
    except YamlError as exc:
        problem(exc.line, exc.message)
        return RoutingTable(default_channel), problems
    if not isinstance(doc, LineDict):
        problem(getattr(doc, "line", 1), "the file must be a mapping with a `routes` list")
        return RoutingTable(default_channel), problems
    for key in doc:
        if key != "routes":
            problem(doc.line_of(key), f"unknown key {key!r}; the file has only `routes`")
    routes = doc.get("routes")
    if not isinstance(routes, LineList):
        problem(doc.line_of("routes"), "`routes` must be a list of routes")
        return RoutingTable(default_channel), problems
    rules = []
    for n, item in enumerate(routes):
        rule = _rule(item, n, routes.item_lines[n], problem)
        if rule is not None:
            rules.append(rule)
    return RoutingTable(default_channel, tuple(rules)), problems


def _rule(item: object, n: int, line: int, problem) -> Rule | None:
    if not isinstance(item, LineDict):
        problem(line, f"route {n + 1} must be a mapping with `match` and `channel`")
        return None
    ok = True
    for key in item:
        if key not in ROUTE_KEYS:
            problem(item.line_of(key), f"unknown key {key!r} in route {n + 1}; use {', '.join(ROUTE_KEYS)}")
            ok = False
    channel = item.get("channel")
    if channel is None:
        problem(item.line, f"route {n + 1} has no `channel`")
        ok = False
    elif not isinstance(channel, str) or not _CHANNEL_RE.match(channel.strip()):
        problem(item.line_of("channel"), f"channel {channel!r} is neither a Slack channel id (C0123456789) "
                                         "nor a #channel-name")
        ok = False
    mentions = item.get("mention", [])
    if isinstance(mentions, str):
        mentions = [mentions]
    if not isinstance(mentions, list):
        problem(item.line_of("mention"), "`mention` must be a list of Slack mentions")
        ok, mentions = False, []
    for mention in mentions:
        if not isinstance(mention, str) or not _MENTION_RE.match(mention.strip()):
            problem(item.line_of("mention"), f"mention {mention!r} is not a Slack mention: use <@U0123ABCD> for "
                                             "a person or <!subteam^S0123ABCD> for a user group")
            ok = False
    match = item.get("match", {})
    if not isinstance(match, dict):
        problem(item.line_of("match"), "`match` must be a mapping of names to globs")
        return None
    conditions = []
    for key, glob in match.items():
        at = match.line_of(key) if isinstance(match, LineDict) else item.line
        if isinstance(glob, (dict, list)) or glob is None:
            problem(at, f"match value of {key!r} must be a text or a glob")
            ok = False
            continue
        glob = str(glob).strip().lower() if not isinstance(glob, bool) else str(glob).lower()
        known = _KNOWN_VALUES.get(key.lower())
        if known and not any(ch in glob for ch in "*?[") and glob not in known:
            problem(at, f"{key} {glob!r} never matches; it is one of {', '.join(known)}")
            ok = False
        conditions.append((key.strip().lower(), glob))
    if not ok:
        return None
    name = item.get("name")
    route = Route(channel=channel.strip(), mentions=tuple(m.strip() for m in mentions),
                  name=str(name) if name is not None else f"route {n + 1}")
    return Rule(tuple(conditions), route)
