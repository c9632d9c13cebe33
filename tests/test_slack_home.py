"""App Home: published for the viewer with the how-to, the knowledge base and their last five diagnoses."""

from __future__ import annotations

import pytest

from bot.slack.home import make_app_home
from tests.slack_fakes import World, event_body, texts

QUOTA = "ERROR: (OutOfQuota) Not enough quota available for Standard_DS3_v2"


@pytest.fixture
def world(shipped_index, renderer) -> World:
    return World.build(shipped_index, renderer)


def open_home(world: World, *, user: str = "U123", tab: str = "home", event_id: str = "EvH") -> None:
    event = {"type": "app_home_opened", "user": user, "channel": "D1", "tab": tab}
    make_app_home(world.service, world.metrics, command="/troubleshoot")(
        body=event_body(event, event_id), event=event, client=world.client, logger=world.logger)


def test_home_shows_how_to_use_the_bot_the_knowledge_base_and_the_last_five_diagnoses(world):
    for n in range(7):
        world.service.diagnose(f"{QUOTA} attempt {n}", surface="slash", user_id="U123")
    world.service.diagnose("ImagePullFailed for someone else", surface="mention", user_id="U999")
    open_home(world)
    [published] = world.client.called("views.publish")
    assert published["user_id"] == "U123"
    view = published["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    body = texts(view["blocks"])
    assert "/troubleshoot &lt;paste&gt;" in body and "Diagnose this" in body
    assert "*Deployment errors* (6)" in body and "`HTTP_429_RATE_LIMIT`" in body
    assert "attempt 6" in body and "attempt 2" in body and "attempt 1" not in body  # the last five
    assert body.index("attempt 6") < body.index("attempt 5")  # newest first
    assert "someone else" not in body
    assert "Likely match: `ERR_1100`" in body and "slash command" in body


def test_a_new_user_is_told_how_to_start(world):
    open_home(world, user="U555")
    assert "None yet. Try `/troubleshoot ERR_1200`" in texts(world.client.called("views.publish")[0]["view"]["blocks"])


def test_the_messages_tab_and_retries_publish_nothing_more(world):
    open_home(world, tab="messages")
    assert not world.client.calls
    open_home(world, event_id="EvSame")
    open_home(world, event_id="EvSame")
    assert len(world.client.called("views.publish")) == 1 and world.metrics.duplicates == 1


def test_home_is_in_the_viewers_language(world):
    world.client.locales["UDE"] = "de-DE"
    open_home(world, user="UDE", event_id="EvDe")
    [asked] = world.client.called("users.info")
    assert asked == {"user": "UDE", "include_locale": True}
    body = texts(world.client.called("views.publish")[0]["view"]["blocks"])
    assert "Wissensbasis" in body and "Deine letzten Diagnosen" in body and "Knowledge base" not in body


def test_home_falls_back_to_english_when_slack_does_not_say(world):
    world.client.fail["users.info"] = "missing_scope"
    open_home(world, user="U556", event_id="EvFail")
    body = texts(world.client.called("views.publish")[0]["view"]["blocks"])
    assert "Knowledge base" in body
    assert world.metrics.api_errors
