"""Alerts go to the channel of the first matching route, else the default; bad routes files say where."""

from __future__ import annotations

from pathlib import Path

from bot.alerts.model import Alert
from bot.alerts.routing import Route, RoutingTable, load_routes

ROUTES = """\
routes:
  - name: fraud critical
    match: {severity: critical, endpoint: "fraud-*"}
    channel: C0123456789
    mention: ["<!subteam^S0123ABCD>", "<@U0123ABCD>"]
  - match: {source: azure-monitor, resource: "*/onlineendpoints/payments*"}
    channel: C0987654321
  - match: {team: Payments}
    channel: "#payments-alerts"
    mention: "<@U0999ZZZZ>"
"""
EP_ID = ("/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourcegroups/rg/providers/"
         "microsoft.machinelearningservices/workspaces/ws/onlineendpoints/{}")


def alert(**fields) -> Alert:
    base = {"source": "alertmanager", "fingerprint": "f1", "group_key": None, "status": "firing", "title": "t"}
    return Alert(**{**base, **fields})


def table(tmp_path: Path, text: str = ROUTES, default: str | None = "C0DEFAULT01") -> tuple[RoutingTable, list[str]]:
    path = tmp_path / "routes.yaml"
    path.write_text(text, encoding="utf-8")
    return load_routes(path, default_channel=default)


def test_no_file_sends_everything_to_the_default_channel():
    routes, problems = load_routes(None, default_channel="C0DEFAULT01")
    assert problems == []
    assert routes.route(alert()) == Route(channel="C0DEFAULT01", mentions=(), name="default")
    assert load_routes(None, default_channel=None)[0].route(alert()) is None


def test_first_matching_route_wins_with_its_mentions(tmp_path):
    routes, problems = table(tmp_path)
    assert problems == []
    hit = routes.route(alert(severity="critical", labels={"endpoint": "Fraud-EP", "team": "payments"}))
    assert hit == Route(channel="C0123456789", mentions=("<!subteam^S0123ABCD>", "<@U0123ABCD>"),
                        name="fraud critical")


def test_all_keys_must_match(tmp_path):
    routes, _ = table(tmp_path)
    warning = alert(severity="warning", labels={"endpoint": "fraud-ep"})
    assert routes.route(warning).channel == "C0DEFAULT01"
    assert routes.route(warning).mentions == ()


def test_resource_glob_and_source(tmp_path):
    routes, _ = table(tmp_path)
    azure = alert(source="azure-monitor", resource=EP_ID.format("payments-ep"))
    assert routes.route(azure) == Route(channel="C0987654321", mentions=(), name="route 2")
    assert routes.route(alert(source="grafana", resource=EP_ID.format("payments-ep"))).channel == "C0DEFAULT01"


def test_label_values_match_case_insensitively(tmp_path):
    routes, _ = table(tmp_path)
    assert routes.route(alert(labels={"Team": "PAYMENTS"})) == Route("#payments-alerts", ("<@U0999ZZZZ>",), "route 3")


def test_endpoint_key_reads_the_resource_id_too(tmp_path):
    routes, _ = table(tmp_path)
    azure = alert(source="azure-monitor", severity="critical", resource=EP_ID.format("fraud-ep"))
    assert routes.route(azure).name == "fraud critical"


def test_a_key_the_alert_lacks_never_matches(tmp_path):
    routes, _ = table(tmp_path, "routes:\n  - match: {region: '*'}\n    channel: C0111111111\n")
    assert routes.route(alert()).channel == "C0DEFAULT01"
    assert routes.route(alert(labels={"region": "westeurope"})).channel == "C0111111111"


def test_route_without_match_takes_everything_and_no_default_gives_none(tmp_path):
    routes, problems = table(tmp_path, "routes:\n  - match: {status: resolved}\n    channel: C0222222222\n",
                             default=None)
    assert problems == []
    assert routes.route(alert(status="resolved")).channel == "C0222222222"
    assert routes.route(alert()) is None
    catch_all, _ = table(tmp_path, "routes:\n  - channel: C0333333333\n", default=None)
    assert catch_all.route(alert()).channel == "C0333333333"


def test_problems_name_file_and_line(tmp_path):
    text = """\
routes:
  - match: {severity: critical}
    chanel: C0123456789
  - match: {severity: crit}
    channel: C0123456789
  - match: {team: payments}
    channel: general
  - match: {team: payments}
    channel: C0123456789
    mention: ["@oncall"]
  - just a string
  - match: [a, b]
    channel: C0123456789
  - match: {team: payments}
    channel: C0444444444
extra: 1
"""
    routes, problems = table(tmp_path, text)
    path = tmp_path / "routes.yaml"
    assert f"{path}:3: unknown key 'chanel' in route 1; use name, match, channel, mention" in problems
    assert f"{path}:2: route 1 has no `channel`" in problems
    assert any(p.startswith(f"{path}:4: severity 'crit' never matches") for p in problems)
    assert any(p.startswith(f"{path}:7: channel 'general' is neither") for p in problems)
    assert any(p.startswith(f"{path}:10: mention '@oncall' is not a Slack mention") for p in problems)
    assert any(p.startswith(f"{path}:11: route 5 must be a mapping") for p in problems)
    assert any(p.startswith(f"{path}:12: `match` must be a mapping") for p in problems)
    assert any(p.startswith(f"{path}:16: unknown key 'extra'") for p in problems)
    # the one valid route is kept
    assert [r.route.channel for r in routes.rules] == ["C0444444444"]


def test_missing_unreadable_and_malformed_files_are_problems(tmp_path):
    missing = tmp_path / "nope.yaml"
    routes, problems = load_routes(missing, default_channel="C0DEFAULT01")
    assert problems == [f"{missing}:1: the routes file does not exist"]
    assert routes.route(alert()).channel == "C0DEFAULT01"
    _, problems = table(tmp_path, "routes: [\n")
    assert len(problems) == 1 and problems[0].startswith(f"{tmp_path / 'routes.yaml'}:")
    _, problems = table(tmp_path, "- a\n- b\n")
    assert problems == [f"{tmp_path / 'routes.yaml'}:1: the file must be a mapping with a `routes` list"]
    _, problems = table(tmp_path, "routes: {a: 1}\n")
    assert problems == [f"{tmp_path / 'routes.yaml'}:1: `routes` must be a list of routes"]
    _, problems = table(tmp_path, "")
    assert problems == [f"{tmp_path / 'routes.yaml'}:1: the file is empty"]
    (tmp_path / "routes.yaml").write_bytes(b"routes:\n  - channel: \xff\n")
    _, problems = load_routes(tmp_path / "routes.yaml", default_channel=None)
    assert len(problems) == 1 and "cannot be read" in problems[0]
