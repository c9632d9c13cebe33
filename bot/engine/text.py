"""Turning whatever was pasted into bounded, matchable text: decoding, size cap, language."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Pastes above this many characters keep their head and tail; the middle is dropped.
# Error lines sit at the top (the command that failed) or the bottom (the last log lines).
MAX_CHARS = 1_048_576
KEEP_HEAD = 393_216
KEEP_TAIL = 655_360

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_GERMAN_WORDS = frozenset(
    "der die das und ist nicht mit ein eine einen wird werden kann keine mein meine wir ich "
    "bei beim auf für fuer zurück zurueck gibt fehler nach wie warum immer noch schon oder aber "
    "dass wenn habe hat sind unser unsere diese dieser dem den des zu zum zur vom von auch nur "
    "bitte hilfe endpunkt bereitstellung antwort anfrage anforderung abgelehnt fehlgeschlagen".split()
)
_ENGLISH_WORDS = frozenset(
    "the and is not with a an will be can no my we i at on for back gives error after how why "
    "always still already or but that if have has are our this these to from also only please "
    "help endpoint deployment response request failed returns getting when what does".split()
)
_WORD = re.compile(r"[a-zäöüß]+")


@dataclass(frozen=True)
class PreparedText:
    text: str
    notes: tuple[str, ...]


def decode_paste(data: bytes | str) -> str:
    """Bytes from any surface become text; undecodable bytes become U+FFFD instead of an error."""
    if isinstance(data, str):
        return data
    # UTF-16 (Windows tools write it) has a byte-order mark and, for mostly-ASCII text, a NUL in
    # every other byte; a BOM-like start alone is just as likely to be binary noise.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and data.count(b"\x00") >= len(data) // 4:
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def prepare(raw: str) -> PreparedText:
    """Normalise line ends, blank out control bytes and cap the size, saying what was dropped."""
    notes: list[str] = []
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if _has_control(text):
        text = _CONTROL.sub(" ", text)
        notes.append("control characters were replaced by spaces")
    if len(text) > MAX_CHARS:
        head_end = text.rfind("\n", 0, KEEP_HEAD)
        head_end = head_end if head_end > 0 else KEEP_HEAD
        tail_start = text.find("\n", len(text) - KEEP_TAIL)
        tail_start = tail_start if tail_start >= 0 else len(text) - KEEP_TAIL
        dropped = tail_start - head_end
        text = f"{text[:head_end]}\n[... {dropped:,} characters dropped ...]\n{text[tail_start:]}"
        notes.append(f"the paste was {len(raw):,} characters; the middle {dropped:,} were dropped "
                     f"and the first and last parts diagnosed")
    return PreparedText(text, tuple(notes))


# Bytes that are not control characters (tab and newline are text); what is left after deleting
# them from ASCII text are control characters. bytes.translate runs at memory speed on a 1 MB paste.
_TEXT_BYTES = bytes([9, 10]) + bytes(range(32, 127))


def _has_control(text: str) -> bool:
    if text.isascii():
        return bool(text.encode().translate(None, _TEXT_BYTES))
    return _CONTROL.search(text) is not None


def detect_language(lower_text: str) -> str:
    """'de' when German function words outnumber English ones in the first few KB, else 'en'."""
    words = _WORD.findall(lower_text[:4000])
    german = sum(1 for w in words if w in _GERMAN_WORDS) + 2 * sum(1 for w in words if w[-1:] in "äöüß"
                                                                    or "ä" in w or "ö" in w or "ü" in w)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    return "de" if german > english else "en"
