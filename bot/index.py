"""KnowledgeIndex: everything the matcher needs, computed once from the entries.

Built once per knowledge-base version; read-only afterwards, so any number of threads can share it.
The lookups are shaped so that a paste's cost grows with the paste, not with the number of entries:
codes and phrase anchors are found through the paste's own word set, patterns are gated by a literal
that must occur, and symptoms are reached through an inverted index of their words.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

try:  # Python 3.11+: the regex parser moved; both expose parse().
    import re._parser as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]

from bot.model import Entry
from bot.words import STOP_WORDS, WORD_RE, content_stems

_LITERAL = _sre_parse.LITERAL


@dataclass(frozen=True)
class Phrase:
    entry: int  # index into KnowledgeIndex.entries
    text: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Pattern:
    entry: int
    source: str
    regex: re.Pattern[str]
    anchor: str  # lowercase literal the text must contain; "" when the pattern has none


@dataclass(frozen=True)
class Symptom:
    entry: int
    text: str
    stems: tuple[str, ...]
    weight: float  # sum of the stems' idf
    from_phrase: bool  # phrases are also matched fuzzily, to survive typos


@dataclass(frozen=True)
class GuideContext:
    name: str
    markers: tuple[str, ...] = ()
    foreign: tuple[str, ...] = ()


@dataclass
class KnowledgeIndex:
    entries: tuple[Entry, ...]
    by_id: dict[str, int]
    codes: dict[str, list[int]]
    codes_lower: dict[str, list[int]]
    phrase_anchors: dict[str, list[Phrase]]
    patterns: tuple[Pattern, ...]
    symptoms: tuple[Symptom, ...]
    stem_to_symptoms: dict[str, list[int]]
    idf: dict[str, float]
    vocab_by_initial: dict[str, list[str]]  # key: initial + length (capped at 12)
    status_entries: dict[int, list[int]]
    hints: dict[int, tuple[tuple[str, ...], ...]]  # entry -> per cause, lowercase hints
    markers_re: re.Pattern[str] | None
    foreign_re: re.Pattern[str] | None
    guides: dict[str, GuideContext] = field(default_factory=dict)

    def entry(self, entry_id: str) -> Entry | None:
        i = self.by_id.get(entry_id)
        return None if i is None else self.entries[i]


def phrase_regex(phrase: str) -> re.Pattern[str]:
    """Case-folded phrase with any run of white space allowed between its words."""
    lower = phrase.lower().strip()
    body = r"\s+".join(re.escape(part) for part in lower.split())
    prefix = r"(?<!\w)" if re.match(r"\w", lower) else ""
    return re.compile(prefix + body)


def literal_anchor(pattern: str) -> str:
    """The longest literal run that every match of `pattern` contains, lowercased ('' if none)."""
    try:
        parsed = _sre_parse.parse(pattern, re.IGNORECASE)
    except re.error:
        return ""
    best, run = "", []
    for op, arg in parsed:
        if op is _LITERAL:
            run.append(chr(arg))
            continue
        best = max(best, "".join(run), key=len)
        run = []
    best = max(best, "".join(run), key=len).lower().strip()
    return best if len(best) >= 3 else ""


def _anchor_word(words: list[str]) -> str:
    content = [w for w in words if w not in STOP_WORDS] or words
    return max(content, key=len)


def build_index(entries: list[Entry] | tuple[Entry, ...], guides: list[GuideContext] | tuple = ()) -> KnowledgeIndex:
    entries = tuple(entries)
    by_id = {e.id: i for i, e in enumerate(entries)}
    codes: dict[str, list[int]] = defaultdict(list)
    codes_lower: dict[str, list[int]] = defaultdict(list)
    phrase_anchors: dict[str, list[Phrase]] = defaultdict(list)
    patterns: list[Pattern] = []
    raw_symptoms: list[tuple[int, str, list[str], bool]] = []
    status_entries: dict[int, list[int]] = defaultdict(list)
    hints: dict[int, tuple[tuple[str, ...], ...]] = {}

    for i, entry in enumerate(entries):
        s = entry.signals
        for code in s.codes:
            codes[code].append(i)
            codes_lower[code.lower()].append(i)
        for status in s.status:
            status_entries[status].append(i)
        for text in s.phrases:
            words = WORD_RE.findall(text.lower())
            if words:
                phrase_anchors[_anchor_word(words)].append(Phrase(i, text, phrase_regex(text)))
                raw_symptoms.append((i, text, content_stems(text.lower()), True))
        for source in s.patterns:
            patterns.append(Pattern(i, source, re.compile(source, re.IGNORECASE), literal_anchor(source)))
        for text in s.symptoms:
            raw_symptoms.append((i, text, content_stems(text.lower()), False))
        hints[i] = tuple(tuple(h.lower() for h in cause.hints) for cause in entry.causes)

    # idf over symptoms: a word every entry uses ("endpoint") says little about which entry it is.
    df: dict[str, int] = defaultdict(int)
    for _, _, stems, _ in raw_symptoms:
        for st in set(stems):
            df[st] += 1
    n = max(len(raw_symptoms), 1)
    idf = {st: math.log(1 + n / count) for st, count in df.items()}

    symptoms: list[Symptom] = []
    stem_to_symptoms: dict[str, list[int]] = defaultdict(list)
    for entry_i, text, stems, from_phrase in raw_symptoms:
        unique = tuple(dict.fromkeys(stems))
        if not unique:
            continue
        k = len(symptoms)
        symptoms.append(Symptom(entry_i, text, unique, sum(idf[st] for st in unique), from_phrase))
        for st in unique:
            stem_to_symptoms[st].append(k)

    # Typo look-ups compare a word only with vocabulary of the same initial and similar length.
    vocab_by_initial: dict[str, list[str]] = defaultdict(list)
    for st in sorted(stem_to_symptoms):
        if len(st) >= 4 and st.isalpha():
            vocab_by_initial[f"{st[0]}{min(len(st), 12)}"].append(st)

    guide_map = {g.name: g for g in guides}
    markers = sorted({m.lower() for g in guides for m in g.markers}, key=len, reverse=True)
    foreign = sorted({m.lower() for g in guides for m in g.foreign}, key=len, reverse=True)
    return KnowledgeIndex(
        entries=entries,
        by_id=by_id,
        codes=dict(codes),
        codes_lower=dict(codes_lower),
        phrase_anchors=dict(phrase_anchors),
        patterns=tuple(patterns),
        symptoms=tuple(symptoms),
        stem_to_symptoms=dict(stem_to_symptoms),
        idf=idf,
        vocab_by_initial=dict(vocab_by_initial),
        status_entries=dict(status_entries),
        hints=hints,
        markers_re=_alternation(markers),
        foreign_re=_alternation(foreign),
        guides=guide_map,
    )


def _alternation(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words))
