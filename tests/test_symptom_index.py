"""Symptom look-ups that do not grow with the knowledge base: gate stems and typo deletions.

The gates may leave out only symptoms that could never reach the coverage a match needs, and the
deletion look-up must find exactly the one-edit words a comparison with the whole vocabulary finds.
Both are checked against the brute-force answer on the shipped base and on a generated one.
"""

from __future__ import annotations

import random

import pytest
from rapidfuzz.distance import OSA

from bot.engine import index as index_module
from bot.engine import symptoms
from bot.engine.extract import extract_statuses
from bot.engine.index import build_index
from bot.engine.matching import rank
from bot.engine.paste import Paste
from bot.kb.synthetic import synthetic_entries

GENERATED = 3_000


@pytest.fixture(scope="module")
def generated(shipped_guides, shipped_index):
    """The shipped entries and 3,000 generated ones, and the generated entries themselves."""
    extra = synthetic_entries(GENERATED)
    return build_index(list(shipped_index.entries) + extra, shipped_guides), extra


def test_the_index_is_cut_to_what_symptom_matching_asks_of_it():
    assert index_module.GATE_COVERAGE == symptoms.MIN_COVERAGE
    assert symptoms.TYPO_MIN_LETTERS == 5  # index.typo_deletions leaves out 4-letter words' deletions


@pytest.mark.parametrize("which", ["shipped", "generated"])
def test_a_symptom_missing_all_its_gate_stems_cannot_reach_the_coverage(which, shipped_index, generated):
    index = shipped_index if which == "shipped" else generated[0]
    gated: dict[int, set[str]] = {}
    for stem, ks in index.symptom_gates.items():
        for k in ks:
            gated.setdefault(k, set()).add(stem)
    assert set(gated) == set(range(len(index.symptoms)))  # every symptom can be reached
    for k, symptom in enumerate(index.symptoms):
        rest = sum(index.idf[st] for st in symptom.stems if st not in gated[k])
        assert rest < symptoms.MIN_COVERAGE * symptom.weight, symptom.text


def test_words_every_entry_uses_open_few_symptoms(generated):
    index = generated[0]
    longest_posting = max(len(ks) for ks in index.stem_to_symptoms.values())
    longest_gate = max(len(ks) for ks in index.symptom_gates.values())
    assert longest_posting > 2_000  # "request", "error", ... in thousands of symptoms
    assert longest_gate * 20 < longest_posting


def _brute_force_typo(index, word: str) -> str | None:
    """The answer the look-up must give: every signal word, compared one by one."""
    stems = {stem for surface, stem in index.typo_words.items()
             if surface[0] == word[0] and abs(len(surface) - len(word)) <= 1 and OSA.distance(word, surface) <= 1}
    return stems.pop() if len(stems) == 1 else None


def _typos(word: str, rng: random.Random) -> list[str]:
    i = rng.randrange(1, len(word) - 1)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return [word[:i] + word[i + 1:],  # a letter dropped
            word[:i] + letter + word[i:],  # one added
            word[:i] + letter + word[i + 1:],  # one replaced
            word[:i] + word[i + 1] + word[i] + word[i + 2:],  # two swapped
            letter + word[1:]]  # the first letter wrong: not corrected


@pytest.mark.parametrize("which", ["shipped", "generated"])
def test_typo_look_up_finds_what_comparing_with_every_word_finds(which, shipped_index, generated):
    index = shipped_index if which == "shipped" else generated[0]
    rng = random.Random(5)
    words = sorted(w for w in index.typo_words if len(w) >= 5)
    checked = corrected = 0
    for word in rng.sample(words, min(300, len(words))):
        for typo in _typos(word, rng):
            if typo in index.typo_words or len(typo) < symptoms.TYPO_MIN_LETTERS:
                continue  # only unknown words of five letters or more are corrected
            expected = _brute_force_typo(index, typo)
            assert symptoms._correct_typo(index, typo) == expected, (word, typo)
            checked += 1
            corrected += expected is not None
    assert checked > 500 and corrected > checked // 3


def test_a_typo_is_not_corrected_when_two_words_are_as_close():
    one = build_index([_entry("a", "cluster nodes unreachable")])
    assert symptoms._correct_typo(one, "clutser") == "clust"  # cluster, letters swapped
    two = build_index([_entry("a", "cluster nodes unreachable"), _entry("b", "clutter in the queue")])
    assert symptoms._correct_typo(two, "clutser") is None  # cluster or clutter: not guessed


def signal_ranking(paste: str, index):
    """The signal engine's ranking, before the calibrated fusion: what the symptom index decides.

    (The fusion's "none of these" is calibrated on the shipped guide's pastes and their marker
    words; generated entries have neither, so their final decision is not this file's subject.)
    """
    lower = paste.lower()
    return rank(index, Paste(paste, lower), extract_statuses(paste, lower), limit=5)


def _entry(entry_id: str, symptom: str):
    from dataclasses import replace

    base = synthetic_entries(1, seed=99)[0]
    return replace(base, id=entry_id, signals=replace(base.signals, symptoms=(symptom,), phrases=(),
                                                      codes=(f"CODE_{entry_id}",), patterns=(), status=()))


def test_a_hand_typed_symptom_with_typos_lands_on_its_entry_in_a_large_base(generated):
    index, extra = generated
    rng = random.Random(11)
    landed = 0
    picks = rng.sample(range(len(extra)), 40)
    for n in picks:
        entry = extra[n]
        words = entry.signals.symptoms[0].split()
        typed = " ".join(w[:2] + w[3] + w[2] + w[4:] if len(w) >= 6 else w for w in words)
        paste = f"hi, since this morning the service says: {typed}. we restarted twice, same thing."
        ranked = signal_ranking(paste, index)
        landed += bool(ranked) and ranked[0].entry.id == entry.id
    assert landed >= 36


def test_a_log_line_matches_a_symptom_the_same_way_on_every_line_it_is_on(generated):
    index, extra = generated
    entry = extra[7]
    symptom = entry.signals.symptoms[1]
    noise = "\n".join(f"2026-11-24T07:12:{i % 60:02d}Z INFO worker {i}: request served, error count 0"
                      for i in range(200))
    paste = f"{noise}\n2026-11-24T07:13:01Z ERROR {symptom}\n{noise}\n2026-11-24T07:14:01Z ERROR {symptom}\n"
    ranked = signal_ranking(paste, index)
    assert ranked and ranked[0].entry.id == entry.id
    assert any(ev.signal == "symptom" and ev.line == 201 for ev in ranked[0].evidence)
