"""Marker words: what tells a paste is about this service, only hints at it, or is about another.

Looked up through the paste's word set rather than with a regex pass over the paste, so a 1 MB log
costs a few set operations, not one scan per marker.
"""

from __future__ import annotations

import re
from collections import defaultdict

_WORD = re.compile(r"\w+")


class MarkerSet:
    """A set of marker words and phrases (lower-cased), found in a paste in text order."""

    def __init__(self, markers: list[str] | tuple[str, ...]):
        self.words: set[str] = set()
        # A marker with punctuation ("api.openai.com") is looked for only when its words stand in
        # the paste as whole words (an inner one must; an outer one nearly always does), so a 1 MB
        # log is scanned for it only when it can be there.
        self.phrases: dict[str, list[tuple[str, frozenset[str], frozenset[str]]]] = defaultdict(list)
        for marker in sorted({m.lower().strip() for m in markers if m.strip()}):
            parts = _WORD.findall(marker)
            if len(parts) == 1 and parts[0] == marker:
                self.words.update(inflected(marker))
            elif parts:
                # The last word may be inflected ("online endpoints", "Online-Bereitstellungen"), but
                # must be a whole word ("container app" is not "container application").
                ends_in_word = marker[-1].isalnum()
                whole = frozenset(parts[:-1] if ends_in_word else parts)
                last = frozenset(inflected(parts[-1]) if ends_in_word else ())
                gate = inner_word(marker) or max(parts[:-1] if ends_in_word and len(parts) > 1 else parts, key=len)
                self.phrases[gate].append((marker, whole, last))

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    def first(self, lower: str, tokens: set[str]) -> tuple[str, int] | None:
        """The marker that occurs first in the paste and its position, or None."""
        found = list(self.words & tokens)
        for gate in self.phrases.keys() & tokens:
            found.extend(m for m, whole, last in self.phrases[gate]
                         if whole <= tokens and (not last or not last.isdisjoint(tokens)) and m in lower)
        if not found:
            return None
        positions = [(lower.find(m), m) for m in found]
        pos, marker = min(positions)
        return marker, pos


# Plural and case endings a marker word may carry in a paste: endpoints, Endpunkte, Bereitstellungen.
_ENDINGS = ("s", "e", "es", "en", "n")


def inflected(word: str) -> set[str]:
    """A marker word and its inflected forms."""
    return {word} | {word + ending for ending in _ENDINGS}


def inner_word(literal: str) -> str:
    """The longest word of `literal` with punctuation of the literal itself on both sides, or "".

    Such a word is a whole word of any text that contains the literal, so a text's word set can rule
    the literal out without scanning the text ("api.openai.com" needs the word "openai").
    """
    inner = [m.group(0) for m in _WORD.finditer(literal) if 0 < m.start() and m.end() < len(literal)]
    return max(inner, key=len, default="")
