"""Links into guides in the reader's language.

A guide names one edition as its `source` (the shipped one, the German page its anchors come from).
Microsoft Learn serves every edition under a locale segment and keeps the anchors, so an English
answer links to `/en-us/...` and a German one to `/de-de/...` of the same page; any other site is
linked as the guide gives it.
"""

from __future__ import annotations

import re

_LEARN = re.compile(r"^(https://(?:learn|docs)\.microsoft\.com/)[a-z]{2}-[a-z]{2}(/.*)?$", re.IGNORECASE)
LOCALES = {"en": "en-us", "de": "de-de"}


def guide_link(source: str, lang: str) -> str:
    """`source` with its Microsoft Learn locale set to the reply's language (other URLs unchanged)."""
    m = _LEARN.match(source)
    if not m or lang not in LOCALES:
        return source
    return f"{m.group(1)}{LOCALES[lang]}{m.group(2) or ''}"
