"""diagnose(text) -> Diagnosis: the one function every surface calls.

Pure: no Slack, no database, no environment. The index is built elsewhere and passed in.
"""

from __future__ import annotations

import time

from bot.engine.edges import bare_status_call, status_decides
from bot.engine.extract import extract_codes, extract_entities, focus_statuses, stated_statuses
from bot.engine.fusion import fuse
from bot.engine.index import KnowledgeIndex
from bot.engine.matching import rank
from bot.engine.model import Diagnosis, Extraction, Match
from bot.engine.paste import Paste
from bot.engine.redact import redact
from bot.engine.regex import work_budget
from bot.engine.text import decode_paste, detect_language, prepare

# Thresholds on the calibrated probability, chosen by `python -m tests.calibrate` so that at most
# 2 of the 33 look-alikes of the real pastes are answered (see the README).
MATCH_AT = 0.6  # the top entry is a confident answer from here ...
MARGIN = 0.15  # ... when it leads the runner-up by this much
NO_MATCH_BELOW = 0.5  # below this nothing applies
CANDIDATE_AT = 0.1  # runner-ups shown beside an answer need at least this (probabilities are split among them)
SIGNAL_CANDIDATES = 8  # signal-ranked entries handed to the fusion


def diagnose(text: str | bytes, index: KnowledgeIndex, *, lang: str | None = None, top: int = 5) -> Diagnosis:
    """Diagnose a paste. `lang` forces the reply language; by default the paste's own is used."""
    started = time.perf_counter()
    prepared = prepare(decode_paste(text))
    lower = prepared.text.lower()
    clean = redact(prepared.text, lower)
    if clean is not prepared.text:
        lower = clean.lower()
    paste = Paste(clean, lower)
    stated = stated_statuses(clean, lower, paste.lower_tokens)
    statuses = focus_statuses(stated)
    extraction = Extraction(
        text=clean,
        codes=tuple(extract_codes(clean)),
        status=tuple(statuses),
        entities=extract_entities(clean, lower, paste.lower_tokens),
        language=lang if lang in ("en", "de") else detect_language(lower),
        notes=prepared.notes,
    )
    matches: list[Match] = []
    if clean.strip():
        with work_budget():  # all pattern searches of this paste together: bounded work
            ranked = rank(index, paste, statuses, limit=SIGNAL_CANDIDATES, stated=stated)
        matches = fuse(index, paste, ranked)
    decision, kept = decide(matches)
    if kept and not kept[0].evidence:
        # Nothing in the paste can be pointed at (no signal, no line the model went by): marker
        # words alone, such as a path of this service repeated, are no diagnosis.
        decision, kept = "no_match", []
    decides = status_decides(statuses, kept) if decision == "close_call" else None
    if decision == "no_match" and statuses:
        call = bare_status_call(index, paste, statuses, ranked_by_probability=matches)
        if call:
            decision, kept, decides = "close_call", list(call.matches), call.decides
    return Diagnosis(decision, tuple(kept[:top]), extraction, (time.perf_counter() - started) * 1000, decides)


def decide(matches: list[Match], *, match_at: float = MATCH_AT, margin: float = MARGIN,
           no_match_below: float = NO_MATCH_BELOW) -> tuple[str, list[Match]]:
    """match / close_call / no_match, and the matches worth showing for it.

    The matches' probabilities sum to the chance that the paste is about any of them ("none of
    these" is the rest): two entries that share a status split it between them, and neither alone
    looks sure although the paste is plainly about one of them.
    """
    if not matches or sum(m.score for m in matches) < no_match_below:
        return "no_match", []
    kept = [matches[0]] + [m for m in matches[1:] if m.score >= CANDIDATE_AT]
    first = matches[0].score
    second = kept[1].score if len(kept) > 1 else 0.0
    if first >= match_at and first - second >= margin and not _status_tie(kept):
        return "match", kept
    return "close_call", kept


def _status_tie(kept: list[Match]) -> bool:
    """The top two share a status and nothing but the status (and the model's lean) speaks for the
    first: the words of the paste do not tell them apart, so it is not a confident answer."""
    if len(kept) < 2 or not hasattr(kept[0], "evidence"):
        return False
    first, second = kept[0], kept[1]
    kinds = {ev.signal for ev in first.evidence}
    shared = set(first.entry.signals.status) & set(second.entry.signals.status)
    return bool(shared) and kinds <= {"status", "context", "model"}
