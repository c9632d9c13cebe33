"""What a person reads: terminal text and Slack blocks, in English and German, within Slack's limits."""

from __future__ import annotations

import json

import pytest

from bot.engine.diagnose import diagnose
from bot.engine.model import Cause, Command, Diagnosis, Entry, Extraction, Localized, Match, Signals
from bot.replies.render import MAX_BLOCKS, MAX_SECTION, Renderer
from tests.mini_kb import ENTRIES

PASTE = ("az ml online-deployment create -e fraud-ep -n blue -g rg-ml\n"
         "HTTP/1.1 429 Too Many Requests: too many pending requests (max_concurrent_requests_per_instance=1)\n"
         "https://fraud-ep.westeurope.inference.ml.azure.com/score")


@pytest.fixture()
def mini_renderer():
    return Renderer(guide_sources={"mini": "https://example.org/guide"})


def test_text_reply_names_the_entry_evidence_and_filled_commands(mini_index, mini_renderer):
    text = mini_renderer.text(diagnose(PASTE, mini_index))
    assert "PENDING" in text
    assert "too many pending requests" in text  # the evidence
    assert "(line 2)" in text
    assert "az ml online-deployment get-logs -e fraud-ep -n blue" in text  # filled from the paste
    assert "https://example.org/guide#pending" in text


def test_unknown_values_stay_visible_as_placeholders(mini_index, mini_renderer):
    text = mini_renderer.text(diagnose("too many pending requests on the online endpoint", mini_index))
    assert "-e <endpoint-name> -n <deployment-name>" in text
    assert "Fill in: <deployment-name>, <endpoint-name>" in text


def test_german_reply(mini_index, mini_renderer):
    text = mini_renderer.text(diagnose(PASTE, mini_index), "de")
    assert "Wahrscheinlicher Treffer" in text
    assert "PENDING (de)" in text
    assert "Zeile 2" in text


def test_close_call_lists_the_runner_up(mini_index, mini_renderer):
    d = diagnose("https://x.westeurope.inference.ml.azure.com/score answered HTTP 429", mini_index)
    assert d.decision == "close_call"
    text = mini_renderer.text(d)
    assert text.startswith("Close call")
    assert "Other candidates:" in text


def test_no_match_says_so_and_mentions_a_status_it_saw(mini_index, mini_renderer):
    text = mini_renderer.text(diagnose("HTTP/1.1 401 Unauthorized", mini_index))
    assert text.startswith("No match")
    assert "HTTP 401" in text


def test_empty_paste_gets_the_how_to(mini_index, mini_renderer):
    reply = mini_renderer.slack(diagnose("   \n ", mini_index))
    assert "Paste an error" in reply.text
    assert reply.blocks[0]["type"] == "header"


def test_slack_reply_has_blocks_and_a_text_fallback(mini_index, mini_renderer):
    reply = mini_renderer.slack(diagnose(PASTE, mini_index))
    assert reply.text.startswith("Likely match: PENDING")
    kinds = [b["type"] for b in reply.blocks]
    assert kinds[0] == "header" and "section" in kinds
    body = json.dumps(reply.blocks)
    assert "get-logs -e fraud-ep -n blue" in body


def test_slack_escapes_angle_brackets_and_ampersands_only(mini_renderer):
    entry = ENTRIES[0]
    extraction = Extraction(text="x", codes=(), status=(), entities={}, language="en")
    cause = Cause(Localized("a < b & c > d", "x"), Localized("it's \"quoted\"", "x"),
                  commands=(Command("tool <endpoint-name>", Localized("d", "d")),))
    d = Diagnosis("match", (Match(entry, 0.9, (), (cause,)),), extraction)
    body = json.dumps(mini_renderer.slack(d).blocks)
    assert "a &lt; b &amp; c &gt; d" in body
    assert "tool &lt;endpoint-name&gt;" in body
    assert "&#39;" not in body and "it's" in body


def test_huge_entries_are_cut_to_slack_limits(mini_renderer):
    long = "word " * 2000
    big = Entry(id="BIG", kind="how-to", guide="mini", anchor="big", title=Localized(long, long),
                summary=Localized(long, long), signals=Signals(codes=("BIG",)),
                causes=tuple(Cause(Localized(long, long), Localized(long, long),
                                   tuple(Localized(long, long) for _ in range(30)),
                                   tuple(Command(long, Localized(long, long)) for _ in range(30)))
                             for _ in range(40)))
    extraction = Extraction(text="x", codes=(), status=(), entities={}, language="en",
                            notes=tuple(long for _ in range(60)))
    d = Diagnosis("match", (Match(big, 1.0, (), big.causes),), extraction)
    reply = mini_renderer.slack(d)
    assert len(reply.blocks) <= MAX_BLOCKS
    for block in reply.blocks:
        if "text" in block:
            assert len(block["text"]["text"]) <= (150 if block["type"] == "header" else MAX_SECTION)
        for element in block.get("elements", ()):
            assert len(element["text"]) <= MAX_SECTION
    assert len(reply.text) <= MAX_SECTION


def test_a_lone_tentative_answer_is_called_possible(mini_index, mini_renderer):
    d = diagnose("quota exhausted for the online endpoint?", mini_index)
    assert d.decision == "close_call" and len(d.matches) == 1, d
    assert mini_renderer.text(d).startswith("Possible match: QUOTA")
