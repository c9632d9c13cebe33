"""How a reported paste is kept as a candidate example: folded, keyed, and judged worth learning from.

Accepted examples reach the index as `ConfirmedExample`s; the learned scorer (`bot.engine.scorer`)
trains on them and the fusion (`bot.engine.fusion`) lets a paste near-identical to one land on its
entry. These helpers decide what is stored and when two reports are the same paste.
"""

from __future__ import annotations

import hashlib

STORED_CHARS = 4000  # what an example keeps of a paste (after folding white space)
_REDACTED = "[REDACTED]"


def fold(text: str) -> str:
    """The text as an example stores it: white space folded to single spaces, cut to STORED_CHARS."""
    return " ".join(text[: STORED_CHARS * 4].split())[:STORED_CHARS]


def example_key(text: str) -> str:
    """What makes two reports the same paste: the sha256 of the folded, case-folded text."""
    return hashlib.sha256(fold(text).casefold().encode("utf-8")).hexdigest()


def has_content(text: str) -> bool:
    """False when redaction left nothing to learn from (only white space and [REDACTED])."""
    return bool(fold(text).replace(_REDACTED, "").strip(" .,;:'\"`-_=/()[]{}"))
