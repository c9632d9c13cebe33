"""Entries of other guides: a generated base of many guides' entries beside the shipped ones.

A stated HTTP status is scored against a bounded number of the entries that have nothing but that
status (they tie): the ranking shown must be the one scoring every such entry gives.
"""

from __future__ import annotations

import pytest

from bot.engine.extract import extract_statuses
from bot.engine.index import build_index
from bot.engine.matching import rank
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
