"""Fuzzy symptoms: how people describe a problem, matched by how much of a symptom a line covers.

Coverage is the idf-weighted share of a symptom's word stems found on one line of the paste (or in
the whole paste, when it is short), with typos (one edit, via rapidfuzz) and German compounds
("Benutzercontainer" -> "container") counted for the words they stand for.

The cost follows the paste, not the knowledge base: candidates come only through each symptom's
gate stems (its rarest words, see index._gate_stems), never through the long posting lists of
words every entry uses, and a typo is looked up by its deletions, not compared with the vocabulary.
"""

from __future__ import annotations

import re
from collections import defaultdict

from rapidfuzz.distance import OSA

from bot.engine.index import KnowledgeIndex, Symptom, deletion_variants
from bot.engine.paste import Paste
from bot.engine.words import STOP_WORDS, content_stems, stem

W_SYMPTOM = 0.7  # scaled by coverage
MIN_COVERAGE = 0.6
KEYLESS_COVERAGE = 0.75  # coverage needed when the symptom's rarest word is missing
TYPO_TEXT_LIMIT = 2000  # typos come from hand-typed messages, not from logs
TYPO_MIN_LETTERS = 5  # shorter words are too often another word; index.typo_deletions relies on this
MAX_OCCURRENCES = 20  # lines examined per symptom
SHORT_TEXT = 800  # a paste this short is matched as one piece as well as line by line
LINE_STEMS_UP_TO = 2000  # characters of a line whose words are compared with a symptom

def _content_stems(lower_text: str) -> set[str]:
    return set(content_stems(lower_text))


def _paste_stems(index: KnowledgeIndex, paste: Paste, statuses: set[str]) -> dict[str, set[str]]:
    """stem -> the paste's surface words with that stem, typo-corrected for short pastes.

    Bare numbers count only when they are the HTTP statuses the paste states: a duration of 429 ms
    must not help a symptom that mentions 429.
    """
    by_stem: dict[str, set[str]] = defaultdict(set)
    short = len(paste.text) <= TYPO_TEXT_LIMIT
    vocab, prefixes = index.stem_to_symptoms, index.stem_prefixes
    words = paste.lower_tokens
    if not short:
        # Stems of longer words keep at least four letters: a word whose first four letters begin
        # no stem has none. One pass in a comprehension, as a log has thousands of distinct words.
        words = {w for w in words if len(w) <= 4 or w[:4] in prefixes}
    for word in words:
        if len(word) < 2 or len(word) > 40 or word in STOP_WORDS or (word.isdigit() and word not in statuses):
            continue
        if word in vocab:
            by_stem[word].add(word)
            continue
        st = stem(word)
        if st in vocab:
            by_stem[st].add(word)
        elif short and len(word) >= TYPO_MIN_LETTERS and word.isalpha():
            fixed = _correct_typo(index, word) or _compound_tail(vocab, word)
            if fixed:
                by_stem[fixed].add(word)
    return by_stem


def _compound_tail(vocab, word: str) -> str | None:
    """The stem of the longest known word a German compound ends with: Benutzercontainer -> container."""
    for start in range(1, len(word) - 4):
        st = stem(word[start:])
        if st in vocab and len(st) >= 5:
            return st
    return None


def _correct_typo(index: KnowledgeIndex, word: str) -> str | None:
    """The stem of the signal word one edit away (a swap counts as one) with the same first letter,
    if exactly one stem is that close. `word` has TYPO_MIN_LETTERS letters or more.

    Two words one edit apart share a one-letter deletion (or one is the other's), so the look-up
    costs a few dictionary probes per letter of the word, whatever the size of the vocabulary.
    """
    seen: set[str] = set()
    found: set[str] = set()
    deletions = index.typo_deletions
    for variant in deletion_variants(word):
        for candidate in deletions.get(variant, ()):
            if candidate in seen:
                continue
            seen.add(candidate)
            if candidate[0] == word[0] and OSA.distance(word, candidate, score_cutoff=1) <= 1:
                found.add(index.typo_words[candidate])
                if len(found) > 1:
                    return None
    return found.pop() if found else None


def match_symptoms(index: KnowledgeIndex, paste: Paste, add, evidence, statuses: set[str]) -> None:
    """Add symptom evidence: for each symptom, the best coverage a line (or a short paste) gives it."""
    by_stem = _paste_stems(index, paste, statuses)
    if not by_stem:
        return
    # Candidates: the symptoms whose gate stems the paste holds. A symptom holding none of its
    # gates cannot reach MIN_COVERAGE, so nothing that could match is left out, and a stem every
    # entry uses ("request", "error") opens no long list.
    gates = index.symptom_gates
    candidates: set[int] = set()
    for st in by_stem:
        opened = gates.get(st)
        if opened:
            candidates.update(opened)
    idf = index.idf
    short = len(paste.text) <= SHORT_TEXT
    whole: set[str] | None = None
    line_stems: dict[int, set[str]] = {}
    best_per_entry: dict[int, list[tuple[float, Symptom, int]]] = defaultdict(list)
    for k in sorted(candidates):
        symptom = index.symptoms[k]
        # The symptom's coverage by the whole paste: an upper bound of any line's.
        covered = sum(idf[st] for st in symptom.stems if st in by_stem)
        # The symptom's most telling word (and its question word) must be there unless nearly all of
        # it is: "Too Many Requests" shares words with "too many pending requests", but not "pending",
        # the point.
        has_keys = all(st in by_stem for st in symptom.key_stems)
        if covered < MIN_COVERAGE * symptom.weight or (
                not has_keys and covered < KEYLESS_COVERAGE * symptom.weight):
            continue
        if symptom.from_phrase and ("phrase", symptom.text) in evidence.get(symptom.entry, {}):
            continue
        if short:
            if whole is None:  # the paste's own stems, plus those its typos and compounds stand for
                whole = _content_stems(paste.lower) | set(by_stem)
            coverage, pos = _coverage(index, symptom, whole), 0
        else:
            coverage, pos = _best_line_coverage(index, paste, symptom, by_stem, line_stems)
        if coverage >= (MIN_COVERAGE if has_keys else KEYLESS_COVERAGE) and (
                len(symptom.stems) == 1 or sum(1 for st in symptom.stems if st in by_stem) >= 2):
            best_per_entry[symptom.entry].append((coverage, symptom, pos))
    for entry, found in best_per_entry.items():
        found.sort(key=lambda item: -item[0])
        # The best symptom counts fully, a second one half: five ways of saying "crashed"
        # are one clue, not five.
        for rank_i, (coverage, symptom, pos) in enumerate(found[:2]):
            weight = W_SYMPTOM * coverage * (1.0 if rank_i == 0 else 0.5)
            add(entry, "symptom", symptom.text, pos, round(weight, 3))


def _coverage(index: KnowledgeIndex, symptom: Symptom, stems: set[str]) -> float:
    return sum(index.idf[st] for st in symptom.stems if st in stems) / symptom.weight


def _best_line_coverage(index: KnowledgeIndex, paste: Paste, symptom: Symptom,
                        by_stem: dict[str, set[str]], line_stems: dict[int, set[str]]) -> tuple[float, int]:
    """The best coverage of the symptom by one line holding its rarest word present in the paste.

    `line_stems` keeps each line's stems (by the offset where the line starts) for the next symptom.
    """
    present = [st for st in symptom.stems if st in by_stem]
    rarest = max(present, key=lambda st: index.idf[st])
    surfaces = sorted(by_stem[rarest], key=len, reverse=True)
    # No look-behind: a regex starting with a literal is scanned quickly; word starts are checked here.
    finder = re.compile("|".join(re.escape(s) for s in surfaces))
    lower = paste.lower
    best, best_pos, examined = 0.0, -1, 0
    for m in finder.finditer(lower):
        if m.start() and (lower[m.start() - 1].isalnum() or lower[m.start() - 1] == "_"):
            continue
        examined += 1
        if examined > MAX_OCCURRENCES:
            break
        start = paste.lower.rfind("\n", 0, m.start()) + 1
        line = paste.line_at(m.start())
        own = line_stems.get(start)
        if own is None:
            own = line_stems[start] = _content_stems(line[:LINE_STEMS_UP_TO])
        # Typo-corrected and compound words stand for their vocabulary stems on this line too.
        stems = own | {st for st in present if st not in own and any(word in line for word in by_stem[st])}
        coverage = _coverage(index, symptom, stems)
        if coverage > best:
            best, best_pos = coverage, m.start()
            if best >= 1.0:
                break
    return best, best_pos
