"""Confirmed pastes as evidence: a paste near-identical to one a maintainer confirmed for an entry.

The simplest honest use of accepted feedback until a learned scorer trains on `index.confirmed`:
the same error pasted again (other timestamps, another endpoint name) lands on the entry people
confirmed for it. Only near-identical text counts (rapidfuzz ratio on the case-folded, white-space
folded start of both texts), so an accepted example cannot pull in pastes that merely share words.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.engine.model import ConfirmedExample

STORED_CHARS = 4000  # what an example keeps of a paste (after folding white space)
COMPARED_CHARS = 1500  # what is compared: the start of both texts, so the cost stays bounded
SIMILAR_AT = 90.0  # rapidfuzz ratio (0-100) from which a paste "resembles" a confirmed one
# ratio = 2 * matches / (len_a + len_b): at 90 the shorter text is at least 0.9 / 1.1 of the longer.
_MIN_LENGTH_RATIO = SIMILAR_AT / (200.0 - SIMILAR_AT)
W_CONFIRMED = 0.97  # strong: people confirmed this very text for the entry
EVIDENCE_TEXT = "resembles a confirmed paste"
_REDACTED = "[REDACTED]"



@dataclass(frozen=True)
class Prepared:
    """The confirmed examples in comparable form, shortest first: texts, their entries and lengths."""

    texts: tuple[str, ...] = ()
    entries: tuple[int, ...] = ()  # index into KnowledgeIndex.entries, per text
    lengths: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.texts)


def fold(text: str) -> str:
    """The text as an example stores it: white space folded to single spaces, cut to STORED_CHARS."""
    return " ".join(text[: STORED_CHARS * 4].split())[:STORED_CHARS]


def example_key(text: str) -> str:
    """What makes two reports the same paste: the sha256 of the folded, case-folded text."""
    return hashlib.sha256(fold(text).casefold().encode("utf-8")).hexdigest()


def has_content(text: str) -> bool:
    """False when redaction left nothing to learn from (only white space and [REDACTED])."""
    return bool(fold(text).replace(_REDACTED, "").strip(" .,;:'\"`-_=/()[]{}"))


def comparable(text: str) -> str:
    return fold(text[: COMPARED_CHARS * 4]).casefold()[:COMPARED_CHARS]


def prepare(confirmed: Sequence[ConfirmedExample], by_id: Mapping[str, int]) -> Prepared:
    """The examples of known entries in comparable form, each text once per entry, shortest first."""
    seen: set[tuple[str, int]] = set()
    for example in confirmed:
        entry_i = by_id.get(example.entry_id)
        if entry_i is None or not has_content(example.text):
            continue
        seen.add((comparable(example.text), entry_i))
    ordered = sorted(seen, key=lambda item: (len(item[0]), item[1], item[0]))
    return Prepared(tuple(t for t, _ in ordered), tuple(e for _, e in ordered), tuple(len(t) for t, _ in ordered))


def match_confirmed(prepared: Prepared, text: str, add: Callable[[int, str, str, int, float], None]) -> None:
    """Add "confirmed" evidence for every entry with a confirmed paste near-identical to `text`."""
    if not prepared:
        return
    probe = comparable(text)
    if not probe:
        return
    # Only examples whose length allows the ratio are compared, in rapidfuzz's own loop.
    start = bisect_left(prepared.lengths, len(probe) * _MIN_LENGTH_RATIO)
    stop = bisect_right(prepared.lengths, len(probe) / _MIN_LENGTH_RATIO)
    if start >= stop:
        return
    found = process.extract(probe, prepared.texts[start:stop], scorer=fuzz.ratio, score_cutoff=SIMILAR_AT,
                            limit=None)
    for entry_i in sorted({prepared.entries[start + k] for _, _, k in found}):
        add(entry_i, "confirmed", EVIDENCE_TEXT, -1, W_CONFIRMED)
