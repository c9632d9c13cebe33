"""The shape of a Slack reply: phone-sized first, the rest behind "More", no buttons under "no match",
guide links in the reader's language."""

from __future__ import annotations

import pytest

from bot.engine.diagnose import diagnose
from bot.replies.links import guide_link
from bot.replies.render import Renderer
from tests.replysize import PASTES, visible_length
from tests.slack_fakes import buttons, texts

GERMAN_SOURCE = "https://learn.microsoft.com/de-de/azure/machine-learning/how-to-troubleshoot-managed-online-endpoints"


@pytest.fixture(scope="module")
def shipped_renderer(shipped_guides):
    return Renderer(guides=shipped_guides)


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("name", list(PASTES))
def test_the_first_message_is_phone_sized_and_keeps_what_to_do(shipped_index, shipped_renderer, name, lang):
    diagnosis = diagnose(PASTES[name], shipped_index)
    reply = shipped_renderer.slack(diagnosis, lang, diagnosis_id=3)
    full = shipped_renderer.slack(diagnosis, lang)  # no buttons, as in alert messages: everything shown
    share = 0.6 if diagnosis.decision == "match" else 0.8  # a close call keeps its candidates in sight
    assert visible_length(reply.blocks) < share * visible_length(full.blocks)
    # A close call also says what would decide between its entries: one short section more.
    assert visible_length(reply.blocks) < (1700 if diagnosis.decision == "match" else 2000)
    seen, cause = texts(reply.blocks), diagnosis.top.causes[0]
    assert diagnosis.top.entry.title.get(lang) in seen and cause.title.get(lang) in seen
    assert all(step.get(lang)[:40] in seen for step in cause.steps[:3])
    assert buttons(reply.blocks)["other_matches"]["text"]["text"] == {"en": "More", "de": "Mehr"}[lang]
    if diagnosis.decision == "close_call":  # a close call is about choosing: the candidates stay in sight
        assert all(m.entry.id in seen for m in diagnosis.matches[1:])


def test_more_holds_what_the_first_message_left_out(shipped_index, shipped_renderer):
    diagnosis = diagnose(PASTES["ERR_1200 log"], shipped_index)
    first = texts(shipped_renderer.slack(diagnosis, "en", diagnosis_id=3).blocks)
    more = texts(shipped_renderer.slack_more(diagnosis, "en").blocks)
    top = diagnosis.top
    for cause in top.causes[1:]:
        assert cause.title.en not in first and cause.title.en in more
    assert top.entry.summary.en[:80] in more and top.entry.summary.en[:80] not in first
    assert all(m.entry.id in more for m in diagnosis.matches[1:])


@pytest.mark.parametrize("paste", ["KeyError: 'customer_id' in pandas merge", "   "])
def test_no_match_and_empty_replies_have_no_buttons(shipped_index, shipped_renderer, paste):
    reply = shipped_renderer.slack(diagnose(paste, shipped_index), "en", diagnosis_id=3)
    assert buttons(reply.blocks) == {}
    assert not [b for b in reply.blocks if b["type"] == "actions"]


def test_guide_links_follow_the_reply_language(shipped_index, shipped_renderer):
    diagnosis = diagnose(PASTES["OutOfQuota"], shipped_index)
    english = texts(shipped_renderer.slack(diagnosis, "en", diagnosis_id=3).blocks)
    german = texts(shipped_renderer.slack(diagnosis, "de", diagnosis_id=3).blocks)
    assert "https://learn.microsoft.com/en-us/azure/machine-learning/" in english and "/de-de/" not in english
    assert "https://learn.microsoft.com/de-de/azure/machine-learning/" in german and "/en-us/" not in german
    assert "/en-us/" in shipped_renderer.text(diagnosis, "en")


def test_guide_link_rewrites_only_microsoft_learn_locales():
    assert guide_link(GERMAN_SOURCE + "#err_1100", "en") == GERMAN_SOURCE.replace("/de-de/", "/en-us/") + "#err_1100"
    assert guide_link(GERMAN_SOURCE, "de") == GERMAN_SOURCE
    assert guide_link("https://docs.example.com/de-de/widget", "en") == "https://docs.example.com/de-de/widget"
    assert guide_link("https://learn.microsoft.com/en-us/x", "xx") == "https://learn.microsoft.com/en-us/x"
