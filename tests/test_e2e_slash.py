"""End to end: the slash command, its buttons, App Home and request verification, over real HTTP.

One `python app.py serve` per backend for the module, Slack's Web API and response_urls on the fake
Slack; each test uses its own user, so their diagnoses and feedback do not mix.
"""

from __future__ import annotations

import json

import pytest

from tests import server_process as e2e
from tests.fake_slack import elements, message_text
from tests.replysize import visible_length
from tests.server_process import click, metric_value, query_db
from tests.slack_signing import app_home_opened_event, mention_event, unique_id

# The shared end-to-end fixtures (one server per module and backend, the fake Slack, the signer).
e2e_db_url, e2e_slack_module, e2e_slack = e2e.e2e_db_url, e2e.e2e_slack_module, e2e.e2e_slack
e2e_server_module, e2e_server, signer = e2e.e2e_server_module, e2e.e2e_server, e2e.signer

ERR_1200_PASTE = """$ az ml online-deployment create -f blue.yml --all-traffic -e fraud-ep -g rg-ml
Creating/updating online deployment blue ....
ERROR: (BadArgument) ERR_1200: Unable to download user container image. Failed to pull image
myacr.azurecr.io/azureml/azureml_3f2a:latest for deployment blue of endpoint fraud-ep
"""
ERR_1200_TITLE_EN = "the deployment cannot pull its container image"
ERR_1200_TITLE_DE = "Die Bereitstellung kann ihr Containerimage nicht abrufen"
CLOSE_CALL_PASTE = "HTTP 429 Too Many Requests from my online endpoint scoring URL inference.ml.azure.com"
TITLES_429 = {"HTTP_429_RATE_LIMIT": "HTTP 429 Rate limiting", "HTTP_429_TOO_MANY_PENDING": "HTTP 429 Too many pending"}


def slash(server, signer, slack, text: str, *, user_id: str, channel_id: str = "C123"):
    """Run the command; returns (HTTP answer, its JSON body, the response_url it carried)."""
    url = slack.response_url()
    result = server.post(signer.slash_command(text, response_url=url, user_id=user_id, channel_id=channel_id))
    assert result.status == 200, (result.status, result.text[:500])
    return result, result.json(), url


def button_values(blocks: list[dict]) -> dict[str, dict]:
    return {e["action_id"]: json.loads(e["value"]) for _, e in elements(blocks) if e.get("type") == "button"}


def names(entry_id: str, title: str, text: str) -> bool:
    return entry_id in text or title in text


# -- the answer -------------------------------------------------------------------------------------


def test_a_paste_is_answered_in_the_ack_privately_with_the_diagnosis_and_buttons(e2e_server, e2e_slack, signer,
                                                                                 e2e_db_url):
    user = unique_id("U")
    result, body, url = slash(e2e_server, signer, e2e_slack, ERR_1200_PASTE, user_id=user)

    assert result.status == 200
    assert body["response_type"] == "ephemeral"
    assert body.get("text"), "a text fallback beside the blocks"
    seen = message_text(body)
    assert "ERR_1200" in seen and ERR_1200_TITLE_EN in seen
    assert "fraud-ep" in seen  # the command filled in with the paste's endpoint
    values = button_values(body["blocks"])
    assert {"share_diagnosis", "feedback_solved", "feedback_wrong"} <= set(values)
    [row] = query_db(e2e_db_url, "SELECT id, surface, user_id, channel_id, top_entry_id FROM diagnoses "
                                 "WHERE user_id = :user", user=user)
    assert (row["surface"], row["channel_id"], row["top_entry_id"]) == ("slash", "C123", "ERR_1200")
    assert all(v == {"d": row["id"], "lang": "en"} for v in values.values()), values
    # Answered in the ack: nothing went through the Web API or the response_url.
    e2e_slack.wait_quiet(0.3)
    assert e2e_slack.responses(url) == []
    assert e2e_slack.calls("chat.postMessage") == [] and e2e_slack.calls("chat.postEphemeral") == []


def test_the_diagnosis_counts_in_the_metrics(e2e_server, e2e_slack, signer):
    before = metric_value(e2e_server.metrics(), "tsgbot_diagnoses_total", surface="slash", decision="match")
    slash(e2e_server, signer, e2e_slack, ERR_1200_PASTE, user_id=unique_id("U"))
    metrics = e2e_server.metrics()
    assert metric_value(metrics, "tsgbot_diagnoses_total", surface="slash", decision="match") == before + 1
    assert metric_value(metrics, "tsgbot_diagnosis_duration_seconds_count", surface="slash") >= 1
    assert metric_value(metrics, "tsgbot_http_requests_total", route="/slack/events", status="200") >= 1


@pytest.mark.parametrize("text", ["help", "", "  "])
def test_help_and_empty_text_show_the_usage(e2e_server, e2e_slack, signer, text):
    _, body, _ = slash(e2e_server, signer, e2e_slack, text, user_id=unique_id("U"))
    assert body["response_type"] == "ephemeral"
    seen = message_text(body)
    assert "/troubleshoot" in seen
    assert "share_diagnosis" not in button_values(body.get("blocks") or [])  # usage, not a diagnosis


def test_list_shows_the_entries(e2e_server, e2e_slack, signer):
    _, body, _ = slash(e2e_server, signer, e2e_slack, "list", user_id=unique_id("U"))
    seen = message_text(body)
    assert body["response_type"] == "ephemeral"
    for entry_id, title in [("ERR_1200", ERR_1200_TITLE_EN), *TITLES_429.items(), ("HTTP_500", "HTTP 500")]:
        assert names(entry_id, title, seen), entry_id


def test_a_bare_status_looks_up_every_entry_for_it(e2e_server, e2e_slack, signer):
    _, body, _ = slash(e2e_server, signer, e2e_slack, "429", user_id=unique_id("U"))
    seen = message_text(body)
    assert body["response_type"] == "ephemeral"
    for entry_id, title in TITLES_429.items():
        assert names(entry_id, title, seen), (entry_id, seen[:800])
    assert "ERR_1200" not in seen


def test_a_status_without_its_service_is_a_close_call_that_says_what_decides(e2e_server, e2e_slack, signer):
    _, body, _ = slash(e2e_server, signer, e2e_slack, "we keep getting 429 errors", user_id=unique_id("U"))
    seen = message_text(body)
    for entry_id, title in TITLES_429.items():
        assert names(entry_id, title, seen), (entry_id, seen[:800])
    assert "What decides:" in seen and "response body" in seen, seen[:1500]


def test_a_bare_code_looks_up_its_entry(e2e_server, e2e_slack, signer):
    _, body, _ = slash(e2e_server, signer, e2e_slack, "ERR_1200", user_id=unique_id("U"))
    seen = message_text(body)
    assert ERR_1200_TITLE_EN in seen
    assert not any(names(i, t, seen) for i, t in TITLES_429.items())


def test_de_answers_in_german(e2e_server, e2e_slack, signer):
    _, body, _ = slash(e2e_server, signer, e2e_slack, "de " + ERR_1200_PASTE, user_id=unique_id("U"))
    seen = message_text(body)
    assert ERR_1200_TITLE_DE in seen and ERR_1200_TITLE_EN not in seen
    assert {v["lang"] for v in button_values(body["blocks"]).values()} == {"de"}


# -- the buttons ------------------------------------------------------------------------------------


def test_share_in_channel_posts_the_diagnosis_visibly_crediting_the_asker(e2e_server, e2e_slack, signer):
    user = unique_id("U")
    _, body, _ = slash(e2e_server, signer, e2e_slack, ERR_1200_PASTE, user_id=user)
    result, url = click(e2e_server, signer, e2e_slack, body["blocks"], "share_diagnosis", user_id=user)
    assert result.status == 200
    [shared] = e2e_slack.wait_for(None, where=lambda c: c.path.endswith(url.rsplit("/", 1)[1]))
    assert shared.body["response_type"] == "in_channel"
    assert shared.body.get("replace_original") is False
    seen = shared.text_everywhere
    assert "ERR_1200" in seen and f"<@{user}>" in seen
    e2e_slack.wait_quiet(0.3)
    assert len(e2e_slack.responses(url)) == 1


def test_other_matches_answers_privately_with_the_runner_ups(e2e_server, e2e_slack, signer):
    user = unique_id("U")
    _, body, _ = slash(e2e_server, signer, e2e_slack, CLOSE_CALL_PASTE, user_id=user)
    assert "other_matches" in button_values(body["blocks"])
    result, url = click(e2e_server, signer, e2e_slack, body["blocks"], "other_matches", user_id=user)
    assert result.status == 200
    [others] = e2e_slack.wait_for(None, where=lambda c: c.path.endswith(url.rsplit("/", 1)[1]))
    assert others.body.get("response_type", "ephemeral") == "ephemeral"
    header = body["blocks"][0]["text"]["text"]  # the top match, named in the answer's header
    [runner_up] = [(i, t) for i, t in TITLES_429.items() if t not in header]
    assert names(*runner_up, others.text_everywhere), others.text_everywhere[:600]


def test_the_first_message_fits_a_phone_and_more_opens_the_other_causes(e2e_server, e2e_slack, signer):
    user = unique_id("U")
    _, body, _ = slash(e2e_server, signer, e2e_slack, ERR_1200_PASTE, user_id=user)
    first = message_text(body)
    assert "Most likely cause" in first and "fraud-ep" in first  # the likely cause and its filled commands
    assert "Other possible causes" not in first and "Other candidates" not in first
    assert visible_length(body["blocks"]) < 1500  # was about 2,700: three phone screens
    assert [b["text"]["text"] for _, b in elements(body["blocks"]) if b.get("type") == "button"][:1] == ["More"]
    _, url = click(e2e_server, signer, e2e_slack, body["blocks"], "other_matches", user_id=user)
    [more] = e2e_slack.wait_for(None, where=lambda c: c.path.endswith(url.rsplit("/", 1)[1]))
    assert more.body.get("response_type", "ephemeral") == "ephemeral"
    assert "Other possible causes" in more.text_everywhere and "identity" in more.text_everywhere


def test_no_match_has_no_buttons(e2e_server, e2e_slack, signer):
    _, body, _ = slash(e2e_server, signer, e2e_slack, "KeyError: 'customer_id' in pandas merge",
                       user_id=unique_id("U"))
    assert "No match" in message_text(body)
    assert elements(body["blocks"]) == []  # nothing to share, open, or call right or wrong


def test_english_answers_link_the_english_guide_and_german_ones_the_german(e2e_server, e2e_slack, signer):
    for prefix, locale in (("", "/en-us/"), ("de ", "/de-de/")):
        _, body, _ = slash(e2e_server, signer, e2e_slack, prefix + ERR_1200_PASTE, user_id=unique_id("U"))
        links = [u for u in message_text(body).split("<")[1:] if u.startswith("https://learn.microsoft.com")]
        assert links and all(locale in link for link in links), links


def test_solved_it_is_recorded_and_thanked(e2e_server, e2e_slack, signer, e2e_db_url):
    user = unique_id("U")
    _, body, _ = slash(e2e_server, signer, e2e_slack, ERR_1200_PASTE, user_id=user)
    diagnosis_id = button_values(body["blocks"])["feedback_solved"]["d"]
    result, url = click(e2e_server, signer, e2e_slack, body["blocks"], "feedback_solved", user_id=user)
    assert result.status == 200
    [thanks] = e2e_slack.wait_for(None, where=lambda c: c.path.endswith(url.rsplit("/", 1)[1]))
    assert thanks.body.get("replace_original") is True
    assert "thank" in thanks.text_everywhere.lower()
    rows = query_db(e2e_db_url, "SELECT diagnosis_id, verdict, correct_entry_id FROM feedback WHERE user_id = :u",
                    u=user)
    assert rows == [{"diagnosis_id": diagnosis_id, "verdict": "solved", "correct_entry_id": None}]


def test_wrong_match_offers_the_entries_and_records_the_right_one(e2e_server, e2e_slack, signer, e2e_db_url):
    user = unique_id("U")
    _, body, _ = slash(e2e_server, signer, e2e_slack, ERR_1200_PASTE, user_id=user)
    diagnosis_id = button_values(body["blocks"])["feedback_wrong"]["d"]
    _, url = click(e2e_server, signer, e2e_slack, body["blocks"], "feedback_wrong", user_id=user)
    [offer] = e2e_slack.wait_for(None, where=lambda c: c.path.endswith(url.rsplit("/", 1)[1]))
    assert offer.body.get("replace_original") is True
    [(block, select)] = elements(offer.blocks, "feedback_pick_entry")
    assert block["block_id"] == f"feedback_pick:{diagnosis_id}"
    assert select["type"] == "static_select"

    result, url = click(e2e_server, signer, e2e_slack, offer.blocks, "feedback_pick_entry", user_id=user,
                        option="HTTP_500")
    assert result.status == 200
    [thanks] = e2e_slack.wait_for(None, where=lambda c: c.path.endswith(url.rsplit("/", 1)[1]))
    assert thanks.body.get("replace_original") is True and "thank" in thanks.text_everywhere.lower()
    rows = query_db(e2e_db_url, "SELECT diagnosis_id, verdict, correct_entry_id FROM feedback WHERE user_id = :u "
                                "ORDER BY id", u=user)
    assert rows[-1] == {"diagnosis_id": diagnosis_id, "verdict": "wrong_match", "correct_entry_id": "HTTP_500"}


# -- App Home -----------------------------------------------------------------------------------------


def test_app_home_shows_how_to_use_it_the_knowledge_base_and_the_viewers_last_diagnoses(e2e_server, e2e_slack,
                                                                                         signer):
    user = unique_id("U")
    slash(e2e_server, signer, e2e_slack, ERR_1200_PASTE, user_id=user)
    assert e2e_server.post(signer.event(app_home_opened_event(user))).status == 200
    [publish] = e2e_slack.wait_for("views.publish", where=lambda c: c.body.get("user_id") == user)
    view = publish.body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    seen = message_text(view)
    assert "/troubleshoot" in seen
    assert names("HTTP_429_RATE_LIMIT", TITLES_429["HTTP_429_RATE_LIMIT"], seen)  # the knowledge base
    assert ERR_1200_TITLE_EN in seen or "ERR_1200" in seen  # the viewer's diagnosis


def test_app_home_speaks_the_viewers_language(e2e_server, e2e_slack, signer):
    user = unique_id("U")
    e2e_slack.add_user(user, locale="de-DE")
    assert e2e_server.post(signer.event(app_home_opened_event(user))).status == 200
    [publish] = e2e_slack.wait_for("views.publish", where=lambda c: c.body.get("user_id") == user)
    [asked] = e2e_slack.calls("users.info", where=lambda c: c.body.get("user") == user)
    assert str(asked.body.get("include_locale")).lower() in ("1", "true")
    view = publish.body["view"]
    seen = message_text(json.loads(view) if isinstance(view, str) else view)
    assert "Wissensbasis" in seen and "Deine letzten Diagnosen" in seen and "Knowledge base" not in seen


# -- verification -------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["forged", "unsigned", "stale", "tampered"])
@pytest.mark.parametrize("kind", ["slash", "event"])
def test_forged_unsigned_and_stale_requests_get_401_and_change_nothing(e2e_server, e2e_slack, signer, e2e_db_url,
                                                                      variant, kind):
    count = "SELECT COUNT(*) AS n FROM diagnoses"
    events = "SELECT COUNT(*) AS n FROM slack_events"
    before = (query_db(e2e_db_url, count), query_db(e2e_db_url, events))
    url = e2e_slack.response_url()
    if kind == "slash":
        request = signer.slash_command(ERR_1200_PASTE, response_url=url, user_id=unique_id("U"))
    else:
        request = signer.event(mention_event("<@UBOT> " + ERR_1200_PASTE, channel=unique_id("C")))
    result = e2e_server.post(getattr(request, variant)())
    assert result.status == 401, (result.status, result.text[:300])
    assert "ERR_1200" not in result.text
    e2e_slack.wait_quiet(0.5)
    assert e2e_slack.calls() == []
    assert (query_db(e2e_db_url, count), query_db(e2e_db_url, events)) == before
