"""One calibrated probability per entry, from the signals' evidence and the text model together.

The signals explain themselves (a code, a message, a status) but know only what the knowledge base
spells out; the text model generalises from examples and confirmed pastes but cannot tell a
Kubernetes probe from ours. A logistic regression over a few features of each candidate weighs them:
the signal score and how far it leads, the model's similarity and how far it leads, whether the
evidence is strong, and whether the paste names this service or another one. Its coefficients are
fit on labelled pastes (`python -m tests.calibrate`, on the project corpus and the tune split of the
real pastes); the thresholds of `diagnose.decide` are chosen there for a false-accept budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from bot.engine.index import KnowledgeIndex
from bot.engine.model import Evidence, Match
from bot.engine.paste import Paste
from bot.engine.scorer import EntryScore, model_text

STRONG = frozenset({"code", "pattern", "phrase"})
FEATURES = ("bias", "signal", "signal_lead", "signal_sure", "model", "model_lead", "sibling_lead",
            "sibling_model_lead", "strong", "status_only", "domain", "foreign", "foreign_too", "hinted", "how_to")
SIGNAL_SURE_AT = 0.45  # where the signals alone used to answer

# Fit by `python -m tests.calibrate` (see its docstring); rounded, ordered as FEATURES.
COEFFICIENTS = (-4.79, 0.32, 1.99, 1.66, 0.97, 2.48, 1.78, 3.36, 0.21, 0.15, 1.02, -3.22, -2.93, -0.16, 0.52)
MODEL_CANDIDATES = 3  # entries the model alone may bring in
MODEL_EVIDENCE_AT = 0.25  # a model similarity worth showing as evidence
MODEL_LINES = 2  # the lines shown for a model-driven answer


@dataclass(frozen=True)
class PasteContext:
    domain: bool  # a marker of this service (scoring URI, az ml, azureml ...)
    foreign: bool  # a marker of another service, and none of ours
    hinted: bool  # only a weak marker ("endpoint")
    # A marker of another service beside one of ours: a batch endpoint run with `az ml`, a
    # Kubernetes cluster attached to a workspace. Weaker than `foreign`, but not nothing.
    foreign_too: bool = False


def paste_context(index: KnowledgeIndex, paste: Paste) -> PasteContext:
    lower, tokens = paste.lower, paste.lower_tokens
    domain = index.markers.first(lower, tokens) is not None
    hinted = domain or index.weak_markers.first(lower, tokens) is not None
    other = index.foreign.first(lower, tokens) is not None
    return PasteContext(domain, other and not domain, hinted, other and domain)


def features(match: Match | None, sim: float, *, best_other_signal: float, best_other_sim: float,
             best_sibling_signal: float, best_sibling_sim: float, where: PasteContext,
             how_to: bool) -> tuple[float, ...]:
    signal = match.score if match else 0.0
    signals = {ev.signal for ev in match.evidence} if match else set()
    sure = 1.0 if signal >= SIGNAL_SURE_AT and signal >= best_other_signal else 0.0
    return (1.0, signal, signal - best_other_signal, sure, sim, sim - best_other_sim,
            signal - best_sibling_signal, sim - best_sibling_sim,
            1.0 if signals & STRONG else 0.0,
            1.0 if signals and signals <= {"status", "context"} else 0.0,
            1.0 if where.domain else 0.0, 1.0 if where.foreign else 0.0, 1.0 if where.foreign_too else 0.0,
            1.0 if where.hinted and not where.domain else 0.0, 1.0 if how_to else 0.0)


def probability(x: tuple[float, ...], coefficients: tuple[float, ...] = COEFFICIENTS) -> float:
    z = sum(w * v for w, v in zip(coefficients, x, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def candidates(index: KnowledgeIndex, paste: Paste, ranked: list[Match],
               modelled: list[EntryScore]) -> list[tuple[int, Match | None, float, tuple[float, ...]]]:
    """(entry, its signal match or None, model similarity, features) for every candidate."""
    where = paste_context(index, paste)
    by_entry = {index.by_id[m.entry.id]: m for m in ranked}
    sims = {s.entry: s.similarity for s in modelled}
    chosen = list(by_entry) + [s.entry for s in modelled[:MODEL_CANDIDATES] if s.entry not in by_entry]
    found = []
    for entry_i in chosen:
        match = by_entry.get(entry_i)
        # An entry's lead is over the entries it competes with: two entries of one status (the two
        # 429s) that the paste cannot tell apart are a close call between them, not both unlikely.
        signal = {"rival": 0.0, "sibling": 0.0}
        sim = {"rival": 0.0, "sibling": 0.0}
        for i in set(by_entry) | set(sims):
            if i != entry_i:
                kind = "sibling" if _siblings(index, i, entry_i) else "rival"
                signal[kind] = max(signal[kind], by_entry[i].score if i in by_entry else 0.0)
                sim[kind] = max(sim[kind], sims.get(i, 0.0))
        x = features(match, sims.get(entry_i, 0.0), best_other_signal=signal["rival"], best_other_sim=sim["rival"],
                     best_sibling_signal=signal["sibling"], best_sibling_sim=sim["sibling"],
                     where=where, how_to=index.entries[entry_i].kind == "how-to")
        found.append((entry_i, match, sims.get(entry_i, 0.0), x))
    return found


def _siblings(index: KnowledgeIndex, a: int, b: int) -> bool:
    """Entries for one HTTP status, told apart only by the words of the paste."""
    first, second = index.entries[a].signals.status, index.entries[b].signals.status
    return bool(first and second and set(first) & set(second))


def fuse(index: KnowledgeIndex, paste: Paste, ranked: list[Match], *, limit: int) -> list[Match]:
    """The candidates as matches scored by their calibrated probability, best first; the model's
    reasons (the lines that weighed most, a confirmed paste it resembles) added to the top one."""
    model = index.text_model
    read = model_text(paste.text, paste.lower) if model else ""
    modelled = model.score(read) if model else []
    docs = {s.entry: s.doc for s in modelled}
    scored = []
    for entry_i, match, sim, x in candidates(index, paste, ranked, modelled):
        p = round(probability(x), 3)
        entry = index.entries[entry_i]
        base = match or Match(entry, 0.0, (), entry.causes)
        scored.append((p, match is not None, -entry_i, replace(base, score=p), sim))
    scored.sort(key=lambda s: (s[0], s[1], s[2]), reverse=True)
    out = [s[3] for s in scored[:limit]]
    if out and model:
        top_i, sim = -scored[0][2], scored[0][4]
        if sim >= MODEL_EVIDENCE_AT and top_i in docs:
            out[0] = replace(out[0], evidence=out[0].evidence + _model_evidence(index, paste, read, docs[top_i], sim))
    return out


def _model_evidence(index: KnowledgeIndex, paste: Paste, read: str, doc: int, sim: float) -> tuple[Evidence, ...]:
    model = index.text_model
    lines = read.split("\n")
    found = []
    for _share, number in model.line_weights(read, doc)[:MODEL_LINES]:
        text = lines[number - 1].strip()
        if text:
            # What the model read of a long paste is pieced together: find the line in the paste.
            pos = paste.text.find(text)
            found.append(Evidence("model", text[:160], paste.line_of(pos) if pos >= 0 else 0, round(sim, 3)))
    source = model.docs[doc]
    if source.kind == "confirmed":
        found.append(Evidence("confirmed", source.text.strip().replace("\n", " ")[:160], 0, round(sim, 3)))
    return tuple(found)
