"""The Slack app manifest asks for what the server serves: one URL, the command, the shortcut, the events."""

from __future__ import annotations

import yaml

from bot.settings import DEFAULT_COMMAND
from tests.conftest import REPO_ROOT

URL = "https://<your-host>/slack/events"


def manifest() -> dict:
    return yaml.safe_load((REPO_ROOT / "slack-manifest.yaml").read_text(encoding="utf-8"))


def test_every_request_url_is_the_one_slack_events_route():
    m = manifest()
    [command] = m["features"]["slash_commands"]
    assert command["command"] == DEFAULT_COMMAND and command["url"] == URL
    assert m["settings"]["event_subscriptions"]["request_url"] == URL
    assert m["settings"]["interactivity"] == {"is_enabled": True, "request_url": URL}
    assert m["settings"]["socket_mode_enabled"] is False


def test_the_shortcut_events_and_home_tab_are_the_ones_the_bot_handles():
    m = manifest()
    assert [(s["type"], s["callback_id"]) for s in m["features"]["shortcuts"]] == [("message", "diagnose_message")]
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) == {"app_home_opened", "app_mention", "message.im"}
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert m["features"]["app_home"]["messages_tab_enabled"] is True


def test_the_scopes_cover_every_api_the_bot_calls():
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert scopes == {"app_mentions:read", "channels:history", "groups:history", "mpim:history", "im:history",
                      "chat:write", "commands", "files:read", "channels:join", "channels:read", "groups:read",
                      "users:read"}
