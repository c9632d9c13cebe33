"""Confirmed pastes in today's engine: near-identical text lands on the confirmed entry, nothing else moves."""

from __future__ import annotations

import pytest

from bot.engine.confirmed import example_key, fold, has_content
from bot.engine.diagnose import diagnose
from bot.engine.index import build_index
from bot.engine.model import ConfirmedExample
from bot.kb.files import load_knowledge
from tests.engine_fixtures import KNOWLEDGE

# Answered HTTP_404 by the shipped knowledge base ("--all-traffic" sounds like its 0%-traffic symptom),
# while the missing inference server package makes the container crash: ERR_2200.
WRONGLY_ANSWERED = ("az ml online-deployment create --name green --endpoint churn-ep -f green.yml --all-traffic "
                    "ends in a 502, the deployment log says a module is missing: azureml-inference-server-http")


@pytest.fixture(scope="module")
def learned_index(shipped_guides):
    return build_index(load_knowledge(KNOWLEDGE).entries, shipped_guides,
                       confirmed=[ConfirmedExample("ERR_2200", WRONGLY_ANSWERED)])


def test_the_paste_is_answered_wrongly_without_the_example(shipped_index):
    assert diagnose(WRONGLY_ANSWERED, shipped_index).top.entry.id == "HTTP_404"


def test_the_same_paste_lands_on_the_confirmed_entry_and_says_why(learned_index):
    diagnosis = diagnose(WRONGLY_ANSWERED, learned_index)
    assert (diagnosis.decision, diagnosis.top.entry.id) == ("match", "ERR_2200")
    assert any(ev.signal == "confirmed" for ev in diagnosis.top.evidence)


def test_other_names_and_spacing_still_resemble_it(learned_index):
    variant = WRONGLY_ANSWERED.replace("churn-ep", "fraud-ep").replace("green", "blue").replace(" ", "  ")
    assert diagnose(variant.upper(), learned_index).top.entry.id == "ERR_2200"


def test_a_paste_that_only_shares_words_is_not_pulled_in(learned_index, shipped_index):
    shorter = "az ml online-deployment create --name green --endpoint churn-ep --all-traffic failed"
    assert diagnose(shorter, learned_index).top.entry.id == diagnose(shorter, shipped_index).top.entry.id


def test_every_entry_example_still_lands_where_it_did(learned_index, shipped_index):
    for entry in shipped_index.entries:
        for example in entry.examples:
            before, after = diagnose(example, shipped_index), diagnose(example, learned_index)
            assert [m.entry.id for m in after.matches][:1] == [m.entry.id for m in before.matches][:1], example


def test_examples_of_unknown_entries_and_empty_ones_are_left_out(shipped_guides):
    index = build_index(load_knowledge(KNOWLEDGE).entries, shipped_guides,
                        confirmed=[ConfirmedExample("GONE_1", WRONGLY_ANSWERED),
                                   ConfirmedExample("ERR_2200", "[REDACTED] [REDACTED]")])
    assert [c.entry_id for c in index.confirmed] == ["ERR_2200"]  # the unknown entry is left out
    assert diagnose(WRONGLY_ANSWERED, index).top.entry.id == "HTTP_404"


def test_keys_fold_case_and_white_space_and_redaction_only_has_no_content():
    assert example_key("Error  X\n in line") == example_key("error x in LINE")
    long = fold("a\n\n b " * 3000)
    assert long.startswith("a b a b") and len(long) == 4000
    assert not has_content("  [REDACTED]\n[REDACTED]: ")
    assert has_content("[REDACTED] ERR_1200")
