"""The paste as the matcher sees it: its text, lowercased text and word set, and line look-ups."""

from __future__ import annotations

import re

_TOKEN_RE = re.compile(r"\w+")
# ASCII text is split by bytes.translate, several times faster than a regex over a 1 MB log.
_ASCII_WORD_BYTES = bytes(c if (chr(c).isalnum() or c == 0x5F) and c < 128 else 0x20 for c in range(256))


# A long text is split a piece at a time: sets built from pieces of this size, then joined, cost
# less than half of one set built from a 1 MB log's 200,000 words (the pieces stay in the CPU cache).
_SPLIT_PIECE = 16_384


def word_set(lower: str) -> set[str]:
    """The distinct \\w+ tokens of the text."""
    if not lower.isascii():
        return set(_TOKEN_RE.findall(lower))
    spaced = lower.encode().translate(_ASCII_WORD_BYTES)
    words: set[bytes] = set()
    start, size = 0, len(spaced)
    while start < size:
        end = spaced.find(b" ", start + _SPLIT_PIECE)  # a piece ends between words
        end = size if end < 0 else end
        words.update(spaced[start:end].split())
        start = end
    return {word.decode() for word in words}


class Paste:
    """A redacted paste, its lowercased form (same offsets) and its distinct words."""

    def __init__(self, text: str, lower: str):
        self.text = text
        self.lower = lower
        self.lower_tokens = word_set(lower)
        # What each guide's marker words say about this paste, by the guide's slot in the index:
        # found once, read by the signals and by the fusion.
        self.contexts: dict[int, object] = {}

    def line_of(self, pos: int) -> int:
        """1-based line number of a character offset."""
        return self.text.count("\n", 0, pos) + 1

    def line_at(self, pos: int) -> str:
        """The lowercased line a character offset stands on."""
        start = self.lower.rfind("\n", 0, pos) + 1
        end = self.lower.find("\n", pos)
        return self.lower[start: end if end >= 0 else len(self.lower)]
