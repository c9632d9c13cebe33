"""`python app.py bench`, small: every base and input measured, the pastes on their entries, each budget stated."""

from __future__ import annotations

import io

from bot.benchmark import REAL_LIKE, run_benchmark


def test_the_bench_reports_every_input_on_every_base_against_the_budgets(shipped_index, shipped_guides):
    out = io.StringIO()
    run_benchmark(list(shipped_index.entries), shipped_guides, out, sizes=(300,), runs=3)
    report = out.getvalue()
    n = len(shipped_index.entries)
    for base in (f"shipped ({n})", f"generated ({n + 300})"):
        for size in ("100 B", "1-2 KB", "10 KB", "1 MB"):
            assert f"| {base} | {size} | 3 |" in report
        # the hand-typed pastes still land on their entries beside a few hundred others
        assert f"| {base} | 1-2 KB | 3 |" in report
    assert report.count(f"{len(REAL_LIKE)}/{len(REAL_LIKE)} on their entry") == 2
    assert report.count("match HTTP_429_TOO_MANY_PENDING") == 6
    assert f"- shipped ({n} entries): " in report and f"- generated ({n + 300} entries): " in report
    budgets = report.split("budgets:")[1].strip().splitlines()
    assert [line.split(":")[0] for line in budgets] == [
        "- p99 of every paste up to 10 KB, shipped base",
        "- 1 MB, shipped base",
        f"- 10 KB on {n + 300:,} entries against {n}",
    ]
    assert all(line.endswith((": within", ": OVER")) for line in budgets)


def test_the_hand_typed_pastes_are_one_to_two_kilobytes():
    assert all(1000 <= len(text.encode()) <= 2000 for _, text in REAL_LIKE)
