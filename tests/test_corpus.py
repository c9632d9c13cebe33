"""Quality, measured: the labelled corpus through `diagnose --batch`, as the regression tool runs it.

Labelled cases must put the right entry on top (a confident answer or a close call, not "no match")
in at least 95% of cases; unrelated pastes must get "no match" in at least 90%.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.cli import run_app

CORPUS = Path(__file__).parent / "corpus" / "cases.jsonl"
LABELLED_TOP1 = 0.95
UNRELATED_NO_MATCH = 0.90


def test_corpus_accuracy(db_url):
    cases = {c["id"]: c for c in map(json.loads, CORPUS.read_text(encoding="utf-8").splitlines())}
    result = run_app("diagnose", "--batch", str(CORPUS), database_url=db_url)
    assert result.returncode == 0, result.stderr.decode()
    results = {r["id"]: r for r in map(json.loads, result.stdout.decode().splitlines())}
    assert results.keys() == cases.keys()

    right, wrong = Counter(), []
    for case_id, case in cases.items():
        got = results[case_id]
        top = got["matches"][0]["id"] if got["matches"] else None
        if case["label"] == "none":
            ok = got["decision"] == "no_match"
        else:
            ok = got["decision"] != "no_match" and top == case["label"]
        right["none" if case["label"] == "none" else "labelled"] += ok
        if not ok:
            wrong.append(f"{case_id} {case['label']} -> {got['decision']} {top}")
    labelled = sum(1 for c in cases.values() if c["label"] != "none")
    unrelated = len(cases) - labelled
    assert labelled >= 150 and unrelated >= len(cases) / 4
    report = "\n".join(wrong)
    assert right["labelled"] / labelled >= LABELLED_TOP1, report
    assert right["none"] / unrelated >= UNRELATED_NO_MATCH, report


def test_every_entry_lands_its_own_examples(shipped_index):
    from bot.engine.diagnose import diagnose

    missed = []
    for entry in shipped_index.entries:
        assert entry.examples, f"{entry.id} has no examples"
        for example in entry.examples:
            d = diagnose(example, shipped_index)
            if d.decision == "no_match" or d.top.entry.id != entry.id:
                missed.append(f"{entry.id}: {example[:60]!r} -> {d.decision} {d.top and d.top.entry.id}")
    assert not missed, "\n".join(missed)
