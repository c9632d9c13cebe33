"""Ranking entries against a paste: exact signals first, fuzzy symptoms for the rest.

Each piece of evidence has a weight in (0, 1); an entry's score is their noisy-OR,
1 - prod(1 - w), so independent clues add up without ever passing 1 and one strong clue
(an error code) is enough on its own. Evidence that only says "an HTTP 429" or "a line that
sounds like a crash" is weak; it counts fully only when the paste is about this service.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.index import KnowledgeIndex, Pattern, Symptom
from bot.model import Evidence, Match
from bot.words import STOP_WORDS, content_stems, stem

W_CODE = 0.92
W_CODE_CASELESS = 0.8  # err_1200 typed by hand
W_CODE_SHARED = 0.6  # a code that several entries list
W_PATTERN = 0.85
W_PHRASE = 0.8
W_STATUS = 0.5  # an HTTP status in a paste about this service (or that hints at it: "endpoint")
W_STATUS_BARE = 0.3  # an HTTP status and nothing saying which service answered it
W_CONTEXT = 0.35  # the paste names the service (scoring URI, az ml, azureml ...)
W_SYMPTOM = 0.7  # scaled by coverage
MIN_COVERAGE = 0.6
KEYLESS_COVERAGE = 0.75  # coverage needed when the symptom's rarest word is missing
FOREIGN_FACTOR = 0.45 # another service named and ours not: all but an error code counts half

UNHINTED_FACTOR = 0.7  # only fuzzy clues, and nothing even hints at the service
HOW_TO_YIELD = 0.8  # see _yield_how_tos
NO_MATCH_BELOW_HINT = 0.45  # an error entry this sure makes how-tos step back
STRONG = frozenset({"code", "pattern", "phrase"})
TYPO_TEXT_LIMIT = 2000  # typos come from hand-typed messages, not from logs
MAX_OCCURRENCES = 20  # lines examined per symptom word
SHORT_TEXT = 800  # a paste this short is matched as one piece as well as line by line

_TOKEN_RE = re.compile(r"\w+")
# ASCII text is split by bytes.translate, several times faster than a regex over a 1 MB log.
_ASCII_WORD_BYTES = bytes(c if (chr(c).isalnum() or c == 0x5F) and c < 128 else 0x20 for c in range(256))


def word_set(lower: str) -> set[str]:
    """The distinct \\w+ tokens of the text."""
    if lower.isascii():
        return {token.decode() for token in set(lower.encode().translate(_ASCII_WORD_BYTES).split())}
    return set(_TOKEN_RE.findall(lower))
_NON_WORD_SURFACE = re.compile(r"^[0-9a-f_]+$")


class _Paste:
    """The paste as the matcher sees it, with lazily computed views."""

    def __init__(self, text: str, lower: str):
        self.text = text
        self.lower = lower
        self.lower_tokens = word_set(lower)

    def line_of(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def line_at(self, pos: int) -> tuple[str, int]:
        start = self.lower.rfind("\n", 0, pos) + 1
        end = self.lower.find("\n", pos)
        return self.lower[start: end if end >= 0 else len(self.lower)], start


def rank(index: KnowledgeIndex, text: str, lower: str, statuses: list[tuple[int, int]], *,
         limit: int = 5) -> list[Match]:
    """Entries with any evidence, best first, at most `limit`."""
    paste = _Paste(text, lower)
    evidence: dict[int, dict[tuple[str, str], Evidence]] = defaultdict(dict)

    def add(entry: int, signal: str, what: str, pos: int, weight: float) -> None:
        key = (signal, what)
        if key not in evidence[entry] or evidence[entry][key].weight < weight:
            line = paste.line_of(pos) if pos >= 0 else 0
            evidence[entry][key] = Evidence(signal, what, line, weight)

    _match_codes(index, paste, add)
    _match_phrases(index, paste, add)
    _match_patterns(index, paste, add)
    _match_symptoms(index, paste, add, evidence, {str(code) for code, _ in statuses})

    domain = index.markers.first(lower, paste.lower_tokens)
    hinted = domain or index.weak_markers.first(lower, paste.lower_tokens)
    foreign = index.foreign.first(lower, paste.lower_tokens)
    for status, line in statuses:
        for entry in index.status_entries.get(status, ()):
            strong_here = any(ev.signal in STRONG for ev in evidence[entry].values())
            weight = W_STATUS if (hinted or strong_here) else W_STATUS_BARE
            key = ("status", str(status))
            evidence[entry][key] = Evidence("status", f"HTTP {status}", line, weight)
    if domain:
        context = Evidence("context", domain[0], paste.line_of(domain[1]), W_CONTEXT)
        for found in evidence.values():
            if found:
                found[("context", "")] = context

    matches = []
    for entry_i, found in evidence.items():
        if not found:
            continue
        items = sorted(found.values(), key=lambda ev: -ev.weight)
        miss = 1.0
        for ev in items:
            miss *= 1.0 - ev.weight
        score = 1.0 - miss
        strong = any(ev.signal in STRONG for ev in items)
        if foreign and not domain and not any(ev.signal == "code" for ev in items):
            score *= FOREIGN_FACTOR
        elif not hinted and not strong:
            score *= UNHINTED_FACTOR
        entry = index.entries[entry_i]
        matches.append((score, strong, -entry_i, Match(entry, round(score, 3), tuple(items),
                                                       _order_causes(index, entry_i, lower))))
    _yield_how_tos(matches)
    matches.sort(key=lambda m: (m[0], m[1], m[2]), reverse=True)
    return [m[3] for m in matches[:limit]]


def _yield_how_tos(matches: list) -> None:
    """A paste that shows an error is about that error: how-to entries (reading logs, testing
    locally) that only echo its words step back behind the error entries it matched."""
    shows_error = any(m[3].entry.kind != "how-to" and m[0] >= NO_MATCH_BELOW_HINT
                      and any(ev.signal in STRONG or ev.signal == "status" for ev in m[3].evidence)
                      for m in matches)
    if not shows_error:
        return
    for n, (score, strong, order, match) in enumerate(matches):
        if match.entry.kind == "how-to" and not strong:
            score *= HOW_TO_YIELD
            matches[n] = (score, strong, order, replace(match, score=round(score, 3)))


def _match_codes(index: KnowledgeIndex, paste: _Paste, add) -> None:
    """Codes as whole tokens: exact case scores higher than a hand-typed err_1200."""
    for lowered in paste.lower_tokens & index.codes_lower_forms.keys():
        for code in index.codes_lower_forms[lowered]:
            pos = _find_token(paste.text, code)
            exact = pos >= 0
            if not exact:
                pos = _find_token(paste.lower, lowered)
            entries = index.codes[code]
            # A code several entries list (a wrapper such as ResourceNotReady) says less than one
            # that names a single entry; the rest of the paste has to decide between them.
            weight = W_CODE_SHARED if len(entries) > 1 else W_CODE if exact else W_CODE_CASELESS
            for entry in entries:
                add(entry, "code", code, pos, weight)


def _find_token(text: str, token: str) -> int:
    m = re.search(r"(?<!\w)" + re.escape(token) + r"(?!\w)", text)
    return m.start() if m else -1


def _match_phrases(index: KnowledgeIndex, paste: _Paste, add) -> None:
    lower = paste.lower
    for anchor in paste.lower_tokens & index.phrase_anchors.keys():
        for phrase in index.phrase_anchors[anchor]:
            for m in phrase.regex.finditer(lower):
                # A phrase starting with a letter must start a word: "rate limit", not "pirate limit".
                if m.start() == 0 or not (lower[m.start() - 1].isalnum() and lower[m.start()].isalnum()):
                    add(phrase.entry, "phrase", phrase.text, m.start(), W_PHRASE)
                    break


WINDOWED_ABOVE = 20_000  # pastes longer than this are searched around pattern anchors
LOOKAROUND_MARGIN = 256
MAX_WINDOWS = 64

# Up to this many patterns, checking each one's anchor with a substring search is cheapest;
# beyond it, the paste's words are cut into four-letter pieces once and patterns looked up by piece.
SCAN_PATTERNS_UP_TO = 256


def _candidate_patterns(index: KnowledgeIndex, paste: _Paste):
    if len(index.patterns) <= SCAN_PATTERNS_UP_TO:
        return index.patterns
    pieces = {word[i: i + 4] for word in paste.lower_tokens for i in range(len(word) - 3)}
    chosen = set(index.ungated_patterns)
    for piece in pieces & index.pattern_grams.keys():
        chosen.update(index.pattern_grams[piece])
    return [index.patterns[k] for k in sorted(chosen)]


def _match_patterns(index: KnowledgeIndex, paste: _Paste, add) -> None:
    for pattern in _candidate_patterns(index, paste):
        if pattern.anchor and pattern.anchor not in paste.lower:
            continue
        m = _search_pattern(pattern, paste)
        if m:
            add(pattern.entry, "pattern", m.group(0)[:120], m.start(), W_PATTERN)


def _search_pattern(pattern: Pattern, paste: _Paste) -> re.Match[str] | None:
    """Search a long paste only around the places its anchor occurs.

    Case-insensitive regexes cannot skip ahead the way literal searches do; a match must contain
    the anchor and span at most `reach` characters, so windows around the anchor are enough.
    """
    text, lower = paste.text, paste.lower
    if not pattern.anchor or not pattern.reach or len(text) <= WINDOWED_ABOVE:
        return pattern.regex.search(text)
    margin = pattern.reach + LOOKAROUND_MARGIN
    pos, tries = lower.find(pattern.anchor), 0
    while pos >= 0:
        if tries == MAX_WINDOWS:  # an anchor this common: one search from here on
            return pattern.regex.search(text, max(0, pos - margin))
        m = pattern.regex.search(text, max(0, pos - margin), pos + len(pattern.anchor) + margin)
        if m:
            return m
        pos, tries = lower.find(pattern.anchor, pos + 1), tries + 1
    return None


def _paste_stems(index: KnowledgeIndex, paste: _Paste, statuses: set[str]) -> dict[str, set[str]]:
    """stem -> the paste's surface words with that stem, typo-corrected for short pastes.

    Bare numbers count only when they are the HTTP statuses the paste states: a duration of 429 ms
    must not help a symptom that mentions 429.
    """
    by_stem: dict[str, set[str]] = defaultdict(set)
    short = len(paste.text) <= TYPO_TEXT_LIMIT
    vocab, prefixes = index.stem_to_symptoms, index.stem_prefixes
    for word in paste.lower_tokens:
        if len(word) < 2 or len(word) > 40 or word in STOP_WORDS or (word.isdigit() and word not in statuses):
            continue
        if word in vocab:
            by_stem[word].add(word)
            continue
        # Stems of longer words keep at least four letters: if those match no stem, there is none.
        if not short and len(word) > 4 and word[:4] not in prefixes:
            continue
        st = stem(word)
        if st in vocab:
            by_stem[st].add(word)
        elif short and len(word) >= 5 and word.isalpha():
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
    """The stem of the signal word one edit away (a swap counts as one), if there is exactly one."""
    found = set()
    for length in (len(word) - 1, len(word), len(word) + 1):
        choices = index.typo_vocab.get(f"{word[0]}{length}")
        if choices:
            for surface, _, _ in process.extract(word, choices.keys(), scorer=OSA.distance, score_cutoff=1,
                                                 limit=3):
                found.add(choices[surface])
    return found.pop() if len(found) == 1 else None


def _match_symptoms(index: KnowledgeIndex, paste: _Paste, add, evidence, statuses: set[str]) -> None:
    by_stem = _paste_stems(index, paste, statuses)
    if not by_stem:
        return
    # Upper bound of each symptom's coverage over the whole paste: a cheap candidate step.
    reach: dict[int, float] = defaultdict(float)
    for st in by_stem:
        weight = index.idf[st]
        for k in index.stem_to_symptoms[st]:
            reach[k] += weight
    short = len(paste.text) <= SHORT_TEXT
    whole: set[str] | None = None
    best_per_entry: dict[int, list[tuple[float, Symptom, int]]] = defaultdict(list)
    for k, covered in reach.items():
        symptom = index.symptoms[k]
        # The symptom's most telling word must be there unless nearly all of it is: "Too Many
        # Requests" shares words with "too many pending requests", but not "pending", the point.
        if covered < MIN_COVERAGE * symptom.weight or (
                symptom.key_stem not in by_stem and covered < KEYLESS_COVERAGE * symptom.weight):
            continue
        if symptom.from_phrase and ("phrase", symptom.text) in evidence.get(symptom.entry, {}):
            continue
        if short:
            if whole is None:
                whole = _with_corrections(set(content_stems(paste.lower)), by_stem)
            coverage, pos = _coverage(index, symptom, whole), 0
        else:
            coverage, pos = _best_line_coverage(index, paste, symptom, by_stem)
        if coverage >= (MIN_COVERAGE if symptom.key_stem in by_stem else KEYLESS_COVERAGE) and (
                len(symptom.stems) == 1 or sum(1 for st in symptom.stems if st in by_stem) >= 2):
            best_per_entry[symptom.entry].append((coverage, symptom, pos))
    for entry, found in best_per_entry.items():
        found.sort(key=lambda item: -item[0])
        # The best symptom counts fully, a second one half: five ways of saying "crashed"
        # are one clue, not five.
        for rank_i, (coverage, symptom, pos) in enumerate(found[:2]):
            weight = W_SYMPTOM * coverage * (1.0 if rank_i == 0 else 0.5)
            add(entry, "symptom", symptom.text, pos, round(weight, 3))


def _with_corrections(stems: set[str], by_stem: dict[str, set[str]]) -> set[str]:
    """Add the vocabulary stems that typo-corrected words stand for."""
    return stems | set(by_stem)


def _coverage(index: KnowledgeIndex, symptom: Symptom, stems: set[str]) -> float:
    return sum(index.idf[st] for st in symptom.stems if st in stems) / symptom.weight


def _best_line_coverage(index: KnowledgeIndex, paste: _Paste, symptom: Symptom,
                        by_stem: dict[str, set[str]]) -> tuple[float, int]:
    present = [st for st in symptom.stems if st in by_stem]
    rarest = max(present, key=lambda st: index.idf[st])
    surfaces = sorted(by_stem[rarest], key=len, reverse=True)
    finder = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in surfaces) + r")(?!\w)")
    best, best_pos = 0.0, -1
    for n, m in enumerate(finder.finditer(paste.lower)):
        if n >= MAX_OCCURRENCES:
            break
        line, start = paste.line_at(m.start())
        stems = set(content_stems(line[:2000]))
        stems |= {st for st, words in by_stem.items() if any(w in line for w in words)} & set(symptom.stems)
        coverage = _coverage(index, symptom, stems)
        if coverage > best:
            best, best_pos = coverage, m.start()
            if best >= 1.0:
                break
    return best, best_pos


def _order_causes(index: KnowledgeIndex, entry_i: int, lower: str):
    entry = index.entries[entry_i]
    hints = index.hints.get(entry_i, ())
    scored = [(-sum(1 for h in cause_hints if h in lower), n) for n, cause_hints in enumerate(hints)]
    return tuple(entry.causes[n] for _, n in sorted(scored))
