"""What a person asks for: help, the list of entries, a direct look-up, or a diagnosis (in which language)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LANG = re.compile(r"(?i)(de|en)(?:\s+|:\s*|$)")
# One token that can name an entry, an error code or a status: ERR_1200, OutOfQuota, 429, deploy-locally.
_LOOKUP = re.compile(r"\d{3}|[A-Za-z][A-Za-z0-9_.:-]{1,80}")
_HELP = {"help": "en", "hilfe": "de", "?": None, "-h": None, "--help": None}
_LIST = {"list": "en", "liste": "de", "ls": None}
_REVIEW = {"feedback": "en", "review": "en", "rückmeldungen": "de"}
_GUIDE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,80}")  # a guide's name, lower-cased


@dataclass(frozen=True)
class Intent:
    kind: str  # help | list | review | lookup | diagnose
    lang: str | None  # None: the paste's own language (English for help and list)
    text: str  # the paste to diagnose, the token to look up, the word that asked for help, or the guide to list

    @property
    def reply_lang(self) -> str:
        return self.lang or "en"


def parse(text: str) -> Intent:
    """`help`, `list`, `de <paste>`, `en <paste>`, a bare code or status, or anything else: a paste."""
    rest = text.strip()
    lang = None
    m = _LANG.match(rest)
    if m:
        lang, rest = m.group(1).lower(), rest[m.end():].strip()
    word = rest.lower()
    if not rest or word in _HELP:
        return Intent("help", lang or _HELP.get(word), rest)
    if word in _LIST:
        return Intent("list", lang or _LIST[word], "")
    if word in _REVIEW:  # the candidate examples feedback proposed, for maintainers
        return Intent("review", lang or _REVIEW[word], "")
    first, _, guide = word.partition(" ")
    if first in _LIST and _GUIDE.fullmatch(guide.strip()):  # `list aks-inference`: one guide's entries
        return Intent("list", lang or _LIST[first], rest.partition(" ")[2].strip())
    token = rest.strip("`'\"*_ ")
    if _LOOKUP.fullmatch(token):
        return Intent("lookup", lang, token)
    return Intent("diagnose", lang, rest)
