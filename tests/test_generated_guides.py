"""Entries of other guides: a generated base of many guides' entries beside the shipped ones.

The fusion's coefficients were learnt on the shipped guide, whose pastes name its service; a guide
with no marker words must still answer with its own entries: an entry's own code is a match and its
verbatim symptom lands on it, while a paste about nothing in the base stays "no match".

A stated HTTP status is scored against a bounded number of the entries that have nothing but that
status (they tie): the ranking shown must be the one scoring every such entry gives.
"""

from __future__ import annotations

import pytest

from bot.engine.diagnose import diagnose
from bot.engine.extract import extract_statuses
from bot.engine.index import build_index
from bot.engine.matching import rank
from bot.engine.model import Guide, Localized
from bot.engine.paste import Paste
from bot.kb.synthetic import synthetic_entries

GENERATED = 3_000
SHOWN = 8


@pytest.fixture(scope="module")
def generated(shipped_guides, shipped_index):
    extra = synthetic_entries(GENERATED)
    return build_index(list(shipped_index.entries) + extra, shipped_guides), extra


def _ranked(index, text: str, limit: int) -> list[tuple[str, float, tuple[str, ...]]]:
    paste = Paste(text, text.lower())
    statuses = extract_statuses(text, paste.lower)
    return [(m.entry.id, m.score, tuple(ev.signal for ev in m.evidence))
            for m in rank(index, paste, statuses, limit=limit)]


def _pastes(extra) -> list[str]:
    with_status = [e for e in extra if e.signals.status][:3]
    return [
        "POST https://fraud-ep.westeurope.inference.ml.azure.com/score returned 500",
        "got HTTP 503 from the service again",
        "curl -i https://api.example.com/v1/items -> HTTP/1.1 404 Not Found",
        "kubectl logs pod/web-1: upstream answered 502 Bad Gateway",
        "az ml online-endpoint invoke failed: 409 Conflict",
        *(f"HTTP {e.signals.status[0]} after: {e.signals.phrases[0]}" for e in with_status),
        *(f"{e.signals.symptoms[0]} (status 400)" for e in with_status),
    ]


def test_a_stated_status_ranks_as_if_every_entry_with_it_were_scored(generated):
    index, extra = generated
    assert max(len(v) for v in index.status_entries.values()) > 10 * SHOWN  # the fan-out is real here
    for text in _pastes(extra):
        bounded = _ranked(index, text, SHOWN)
        everything = _ranked(index, text, len(index.entries))[:SHOWN]
        assert bounded == everything, text
        assert bounded, text  # every paste states a status some entry lists


@pytest.fixture(scope="module")
def imported(shipped_guides, shipped_index, generated):
    """The same entries, each generated guide known to the index but listing no marker words, as a
    team's imported guide often does."""
    extra = generated[1]
    names = sorted({e.guide for e in extra})
    own = [Guide(name, Localized(name, name), "en", f"{name}.md") for name in names]
    return build_index(list(shipped_index.entries) + extra, list(shipped_guides) + own), extra


SAMPLE = 40


def test_an_entry_s_own_code_is_a_match_in_a_guide_without_markers(imported):
    index, extra = imported
    for entry in extra[:SAMPLE]:
        for text in (entry.signals.codes[0], f"deployment failed with {entry.signals.codes[0]}, what now?"):
            d = diagnose(text, index)
            assert d.decision == "match" and d.matches[0].entry.id == entry.id, (text, d.decision, d.matches[:2])


def test_an_entry_s_verbatim_symptom_lands_on_it_in_a_guide_without_markers(imported):
    index, extra = imported
    landed = [diagnose(text, index) for entry in extra[:SAMPLE] for text in entry.signals.symptoms]
    wanted = [entry.id for entry in extra[:SAMPLE] for _ in entry.signals.symptoms]
    on_it = sum(d.decision != "no_match" and d.matches[0].entry.id == want
                for d, want in zip(landed, wanted, strict=True))
    assert on_it >= 0.95 * len(wanted), f"{on_it}/{len(wanted)}"


def test_a_paste_about_nothing_in_the_base_is_still_no_match_there(imported):
    index, _ = imported
    for text in ("KeyError: 'customer_id' in pandas merge",
                 "kubectl describe pod web-1: Back-off restarting failed container",
                 "how do I rename a column in a pandas dataframe?"):
        assert diagnose(text, index).decision == "no_match", text
