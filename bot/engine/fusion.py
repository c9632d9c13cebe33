"""One calibrated probability per entry and one for "none of these", from the signals and the text model.

The signals explain themselves (a code, a message, a status) but know only what the knowledge base
spells out; the text model generalises from examples and confirmed pastes but cannot tell a
Kubernetes probe from ours. Two logistic regressions weigh them:

- whether the paste is about any entry at all (ANY): from the paste as a whole, the best signal
  score and model similarity, whether the evidence is strong, and whether the paste names this
  service, only hints at it, or names another one;
- which candidate it is (WHICH): from each candidate's signal score and model similarity and how far
  each leads its rivals, normalised over the candidates.

An entry's probability is P(any) x P(this one | any); "none of these" is 1 - P(any). Splitting it so
keeps two entries that share a status (the two 429s) from looking unlikely just because the paste
cannot tell them apart. The coefficients are fit on labelled pastes (`python -m tests.calibrate`:
the project corpus and the tune splits of real pastes); `diagnose.decide`'s thresholds are chosen
there for a false-accept budget.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from bot.engine.index import KnowledgeIndex
from bot.engine.matching import GENERIC_CODES
from bot.engine.matching import guide_context as marker_context
from bot.engine.model import Evidence, Match
from bot.engine.paste import Paste
from bot.engine.scorer import EntryScore, Query, model_text

STRONG = frozenset({"code", "pattern", "phrase"})
ANY_FEATURES = ("bias", "signal", "signal_sure", "model", "strong", "code", "status", "status_only",
                "symptom_only", "domain", "foreign", "foreign_too", "hinted", "how_to")
WHICH_FEATURES = ("bias", "signal", "signal_lead", "model", "model_lead", "sibling_lead", "sibling_model_lead",
                  "strong", "status_only", "model_only", "how_to")
SIGNAL_SURE_AT = 0.45  # where the signals alone used to answer

# Fit by `python -m tests.calibrate` (see its docstring); rounded, ordered as the features.
ANY_COEFFICIENTS = (-4.24, 2.05, 2.26, 4.47, 0.85, -0.55, -0.39, 1.29, -1.07, 2.39, -3.00, -1.60, 0.58, 1.30)
WHICH_COEFFICIENTS = (-3.18, -0.38, 4.64, 0.39, 3.84, 2.73, 3.97, 0.16, 0.00, 0.87, 0.36)
MODEL_CANDIDATES = 3  # entries the model alone may bring in
MODEL_EVIDENCE_AT = 0.25  # a model similarity worth showing as evidence
CONFIRMED_AT = 0.8  # a paste this similar to a confirmed one lands on the confirmed entry
MODEL_LINES = 2  # the lines shown for a model-driven answer
MODEL_LINE_WORDS = 3  # ... each with at least this many words
PATH_LINE_WORDS = 5  # ... or, in a line without spaces (a path), this many distinct words
_LINE_WORD = re.compile(r"[^\W\d_]{2,}")  # words of letters, in prose or in a path


@dataclass(frozen=True)
class PasteContext:
    domain: bool  # a marker of this service (scoring URI, az ml, azureml ...)
    foreign: bool  # a marker of another service, and none of ours
    hinted: bool  # only a weak marker ("endpoint")
    # A marker of another service beside one of ours: a batch endpoint run with `az ml`, a
    # Kubernetes cluster attached to a workspace. Weaker than `foreign`, but not nothing.
    foreign_too: bool = False
    # The guide lists no marker words (a team's imported guide): the paste cannot name its service,
    # so their absence says nothing against its entries.
    unmarked: bool = False


def guide_context(index: KnowledgeIndex, paste: Paste, slot: int) -> PasteContext:
    """What one guide's marker words say about the paste (`slot`: the guide's place in index.contexts)."""
    found = marker_context(index, paste, slot)
    guide = index.contexts[slot] if index.contexts else None
    return PasteContext(domain=bool(found.domain), foreign=bool(found.foreign) and not found.domain,
                        hinted=bool(found.hinted), foreign_too=bool(found.foreign) and bool(found.domain),
                        unmarked=guide is None or not (guide.markers or guide.weak_markers))


def which_features(match: Match | None, sim: float, *, best_other_signal: float, best_other_sim: float,
                   best_sibling_signal: float, best_sibling_sim: float, how_to: bool) -> tuple[float, ...]:
    signal = match.score if match else 0.0
    signals = {ev.signal for ev in match.evidence} if match else set()
    return (1.0, signal, signal - best_other_signal, sim, sim - best_other_sim,
            signal - best_sibling_signal, sim - best_sibling_sim,
            1.0 if signals & STRONG else 0.0,
            1.0 if signals and signals <= {"status", "context"} else 0.0,
            0.0 if signals else 1.0,
            1.0 if how_to else 0.0)


def any_features(index: KnowledgeIndex, where: PasteContext, ranked: list[Match],
                 modelled: list[EntryScore]) -> tuple[float, ...]:
    signal = max((m.score for m in ranked), default=0.0)
    sim = max((s.similarity for s in modelled), default=0.0)
    kinds = {ev.signal for m in ranked for ev in m.evidence}
    top = ranked[0] if ranked else None
    top_kinds = {ev.signal for ev in top.evidence} if top else set()
    if any(_own_code(ev) for m in ranked for ev in m.evidence):
        # An error code of this service stays strong whatever else the paste names (a kubectl
        # session on a Kubernetes online endpoint still prints our ERR_1200), and names the
        # service as well as a marker word does, in any guide.
        where = replace(where, foreign=False, foreign_too=False, domain=True)
    if where.unmarked and not where.foreign and any(m.evidence for m in ranked):
        # The ANY coefficients were learnt on a guide whose pastes name its service; a guide with no
        # such words is judged as if named, by what its own signals found.
        where = replace(where, domain=True)
    return (1.0, signal, 1.0 if signal >= SIGNAL_SURE_AT else 0.0, sim,
            1.0 if kinds & STRONG else 0.0, 1.0 if "code" in kinds else 0.0,
            1.0 if "status" in kinds else 0.0,
            1.0 if top_kinds and top_kinds <= {"status", "context"} else 0.0,
            1.0 if top_kinds and top_kinds <= {"symptom", "context"} else 0.0,
            1.0 if where.domain else 0.0, 1.0 if where.foreign else 0.0, 1.0 if where.foreign_too else 0.0,
            1.0 if where.hinted and not where.domain else 0.0,
            1.0 if top is not None and top.entry.kind == "how-to" else 0.0)


def any_feature_sets(index: KnowledgeIndex, paste: Paste, ranked: list[Match],
                     modelled: list[EntryScore]) -> list[tuple[float, ...]]:
    """ANY features once per guide the candidates come from, each judged by its own guide's words."""
    slots = sorted({index.context_of(index.by_id[m.entry.id]) for m in ranked}
                   | {index.context_of(s.entry) for s in modelled[:MODEL_CANDIDATES]})
    return [any_features(index, guide_context(index, paste, k),
                         [m for m in ranked if index.context_of(index.by_id[m.entry.id]) == k],
                         [s for s in modelled if index.context_of(s.entry) == k]) for k in slots]


def _own_code(ev: Evidence) -> bool:
    return ev.signal == "code" and ev.weight >= 0.8 and ev.text not in GENERIC_CODES


def probability(x: tuple[float, ...], coefficients: tuple[float, ...]) -> float:
    z = sum(w * v for w, v in zip(coefficients, x, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Candidate:
    entry: int
    match: Match | None  # its signal match, None when only the model brought it in
    similarity: float
    which: tuple[float, ...]  # WHICH features


def candidates(index: KnowledgeIndex, ranked: list[Match], modelled: list[EntryScore]) -> list[Candidate]:
    """Every entry the signals or the model point at, with its WHICH features."""
    by_entry = {index.by_id[m.entry.id]: m for m in ranked}
    sims = {s.entry: s.similarity for s in modelled}
    chosen = list(by_entry) + [s.entry for s in modelled[:MODEL_CANDIDATES] if s.entry not in by_entry]
    found = []
    for entry_i in chosen:
        # An entry's lead is over the entries it competes with; entries of one status (the two
        # 429s) are compared separately, as the words of the paste are all that tells them apart.
        signal = {"rival": 0.0, "sibling": 0.0}
        sim = {"rival": 0.0, "sibling": 0.0}
        for i in set(by_entry) | set(sims):
            if i != entry_i:
                kind = "sibling" if _siblings(index, i, entry_i) else "rival"
                signal[kind] = max(signal[kind], by_entry[i].score if i in by_entry else 0.0)
                sim[kind] = max(sim[kind], sims.get(i, 0.0))
        x = which_features(by_entry.get(entry_i), sims.get(entry_i, 0.0), best_other_signal=signal["rival"],
                           best_other_sim=sim["rival"], best_sibling_signal=signal["sibling"],
                           best_sibling_sim=sim["sibling"], how_to=index.entries[entry_i].kind == "how-to")
        found.append(Candidate(entry_i, by_entry.get(entry_i), sims.get(entry_i, 0.0), x))
    return found


def model_scores(index: KnowledgeIndex, paste: Paste) -> tuple[Query | None, list[EntryScore]]:
    model = index.text_model
    if model is None:
        return None, []
    query = model.query(model_text(paste.text, paste.lower))
    return query, model.score(query)


def _siblings(index: KnowledgeIndex, a: int, b: int) -> bool:
    """Entries of one guide for one HTTP status, told apart only by the words of the paste."""
    first, second = index.entries[a], index.entries[b]
    return (first.guide == second.guide and bool(set(first.signals.status) & set(second.signals.status)))


def fuse(index: KnowledgeIndex, paste: Paste, ranked: list[Match]) -> list[Match]:
    """Every candidate as a match scored by its calibrated probability, best first (the scores sum
    to P(any); the rest is "none of these"). The model's reasons, the lines that weighed most and a
    confirmed paste it resembles, are added to the top one."""
    query, modelled = model_scores(index, paste)
    found = candidates(index, ranked, modelled)
    if not found:
        return []
    # The paste is about some entry when it is about some guide's entries.
    p_any = max(probability(x, ANY_COEFFICIENTS) for x in any_feature_sets(index, paste, ranked, modelled))
    which = [probability(c.which, WHICH_COEFFICIENTS) for c in found]
    total = sum(which) or 1.0
    scored = []
    for c, w in zip(found, which, strict=True):
        entry = index.entries[c.entry]
        p = round(p_any * w / total, 3)
        scored.append((p, c.match is not None, -c.entry, replace(c.match or Match(entry, 0.0, (), entry.causes),
                                                                  score=p), c.similarity))
    confirmed = _confirmed_twin(index, modelled)
    if confirmed is not None:
        scored = _trust_confirmed(confirmed, scored)
    scored.sort(key=lambda s: (s[0], s[1], s[2]), reverse=True)
    out = [s[3] for s in scored]
    docs = {s.entry: s.doc for s in modelled}
    top_i, sim = -scored[0][2], scored[0][4]
    # A model-driven answer (no code, message or pattern of the entry in the paste) shows what the
    # model went by: the lines that weighed most and the confirmed paste it resembles.
    model_driven = not any(ev.signal in STRONG for ev in out[0].evidence)
    if query is not None and model_driven and sim >= MODEL_EVIDENCE_AT and top_i in docs:
        out[0] = replace(out[0], evidence=out[0].evidence + _model_evidence(index, paste, query, docs[top_i], sim))
    elif confirmed is not None and confirmed.entry == top_i:
        # Signals alone would explain it, but a maintainer's confirmation is what settled it: say so.
        twin = Evidence("confirmed", index.text_model.docs[confirmed.doc].text.strip()[:160], 0,
                        round(confirmed.similarity, 3))
        out[0] = replace(out[0], evidence=(twin,) + out[0].evidence)  # first: it is what settled it
    return out


def _confirmed_twin(index: KnowledgeIndex, modelled: list[EntryScore]) -> EntryScore | None:
    """The model's best document when it is a confirmed paste (nearly) the same as this one."""
    best = modelled[0] if modelled else None
    model = index.text_model
    if best is None or model is None or best.similarity < CONFIRMED_AT or model.docs[best.doc].kind != "confirmed":
        return None
    return best


def _trust_confirmed(best: EntryScore, scored: list) -> list:
    """A paste (nearly) the same as one a maintainer confirmed for an entry is that entry: its
    probability becomes the similarity, the others share what is left."""
    rest = sum(s[0] for s in scored if -s[2] != best.entry) or 1.0
    room = 1.0 - best.similarity
    out = []
    for p, has_signal, order, match, sim in scored:
        p = round(best.similarity if -order == best.entry else min(p, room * p / rest), 3)
        out.append((p, has_signal, order, replace(match, score=p), sim))
    return out


def _model_evidence(index: KnowledgeIndex, paste: Paste, query: Query, doc: int, sim: float) -> tuple[Evidence, ...]:
    model = index.text_model
    lines = query.text.split("\n")
    found = []
    first_share = 0.0
    for share, number in model.line_weights(query, doc):
        if len(found) == MODEL_LINES or share < first_share / 2:
            break  # a line that weighed far less than the first shown explains little
        text = lines[number - 1].strip()
        # "429" alone explains nothing; a path with words of its own does ("/var/azureml-app/azureml-models/
        # iris/1/model.joblib"), but not this service's path repeated
        if len(text.split()) >= MODEL_LINE_WORDS or len(set(_LINE_WORD.findall(text))) >= PATH_LINE_WORDS:
            # What the model read of a long paste is pieced together: find the line in the paste.
            pos = paste.text.find(text)
            found.append(Evidence("model", text[:160], paste.line_of(pos) if pos >= 0 else 0, round(sim, 3)))
            first_share = first_share or share
    source = model.docs[doc]
    if source.kind == "confirmed":
        found.append(Evidence("confirmed", source.text.strip().replace("\n", " ")[:160], 0, round(sim, 3)))
    return tuple(found)
