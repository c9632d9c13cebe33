"""diagnose(text) -> Diagnosis: the one function every surface calls.

Pure: no Slack, no database, no environment. The index is built elsewhere and passed in.
"""

from __future__ import annotations

import time

from bot.engine.extract import extract_codes, extract_entities, extract_statuses
from bot.engine.index import KnowledgeIndex
from bot.engine.matching import rank
from bot.engine.model import Diagnosis, Extraction, Match
from bot.engine.paste import Paste
from bot.engine.redact import redact
from bot.engine.regex import work_budget
from bot.engine.text import decode_paste, detect_language, prepare

MATCH_AT = 0.6  # the top entry is a confident answer from here ...
MARGIN = 0.1  # ... when it leads the runner-up by this much
NO_MATCH_BELOW = 0.45  # below this nothing applies
CANDIDATE_AT = 0.35  # runner-ups shown beside an answer need at least this


def diagnose(text: str | bytes, index: KnowledgeIndex, *, lang: str | None = None, top: int = 5) -> Diagnosis:
    """Diagnose a paste. `lang` forces the reply language; by default the paste's own is used."""
    started = time.perf_counter()
    prepared = prepare(decode_paste(text))
    lower = prepared.text.lower()
    clean = redact(prepared.text, lower)
    if clean is not prepared.text:
        lower = clean.lower()
    paste = Paste(clean, lower)
    statuses = extract_statuses(clean, lower)
    extraction = Extraction(
        text=clean,
        codes=tuple(extract_codes(clean)),
        status=tuple(statuses),
        entities=extract_entities(clean, lower, paste.lower_tokens),
        language=lang if lang in ("en", "de") else detect_language(lower),
        notes=prepared.notes,
    )
    with work_budget():  # all pattern searches of this paste together: bounded work
        matches = rank(index, paste, statuses, limit=max(top, 2)) if clean.strip() else []
    decision, kept = decide(matches)
    return Diagnosis(decision, tuple(kept[:top]), extraction, (time.perf_counter() - started) * 1000)


def decide(matches: list[Match]) -> tuple[str, list[Match]]:
    """match / close_call / no_match, and the matches worth showing for it."""
    if not matches or matches[0].score < NO_MATCH_BELOW:
        return "no_match", []
    kept = [matches[0]] + [m for m in matches[1:] if m.score >= CANDIDATE_AT]
    first = matches[0].score
    second = kept[1].score if len(kept) > 1 else 0.0
    if first >= MATCH_AT and first - second >= MARGIN:
        return "match", kept
    return "close_call", kept
