"""`python app.py bench`: latency of one diagnosis, beside the floor of one regex pass.

Inputs of 100 B, 10 KB and 1 MB (a realistic log with the telling line buried in it), on the
shipped knowledge base and on a generated 10,000-entry one; plus the index build times.
"""

from __future__ import annotations

import re
import statistics
import time
from typing import TextIO

from bot.engine.diagnose import diagnose
from bot.engine.index import KnowledgeIndex, build_index
from bot.kb.synthetic import synthetic_entries

# The floor: one pass of one compiled regex over the same text, the least any matcher must do.
FLOOR_RE = re.compile(r"\b(?:ERR_\d{4}|[1-5]\d\d)\b")

_LOG_LINES = (
    "2026-11-24T07:12:{s:02d}.{ms:03d}Z INFO azureml-inference-server: POST /score 200 in {d} ms "
    "(request id 6c1f{n:04x}-1b2c-4d5e-8f90-1234567890ab)",
    "2026-11-24T07:12:{s:02d}.{ms:03d}Z DEBUG worker {n}: batch of {d} rows scored, p95={d}ms",
    "2026-11-24T07:12:{s:02d}.{ms:03d}Z INFO gunicorn.access: 10.0.0.{d} - - \"GET /healthz HTTP/1.1\" 200 2",
    '2026-11-24T07:12:{s:02d}.{ms:03d}Z WARNING score.py:{d}: slow request, latency={d}ms, retry 1 of 3',
)
_ERROR = ("2026-11-24T07:13:01.500Z ERROR HTTP/1.1 429 Too Many Requests: too many pending requests "
          "for deployment blue of endpoint fraud-ep (max_concurrent_requests_per_instance=1)")
SHORT = "HTTP 429 too many pending requests on fraud-ep.westeurope.inference.ml.azure.com/score, blue"


def make_log(size: int) -> str:
    """A log of about `size` characters with the error line two thirds of the way in."""
    if size <= 200:
        return SHORT[:size]
    lines: list[str] = []
    total, n = 0, 0
    while total < size:
        line = _LOG_LINES[n % len(_LOG_LINES)].format(s=n % 60, ms=n % 1000, d=(n * 37) % 900 + 10, n=n)
        lines.append(line)
        total += len(line) + 1
        n += 1
    lines.insert(len(lines) * 2 // 3, _ERROR)
    return "\n".join(lines)[:size]


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p99) of timing samples."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return statistics.median(ordered), p99


def _time(fn, runs: int) -> list[float]:
    fn()  # warm caches (regex compilation, first allocation) outside the measurement
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_index(index: KnowledgeIndex, label: str, out: TextIO, *, quick: bool) -> None:
    for size, name, runs in ((100, "100 B", 2000), (10_000, "10 KB", 500), (1_000_000, "1 MB", 40)):
        runs = max(runs // 10, 10) if quick else runs
        text = make_log(size)
        p50, p99 = percentiles(_time(lambda text=text: diagnose(text, index), runs))
        f50, f99 = percentiles(_time(lambda text=text: FLOOR_RE.findall(text), runs))
        decision = diagnose(text, index)
        top = decision.top.entry.id if decision.top else "-"
        out.write(f"| {label:<22} | {name:>5} | {runs:>5} | {p50:8.3f} | {p99:8.3f} | {f50:9.3f} | {f99:9.3f} "
                  f"| {decision.decision} {top} |\n")


def run_benchmark(entries, guides, out: TextIO, *, quick: bool = False) -> None:
    """Print the latency table (milliseconds) for the shipped base and a 10,000-entry one."""
    started = time.perf_counter()
    shipped = build_index(entries, guides)
    shipped_ms = (time.perf_counter() - started) * 1000
    generated = list(entries) + synthetic_entries(10_000)
    started = time.perf_counter()
    big = build_index(generated, guides)
    big_ms = (time.perf_counter() - started) * 1000
    out.write(f"index build: shipped ({len(entries)} entries) {shipped_ms:.1f} ms; "
              f"generated ({len(generated)} entries) {big_ms:.1f} ms\n\n")
    out.write("| knowledge base         | input |  runs | p50 ms   | p99 ms   | floor p50 | floor p99 | result |\n")
    out.write("|------------------------|-------|-------|----------|----------|-----------|-----------|--------|\n")
    bench_index(shipped, f"shipped ({len(entries)})", out, quick=quick)
    bench_index(big, f"generated ({len(generated)})", out, quick=quick)
