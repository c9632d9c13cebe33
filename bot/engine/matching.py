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

from bot.engine.index import KnowledgeIndex, Pattern
from bot.engine.model import Evidence, Match
from bot.engine.paste import Paste
from bot.engine.regex import literals_in
from bot.engine.symptoms import match_symptoms

W_CODE = 0.92
W_CODE_CASELESS = 0.8  # err_1200 typed by hand
W_CODE_SHARED = 0.6  # a code that several entries list
W_PATTERN = 0.85
W_PHRASE = 0.8
W_STATUS = 0.5  # an HTTP status in a paste about this service (or that hints at it: "endpoint")
W_STATUS_BARE = 0.3  # an HTTP status and nothing saying which service answered it
W_CONTEXT = 0.35  # the paste names the service (scoring URI, az ml, azureml ...)
FOREIGN_FACTOR = 0.45  # another service named and ours not: all but an error code counts for less
UNHINTED_FACTOR = 0.7  # only fuzzy clues, and nothing even hints at the service
OTHER_STATUS_FACTOR = 0.6  # see _other_status
HOW_TO_YIELD = 0.8  # see _yield_how_tos
NO_MATCH_BELOW_HINT = 0.45  # an error entry this sure makes how-tos step back
HINT_WHOLE_UP_TO = 65_536
HINT_RADIUS = 4096
STRONG = frozenset({"code", "pattern", "phrase"})
# Codes that are HTTP reason phrases or wrappers any Azure service prints: they name no service, so
# they do not stand against another service named in the paste as an entry's own code does.
GENERIC_CODES = frozenset({"InternalServerError", "NotFound", "BadRequest", "Unauthorized", "Forbidden", "Conflict",
                           "ServiceUnavailable", "TooManyRequests", "UserError", "BadArgument", "ResourceNotFound",
                           "InternalError", "ServiceError"})

def rank(index: KnowledgeIndex, paste: Paste, statuses: list[tuple[int, int]], *, limit: int = 5,
         stated: list[tuple[int, int]] | None = None) -> list[Match]:
    """Entries with any evidence, best first, at most `limit`.

    `statuses` are the ones the paste is about; `stated` (by default the same) every status it
    states, so that "returns 200 even for bad input; how do I return 400?" still counts its 200 in
    a symptom about 200s."""
    lower = paste.lower
    evidence: dict[int, dict[tuple[str, str], Evidence]] = defaultdict(dict)

    where: dict[int, list[int]] = defaultdict(list)  # entry -> offsets of its evidence

    def add(entry: int, signal: str, what: str, pos: int, weight: float) -> None:
        key = (signal, what)
        if key not in evidence[entry] or evidence[entry][key].weight < weight:
            line = paste.line_of(pos) if pos >= 0 else 0
            evidence[entry][key] = Evidence(signal, what, line, weight)
            if pos >= 0:
                where[entry].append(pos)

    _match_codes(index, paste, add)
    _match_phrases(index, paste, add)
    _match_patterns(index, paste, add)
    match_symptoms(index, paste, add, evidence, {str(code) for code, _ in (stated or statuses)})

    # Each guide's entries are judged by that guide's words: "kubectl" says a paste is about the
    # AKS guide's service, and so against the entries of a guide about another one.
    contexts: dict[int, _Context] = {}

    def context(entry_i: int) -> _Context:
        k = index.context_of(entry_i)
        if k not in contexts:
            contexts[k] = guide_context(index, paste, k)
        return contexts[k]

    for status, line in statuses:
        for entry in _status_candidates(index, status, evidence, limit):
            strong_here = any(ev.signal in STRONG for ev in evidence[entry].values())
            weight = W_STATUS if (context(entry).hinted or strong_here) else W_STATUS_BARE
            key = ("status", str(status))
            evidence[entry][key] = Evidence("status", f"HTTP {status}", line, weight)
    for entry_i, found in evidence.items():
        if found and context(entry_i).domain_evidence is not None:
            found[("context", "")] = context(entry_i).domain_evidence

    stated = {status for status, _ in statuses if status >= 400}
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
        where_from = context(entry_i)
        if where_from.foreign and not where_from.domain and not any(
                ev.signal == "code" and ev.text not in GENERIC_CODES for ev in items):
            score *= FOREIGN_FACTOR
        elif not where_from.hinted and not strong:
            score *= UNHINTED_FACTOR
        if _other_status(index.entries[entry_i], stated, items):
            score *= OTHER_STATUS_FACTOR
        entry = index.entries[entry_i]
        matches.append((score, strong, -entry_i, Match(entry, round(score, 3), tuple(items), entry.causes)))
    _yield_how_tos(matches)
    matches.sort(key=lambda m: (m[0], m[1], m[2]), reverse=True)
    # Causes are put in order only for the matches shown: each hint is a search of the paste.
    return [replace(m[3], causes=_order_causes(index, -m[2], _hint_region(lower, where[-m[2]])))
            for m in matches[:limit]]


def _other_status(entry, stated: set[int], items: list[Evidence]) -> bool:
    """The paste states error statuses and none is this entry's: a setting or message it shares with
    the entry (request_timeout_ms in a paste of 429s) is weaker evidence for an entry that would
    have answered with another status. An entry's own code outweighs the status."""
    return (bool(stated) and bool(entry.signals.status) and not stated & set(entry.signals.status)
            and not any(ev.signal == "code" for ev in items))


def _status_candidates(index: KnowledgeIndex, status: int, evidence: dict, limit: int) -> list[int]:
    """The entries a stated status adds to: every one of its entries the paste already points at,
    and of those it alone points at, the first `limit` errors and how-tos of each guide.

    Entries of one guide that have nothing but the status tie (see StatusGroup), and ties go to the
    earlier entry, so no later one could be among the `limit` shown: on a generated base of 50,000
    entries, thousands list a 500, and scoring each of them was most of a paste's cost.
    """
    members = index.status_members.get(status)
    if not members:
        return []
    chosen = [entry for entry, found in evidence.items() if found and entry in members]
    for group in index.status_groups[status]:
        for entries in (group.errors, group.how_tos):
            taken = 0
            for entry in entries:
                if taken == limit:
                    break
                if not evidence.get(entry):
                    chosen.append(entry)
                    taken += 1
    return chosen


class _Context:
    """What one guide's marker words say about a paste: named (domain), hinted at, or another service named."""

    __slots__ = ("domain", "hinted", "foreign", "domain_evidence")

    def __init__(self, domain, hinted, foreign, domain_evidence) -> None:
        self.domain, self.hinted, self.foreign, self.domain_evidence = domain, hinted, foreign, domain_evidence

    @classmethod
    def of(cls, index: KnowledgeIndex, k: int, paste: Paste) -> _Context:
        if not index.contexts:  # an index built without guides: no word says anything
            return cls(None, None, None, None)
        guide, lower, tokens = index.contexts[k], paste.lower, paste.lower_tokens
        domain = guide.markers.first(lower, tokens)
        hinted = domain or guide.weak_markers.first(lower, tokens)
        evidence = Evidence("context", domain[0], paste.line_of(domain[1]), W_CONTEXT) if domain else None
        return cls(domain, hinted, guide.foreign.first(lower, tokens), evidence)


def guide_context(index: KnowledgeIndex, paste: Paste, slot: int) -> _Context:
    """What the marker words of the guide at `slot` say about the paste (found once per paste)."""
    found = paste.contexts.get(slot)
    if found is None:
        found = paste.contexts[slot] = _Context.of(index, slot, paste)
    return found  # type: ignore[return-value]


def _hint_region(lower: str, positions: list[int]) -> str:
    """Where to look for cause hints: the whole paste, or in a long one the text around the evidence
    (the words that tell causes apart stand near the error, and each hint is a search)."""
    if len(lower) <= HINT_WHOLE_UP_TO or not positions:
        return lower
    return "\n".join(lower[max(0, p - HINT_RADIUS): p + HINT_RADIUS] for p in sorted(set(positions)))


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


def _match_codes(index: KnowledgeIndex, paste: Paste, add) -> None:
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


def _match_phrases(index: KnowledgeIndex, paste: Paste, add) -> None:
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


def _candidate_patterns(index: KnowledgeIndex, paste: Paste):
    if len(index.patterns) <= SCAN_PATTERNS_UP_TO:
        return index.patterns
    pieces = {word[i: i + 4] for word in paste.lower_tokens for i in range(len(word) - 3)}
    chosen = set(index.ungated_patterns)
    for piece in pieces & index.pattern_grams.keys():
        chosen.update(index.pattern_grams[piece])
    return [index.patterns[k] for k in sorted(chosen)]


def _match_patterns(index: KnowledgeIndex, paste: Paste, add) -> None:
    patterns = [p for p in _candidate_patterns(index, paste)
                if not p.word or p.word in paste.lower_tokens]  # the word set rules out, without a scan
    present = literals_in(tuple(sorted({p.anchor for p in patterns if p.anchor})), paste.lower)
    for pattern in patterns:
        if pattern.anchor and pattern.anchor not in present:
            continue
        m = _search_pattern(pattern, paste)
        if m:
            add(pattern.entry, "pattern", _shown(paste.text, m.start(), m.end()), m.start(), W_PATTERN)


SHOWN_CHARS = 120  # of a pattern's match, as evidence
WORD_TAIL = 40  # how far a match cut inside a word is extended to that word's end


def _shown(text: str, start: int, end: int) -> str:
    """The matched text as evidence, never ending inside a word: a pattern that needed only the first
    letter after a code ("OutOfQuota) N") is shown up to that word's end ("OutOfQuota) Not")."""
    limit = min(len(text), end + WORD_TAIL)
    while end < limit and end > start and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return text[start:end].rstrip()[:SHOWN_CHARS]


def _search_pattern(pattern: Pattern, paste: Paste) -> re.Match[str] | None:
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


def _order_causes(index: KnowledgeIndex, entry_i: int, lower: str):
    entry = index.entries[entry_i]
    hints = index.hints.get(entry_i, ())
    scored = [(-sum(1 for h in cause_hints if h in lower), n) for n, cause_hints in enumerate(hints)]
    return tuple(entry.causes[n] for _, n in sorted(scored))
