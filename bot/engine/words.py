"""Word-level normalisation shared by the index and the matcher: tokens, stop words, stems."""

from __future__ import annotations

import re
from functools import lru_cache

WORD_RE = re.compile(r"[a-zäöüß0-9_]+")

# Question words ("how", "wie", "where") are kept on purpose: they are what tells a how-to question
# ("how do I get the logs of my deployment?") from a log that merely mentions logs and deployments.
STOP_WORDS = frozenset(
    # English
    "a an the and or but if then than of to too in on at by for from with without into onto over under "
    "is are was were be been being am do does did doing have has had having it its it's this that these "
    "those there here i me my we our you your he she they them their what which who whom why when "
    "can could should would will shall may might must not no nor so such very just also only "
    "get gets got getting some any all each every more most other again still yet as about after before "
    "please hi hello thanks thank help anyone someone idea ideas many much less few lot lots out up "
    "off down via per "
    # German
    "der die das den dem des ein eine einer eines einem einen und oder aber wenn dann als von zu zum zur "
    "im in am an auf aus bei beim mit ohne für fuer über ueber unter ist sind war waren wird werden wurde "
    "wurden sein hat habe haben hatte kann können koennen könnte muss soll sollte nicht kein keine keinen "
    "ich mir mich mein meine meinen meinem wir uns unser unsere du dein ihr sie es er man was warum "
    "wann wer welche welcher dass daß so sehr nur auch noch schon immer mal bitte hallo danke jemand "
    "hilfe ja nein doch da hier dort ab viele viel".split()
)

# They count towards a symptom's coverage but are never its key word: "how do I get the logs of my
# deployment" is about logs, and "how do I raise max_concurrent_requests on my deployment" is not.
QUESTION_WORDS = frozenset("how where wie wo woher wohin wieso weshalb".split())

_SUFFIXES = ("ungen", "ings", "ing", "ung", "ed", "es", "en", "er", "s", "e")


# Logs repeat their words: a cache makes stemming a dictionary look-up (bounded, so a flood of
# distinct tokens cannot grow it without end).
@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude suffix-stripping stem, enough to let `crashed`/`crashes`/`crash` and `logs`/`log` meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if len(word) == 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:3]  # logs, pods, jobs
    return word


def content_stems(lower_text: str) -> list[str]:
    """Stems of the words that carry meaning, in order (stop words and 1-letter words dropped)."""
    return [stem(w) for w in WORD_RE.findall(lower_text) if len(w) > 1 and w not in STOP_WORDS]
