"""KnowledgeIndex: everything the matcher needs, computed once from the entries.

Built once per knowledge-base version; read-only afterwards, so any number of threads can share it.
The lookups are shaped so that a paste's cost grows with the paste, not with the number of entries:
codes and phrase anchors are found through the paste's own word set, patterns are gated by a literal
that must occur, and symptoms are reached through an inverted index of their words.
"""

from __future__ import annotations

import gc
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache

try:  # Python 3.11+: the regex parser moved; both expose parse().
    import re._parser as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]

from bot.engine.markers import MarkerSet, inner_word
from bot.engine.model import ConfirmedExample, Entry, Guide
from bot.engine.regex import NEVER, LinearRegex, PatternError, compile_linear
from bot.engine.scorer import TextModel, fit_text_model
from bot.engine.words import QUESTION_WORDS, STOP_WORDS, WORD_RE, content_stems, stem

_LITERAL = _sre_parse.LITERAL
MAX_REACH = 4096  # patterns that can match more than this are searched whole
# The share of a symptom's weight a paste must cover for it to count (symptoms.MIN_COVERAGE); the
# gates are cut so that a symptom missing all of them stays below it. Kept here, not imported, as
# symptoms imports this module; test_symptom_gates checks the two agree.
GATE_COVERAGE = 0.6


# Regexes are compiled on first use: a 10,000-entry base has tens of thousands of phrases, and a
# paste only ever reaches the few whose anchor word it contains.
@dataclass(frozen=True)
class Phrase:
    entry: int  # index into KnowledgeIndex.entries
    text: str

    @property
    def regex(self) -> re.Pattern[str]:
        return phrase_regex(self.text)


@dataclass(frozen=True)
class Pattern:
    entry: int
    source: str
    anchor: str  # lowercase literal the text must contain; "" when the pattern has none
    reach: int  # longest possible match, for searching near the anchor; 0 when unbounded
    word: str  # a word of the anchor every matching paste has as a whole word; "" when none
    gram: str  # a rare four-letter piece of the anchor, for the word-set gate; "" when none

    @property
    def regex(self) -> LinearRegex:
        return _compile_pattern(self.source)


@dataclass(frozen=True)
class Symptom:
    entry: int
    text: str
    stems: tuple[str, ...]
    weight: float  # sum of the stems' idf
    # The words a match must contain (or else cover nearly all of the symptom): the content stem with
    # the highest idf, and the symptom's question words ("how do I get the logs" needs "logs" and "how").
    key_stems: tuple[str, ...]
    from_phrase: bool  # phrases are also matched fuzzily, to survive typos


@dataclass(frozen=True)
class GuideContext:
    """The marker words one guide's entries are judged by: whether a paste is about their service."""

    name: str  # the guide's name; "" for entries of a guide the index does not know
    markers: MarkerSet
    weak_markers: MarkerSet
    # The guide's own foreign words, and the other guides' markers: a paste naming `kubectl` is
    # about the AKS guide's service, not this one, even when this guide does not list the word.
    foreign: MarkerSet


@dataclass
class KnowledgeIndex:
    entries: tuple[Entry, ...]
    by_id: dict[str, int]
    codes: dict[str, list[int]]
    codes_lower_forms: dict[str, tuple[str, ...]]  # lowercased code -> the codes as written
    phrase_anchors: dict[str, list[Phrase]]
    patterns: tuple[Pattern, ...]
    pattern_grams: dict[str, tuple[int, ...]]  # four-letter piece -> patterns it gates
    ungated_patterns: tuple[int, ...]  # patterns without such a piece: tried on every paste
    symptoms: tuple[Symptom, ...]
    stem_to_symptoms: dict[str, list[int]]
    # stem -> the symptoms it can open: those whose other stems cannot reach the coverage a match
    # needs without it. Common stems open few symptoms, so candidates come from the rare ones.
    symptom_gates: dict[str, tuple[int, ...]]
    stem_prefixes: frozenset[str]  # first four letters of every stem
    idf: dict[str, float]
    typo_words: dict[str, str]  # signal word -> its stem, for typo look-ups
    # a signal word and each of its one-letter deletions -> the signal words they come from: a word
    # one edit away shares one of these keys, whatever the size of the vocabulary (read-only lists)
    typo_deletions: dict[str, list[str]]
    status_entries: dict[int, list[int]]
    # status -> its entries per guide (see StatusGroup), and the set of all of them: a paste that
    # states a status is scored against a bounded number of the entries it alone points at.
    status_groups: dict[int, tuple[StatusGroup, ...]]
    status_members: dict[int, frozenset[int]]
    hints: dict[int, tuple[tuple[str, ...], ...]]  # entry -> per cause, lowercase hints
    markers: MarkerSet  # every guide's, together
    weak_markers: MarkerSet
    foreign: MarkerSet
    guides: dict[str, Guide] = field(default_factory=dict)
    contexts: tuple[GuideContext, ...] = ()  # one per guide, then one for entries of unknown guides
    entry_context: tuple[int, ...] = ()  # entry -> index into contexts
    # Accepted feedback: pastes confirmed for an entry, learned from like the entries' own examples.
    confirmed: tuple[ConfirmedExample, ...] = ()
    # The learned text model, fit from the entries' texts, examples and the confirmed pastes.
    text_model: TextModel | None = None

    def context_of(self, entry_i: int) -> int:
        return self.entry_context[entry_i] if self.entry_context else 0

    def entry(self, entry_id: str) -> Entry | None:
        i = self.by_id.get(entry_id)
        return None if i is None else self.entries[i]


def _compile_pattern(source: str) -> LinearRegex:
    """Knowledge-base patterns run on RE2 (linear time), case-insensitively.

    `kb check` and the importer refuse what RE2 cannot run; a database written before that rule
    may still hold such a pattern, and it then never matches rather than failing every paste.
    """
    try:
        return compile_linear(source)
    except PatternError:
        return NEVER


@cache
def phrase_regex(phrase: str) -> re.Pattern[str]:
    """Case-folded phrase with any run of white space allowed between its words.

    It starts with a literal, so the regex engine scans for it quickly; that it starts a word is
    checked by the caller (a look-behind here would cost a full-speed scan of a 1 MB paste).
    """
    lower = phrase.lower().strip()
    return re.compile(r"\s+".join(re.escape(part) for part in lower.split()))


@lru_cache(maxsize=1024)
def _parse(pattern: str):
    """The parsed pattern, once for both questions below (None when it does not parse)."""
    try:
        return _sre_parse.parse(pattern, re.IGNORECASE)
    except re.error:
        return None


def max_width(pattern: str) -> int:
    """The most characters a match can span (look-arounds aside), or 0 when that is unbounded."""
    parsed = _parse(pattern)
    if parsed is None:
        return 0
    width = parsed.getwidth()[1]
    return width if width <= MAX_REACH else 0


def literal_anchor(pattern: str) -> str:
    """The longest literal run that every match of `pattern` contains, lowercased ('' if none)."""
    parsed = _parse(pattern)
    if parsed is None:
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


def _anchor_word(words: list[str], frequency: Counter) -> str:
    """The phrase word fewest phrases share (longest on a tie): the cheapest one to gate on."""
    content = [w for w in words if w not in STOP_WORDS] or words
    return min(content, key=lambda w: (frequency[w], -len(w)))


def _grams(word: str) -> list[str]:
    return [word[i: i + 4] for i in range(len(word) - 3)]


def build_index(entries: list[Entry] | tuple[Entry, ...], guides: list[Guide] | tuple[Guide, ...] = (),
                *, confirmed: list[ConfirmedExample] | tuple[ConfirmedExample, ...] = ()) -> KnowledgeIndex:
    # A large base creates hundreds of thousands of small objects and no reference cycles: the
    # cycle collector's passes over them were a third of the build, for nothing to collect.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_index(entries, guides, confirmed)
    finally:
        if was_enabled:
            gc.enable()


def _build_index(entries, guides, confirmed) -> KnowledgeIndex:
    entries = tuple(entries)
    phrase_words = {text: WORD_RE.findall(text.lower()) for e in entries for text in e.signals.phrases}
    word_frequency = Counter(w for words in phrase_words.values() for w in set(words))
    by_id = {e.id: i for i, e in enumerate(entries)}
    codes: dict[str, list[int]] = defaultdict(list)
    phrase_anchors: dict[str, list[Phrase]] = defaultdict(list)
    patterns: list[Pattern] = []
    raw_symptoms: list[tuple[int, str, list[str], bool]] = []
    status_entries: dict[int, list[int]] = defaultdict(list)
    hints: dict[int, tuple[tuple[str, ...], ...]] = {}

    for i, entry in enumerate(entries):
        s = entry.signals
        for code in s.codes:
            codes[code].append(i)
        for status in s.status:
            status_entries[status].append(i)
        for text in s.phrases:
            words = phrase_words[text]
            if words:
                phrase_anchors[_anchor_word(words, word_frequency)].append(Phrase(i, text))
                raw_symptoms.append((i, text, content_stems(text.lower()), True))
        for source in s.patterns:
            anchor = literal_anchor(source)
            patterns.append(Pattern(i, source, anchor, max_width(source), inner_word(anchor), ""))
        for text in s.symptoms:
            raw_symptoms.append((i, text, content_stems(text.lower()), False))
        hints[i] = tuple(tuple(h.lower() for h in cause.hints) for cause in entry.causes)

    # idf over entries: a word many entries use ("endpoint") says little about which entry it is,
    # while the word one entry repeats in all its symptoms ("quota") is what defines it.
    entry_stems: dict[int, set[str]] = defaultdict(set)
    for entry_i, _, stems, _ in raw_symptoms:
        entry_stems[entry_i].update(stems)
    df: Counter = Counter(st for stems in entry_stems.values() for st in stems)
    n = max(len(entry_stems), 1)
    idf = {st: math.log(1 + n / count) for st, count in df.items()}

    symptoms: list[Symptom] = []
    stem_to_symptoms: dict[str, list[int]] = defaultdict(list)
    symptom_gates: dict[str, list[int]] = defaultdict(list)
    for entry_i, text, stems, from_phrase in raw_symptoms:
        unique = tuple(dict.fromkeys(stems))
        if not unique:
            continue
        k = len(symptoms)
        key = max(unique, key=lambda st: (st not in QUESTION_WORDS, idf[st], len(st)))
        keys = (key, *(st for st in unique if st in QUESTION_WORDS and st != key))
        weight = sum(idf[st] for st in unique)
        symptoms.append(Symptom(entry_i, text, unique, weight, keys, from_phrase))
        for st in unique:
            stem_to_symptoms[st].append(k)
        for st in _gate_stems(unique, idf, weight):
            symptom_gates[st].append(k)

    # Typo look-ups: every signal word, and its one-letter deletions pointing back at it.
    typo_words: dict[str, str] = {}
    for _, text, _, _ in raw_symptoms:
        for word in WORD_RE.findall(text.lower()):
            if len(word) >= 4 and word.isalpha() and word not in STOP_WORDS and word not in typo_words:
                st = stem(word)
                if st in stem_to_symptoms:
                    typo_words[word] = st
    typo_deletions: dict[str, list[str]] = defaultdict(list)
    for word in typo_words:
        typo_deletions[word].append(word)
        if len(word) > 4:  # typos have 5 letters or more (symptoms.TYPO_MIN_LETTERS), so a 4-letter
            # word's deletions never meet one
            previous = ""
            for i in range(len(word)):
                variant = word[:i] + word[i + 1:]
                if variant != previous:  # deleting either letter of "tt" gives the same variant
                    typo_deletions[variant].append(word)
                previous = variant

    patterns, pattern_grams, ungated = _gate_patterns(patterns)
    guide_map = {g.name: g for g in guides}
    contexts = _guide_contexts(list(guide_map.values()))
    slot = {c.name: n for n, c in enumerate(contexts)}

    def words(kind: str) -> list[str]:
        return [m for g in guides for m in getattr(g, kind)]

    kept = tuple(c for c in confirmed if c.entry_id in by_id)
    entry_context = tuple(slot.get(e.guide, len(contexts) - 1) for e in entries)
    return KnowledgeIndex(
        entries=entries,
        by_id=by_id,
        codes=dict(codes),
        codes_lower_forms=_lower_forms(codes),
        phrase_anchors=dict(phrase_anchors),
        patterns=tuple(patterns),
        pattern_grams=pattern_grams,
        ungated_patterns=ungated,
        symptoms=tuple(symptoms),
        stem_to_symptoms=dict(stem_to_symptoms),
        symptom_gates={st: tuple(ks) for st, ks in symptom_gates.items()},
        stem_prefixes=frozenset(st[:4] for st in stem_to_symptoms),
        idf=idf,
        typo_words=typo_words,
        typo_deletions=dict(typo_deletions),
        status_entries=dict(status_entries),
        status_groups=_status_groups(status_entries, entries, entry_context),
        status_members={status: frozenset(members) for status, members in status_entries.items()},
        hints=hints,
        markers=MarkerSet(words("markers")),
        weak_markers=MarkerSet(words("weak_markers")),
        foreign=MarkerSet(words("foreign")),
        guides=guide_map,
        contexts=contexts,
        entry_context=entry_context,
        confirmed=kept,
        text_model=fit_text_model(entries, kept, by_id),
    )


def _gate_stems(stems: tuple[str, ...], idf: dict[str, float], weight: float) -> tuple[str, ...]:
    """The symptom's rarest stems, as many as it takes for the rest to fall short of the coverage
    a match needs: a paste holding none of them cannot match the symptom, so only these index it."""
    key = max(stems, key=idf.__getitem__)
    if weight - idf[key] < GATE_COVERAGE * weight - 1e-9:
        return (key,)  # the usual case: the rarest stem alone carries over 40% of the weight
    ordered = sorted(stems, key=lambda st: -idf[st])
    rest = weight
    for n, st in enumerate(ordered):
        rest -= idf[st]
        # A hair of slack keeps float rounding from ever dropping a symptom that could match.
        if rest < GATE_COVERAGE * weight - 1e-9:
            return tuple(ordered[: n + 1])
    return tuple(ordered)


def deletion_variants(word: str) -> set[str]:
    """The word and every string one deleted letter away from it."""
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


@dataclass(frozen=True)
class StatusGroup:
    """The entries of one guide (`slot` in contexts) that list one HTTP status, in index order.

    For a paste that shows the status and nothing else of them, all errors of the group score alike
    (the guide's words weigh them all the same), and so do all its how-tos (which step back behind
    errors): ties are broken by index order, so the first few of each are all a ranking can show.
    """

    slot: int
    errors: tuple[int, ...]
    how_tos: tuple[int, ...]


def _status_groups(status_entries: dict[int, list[int]], entries: tuple[Entry, ...],
                   entry_context: tuple[int, ...]) -> dict[int, tuple[StatusGroup, ...]]:
    out = {}
    for status, members in status_entries.items():
        by_slot: dict[int, tuple[list[int], list[int]]] = {}
        for i in members:  # members are in index order
            errors, how_tos = by_slot.setdefault(entry_context[i], ([], []))
            (how_tos if entries[i].kind == "how-to" else errors).append(i)
        out[status] = tuple(StatusGroup(k, tuple(e), tuple(h)) for k, (e, h) in sorted(by_slot.items()))
    return out


def _guide_contexts(guides: list[Guide]) -> tuple[GuideContext, ...]:
    """One context per guide, and last one for entries whose guide is unknown: every guide's words together."""
    contexts = []
    for guide in guides:
        own = {m.lower().strip() for m in (*guide.markers, *guide.weak_markers)}
        others = [m for g in guides if g is not guide for m in g.markers if m.lower().strip() not in own]
        contexts.append(GuideContext(guide.name, MarkerSet(guide.markers), MarkerSet(guide.weak_markers),
                                     MarkerSet([*guide.foreign, *others])))
    every = [m for g in guides for m in g.markers]
    contexts.append(GuideContext("", MarkerSet(every), MarkerSet([m for g in guides for m in g.weak_markers]),
                                 MarkerSet([m for g in guides for m in g.foreign])))
    return tuple(contexts)


def _gate_patterns(patterns: list[Pattern]):
    """Give each pattern the rarest four-letter piece of its anchor's longest word."""
    words = [max(WORD_RE.findall(p.anchor), key=len, default="") for p in patterns]
    frequency = Counter(g for word in words for g in set(_grams(word)))
    gated: list[Pattern] = []
    grams: dict[str, list[int]] = defaultdict(list)
    ungated: list[int] = []
    for k, (pattern, word) in enumerate(zip(patterns, words, strict=True)):
        pieces = _grams(word)
        gram = min(pieces, key=lambda g: frequency[g]) if pieces else ""
        gated.append(replace(pattern, gram=gram))
        if gram:
            grams[gram].append(k)
        else:
            ungated.append(k)
    return gated, {g: tuple(ks) for g, ks in grams.items()}, tuple(ungated)


def _lower_forms(codes: dict[str, list[int]]) -> dict[str, tuple[str, ...]]:
    forms: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        forms[code.lower()].append(code)
    return {lowered: tuple(found) for lowered, found in forms.items()}
