"""Fit the fusion's coefficients and choose the decision thresholds, from labelled pastes.

    python -m tests.calibrate [--real FILE --only-ids IDS|all]... [--real-weight 2] [--hold-out NAME]

Reads the shipped knowledge base (`knowledge/`), the project corpus (`tests/corpus/cases.jsonl`)
and any real labelled pastes given (JSON lines with `id`, `text`, `label`; `NONE` for look-alikes),
computes the features of every paste and candidate as `bot.engine.fusion` does, and fits two
logistic regressions (Newton's method with a small L2 penalty; deterministic): ANY on every paste
(is it about some entry?) and WHICH on the candidates of the pastes whose entry is among them. It
prints the coefficients for `fusion.ANY_COEFFICIENTS` and `fusion.WHICH_COEFFICIENTS`, then, for the
current and the fitted coefficients and each "no match" threshold, the share right, the share of
labelled pastes right and the look-alikes answered per set, so that `diagnose.NO_MATCH_BELOW` can
be chosen for a false-accept budget. `--hold-out NAME` scores a set without fitting on it (a check
that the fit generalises). Only numbers leave this tool: no paste text is written anywhere.

Used for the shipped constants: `--real ../shared/corpus/real-pastes.jsonl --only-ids <tune ids>
--real <mined tune pastes> --only-ids all` (the untouched splits were never given to it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace

from bot.engine.diagnose import SIGNAL_CANDIDATES, decide
from bot.engine.extract import focus_statuses, stated_statuses
from bot.engine.fusion import (
    ANY_COEFFICIENTS,
    ANY_FEATURES,
    WHICH_COEFFICIENTS,
    WHICH_FEATURES,
    any_feature_sets,
    candidates,
    model_scores,
    probability,
)
from bot.engine.index import KnowledgeIndex, build_index
from bot.engine.matching import rank
from bot.engine.paste import Paste
from bot.engine.redact import redact
from bot.engine.text import prepare
from bot.kb.files import load_knowledge
from bot.kb.guides import load_guide_files

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "cases.jsonl"
L2 = 0.5


def load_cases(path: Path, only_ids: Path | None = None) -> list[dict]:
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if only_ids:
        keep = {line.strip() for line in only_ids.read_text().splitlines() if line.strip()}
        cases = [c for c in cases if c["id"] in keep]
    for c in cases:
        c["label"] = "NONE" if c["label"].lower() == "none" else c["label"]
    return cases


def case_rows(index: KnowledgeIndex, text: str) -> tuple[tuple[float, ...], list[tuple[str, tuple[float, ...]]]]:
    """The paste's ANY features, and (entry id, WHICH features) of every candidate, as diagnose sees them."""
    prepared = prepare(text).text
    clean = redact(prepared, prepared.lower())
    paste = Paste(clean, clean.lower())
    stated = stated_statuses(clean, paste.lower)
    ranked = rank(index, paste, focus_statuses(stated), limit=SIGNAL_CANDIDATES, stated=stated)
    _query, modelled = model_scores(index, paste)
    x_any = max(any_feature_sets(index, paste, ranked, modelled) or [(0.0,) * len(ANY_FEATURES)],
                key=lambda x: probability(x, ANY_COEFFICIENTS))
    return x_any, [(index.entries[c.entry].id, c.which) for c in candidates(index, ranked, modelled)]


def final_scores(x_any, found, any_w, which_w) -> list[tuple[str, float]]:
    p_any = probability(x_any, any_w) if found else 0.0
    which = [probability(x, which_w) for _, x in found]
    total = sum(which) or 1.0
    return [(entry_id, p_any * w / total) for (entry_id, _), w in zip(found, which, strict=True)]


def fit(rows: list[tuple[tuple[float, ...], float, float]], iterations: int = 30) -> list[float]:
    """Weighted L2-penalised logistic regression by Newton's method."""
    k = len(rows[0][0])
    w = [0.0] * k
    for _ in range(iterations):
        grad = [L2 * wi if j else 0.0 for j, wi in enumerate(w)]
        hess = [[(L2 if (i == j and i) else 0.0) for j in range(k)] for i in range(k)]
        for x, y, weight in rows:
            p = probability(x, tuple(w))
            for i in range(k):
                grad[i] += weight * (p - y) * x[i]
                for j in range(k):
                    hess[i][j] += weight * p * (1 - p) * x[i] * x[j]
        for i in range(k):
            hess[i][i] += 1e-6
        step = _solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col and m[col][col]:
                f = m[r][col] / m[col][col]
                m[r] = [vr - f * vc for vr, vc in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] if m[i][i] else 0.0 for i in range(n)]


def evaluate(scored: list[tuple[str, list[tuple[str, float]]]], no_match_below: float
             ) -> tuple[float, float, int, int]:
    """Share right, share right of the labelled ones, and look-alikes answered, deciding as `diagnose.decide` does."""
    right = right_labelled = fa = negatives = 0
    for label, ps in scored:
        ps = sorted(ps, key=lambda item: -item[1])
        matches = [SimpleNamespace(score=p, entry_id=e) for e, p in ps]
        decision, kept = decide(matches, no_match_below=no_match_below)  # type: ignore[arg-type]
        answered = decision != "no_match"
        said = kept[0].entry_id if answered else "NONE"
        right += said == label
        if label == "NONE":
            negatives += 1
            fa += answered
        else:
            right_labelled += said == label
    return right / max(len(scored), 1), right_labelled / max(len(scored) - negatives, 1), fa, negatives


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--real", action="append", default=[], help="labelled real pastes (JSON lines)")
    ap.add_argument("--only-ids", action="append", default=[],
                    help="ids to keep of the --real file at the same position (all: every case)")
    ap.add_argument("--real-weight", type=float, default=2.0)
    ap.add_argument("--hold-out", action="append", default=[],
                    help="a set's file name to score but not fit on (a check that the fit generalises)")
    a = ap.parse_args()
    entries = load_knowledge(ROOT / "knowledge").entries
    guides, _ = load_guide_files(ROOT / "knowledge")
    index = build_index(entries, guides)
    sets = [("corpus", load_cases(CORPUS), 1.0)]
    for n, path in enumerate(a.real):
        ids = Path(a.only_ids[n]) if n < len(a.only_ids) and a.only_ids[n] not in ("", "all") else None
        sets.append((Path(path).name, load_cases(Path(path), ids), a.real_weight))
    any_rows, which_rows, per_set = [], [], {}
    for name, cases, weight in sets:
        per_set[name] = []
        for case in cases:
            x_any, found = case_rows(index, case["text"])
            per_set[name].append((case["label"], x_any, found))
            if name in a.hold_out:
                continue
            any_rows.append((x_any, 0.0 if case["label"] == "NONE" else 1.0, weight))
            if any(entry_id == case["label"] for entry_id, _ in found):
                which_rows.extend((x, 1.0 if entry_id == case["label"] else 0.0, weight) for entry_id, x in found)
    any_w, which_w = fit(any_rows), fit(which_rows)
    print("ANY_COEFFICIENTS = (" + ", ".join(f"{v:.2f}" for v in any_w) + ")")
    print("WHICH_COEFFICIENTS = (" + ", ".join(f"{v:.2f}" for v in which_w) + ")")
    print("  " + ", ".join(f"{n}={v:.2f}" for n, v in zip(ANY_FEATURES, any_w, strict=True)))
    print("  " + ", ".join(f"{n}={v:.2f}" for n, v in zip(WHICH_FEATURES, which_w, strict=True)))
    current, fitted = (ANY_COEFFICIENTS, WHICH_COEFFICIENTS), (tuple(any_w), tuple(which_w))
    for label, weights in (("current", current), ("fitted", fitted)):
        print(f"\n{label} coefficients (all right | labelled right | look-alikes answered):")
        for below in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
            parts = []
            for name, found in per_set.items():
                scored = [(lab, final_scores(x_any, f, *weights)) for lab, x_any, f in found]
                acc, acc_labelled, fa, neg = evaluate(scored, below)
                parts.append(f"{name}: {acc:.3f} {acc_labelled:.3f} FA {fa}/{neg}")
            print(f"  no_match below {below:.2f}: " + " | ".join(parts))


if __name__ == "__main__":
    main()
