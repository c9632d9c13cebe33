"""Is a knowledge-base regex safe to run on every paste? Static shape first, then a timed run.

Python's `re` has no timeout, so the timed run happens in a child process that is killed when
it overruns: a catastrophic pattern costs `kb check` a few seconds, never a hang.
"""

from __future__ import annotations

import multiprocessing
import re
import time

try:
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _p  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

BUDGET_MS = 250.0  # per pattern on 1 MB: the whole diagnosis of 1 MB has 100 ms p99
SAMPLE_SIZE = 1_000_000
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))


def shape_problems(pattern: str) -> list[str]:
    """Nested quantifiers and unbounded wildcards: the shapes that backtrack badly."""
    try:
        parsed = _p.parse(pattern)
    except re.error as exc:
        return [f"does not compile: {exc}"]
    problems: list[str] = []

    def walk(items, inside_repeat: bool) -> None:
        for op, arg in items:
            if op in _REPEATS:
                low, high, body = arg
                unbounded = high == _c.MAXREPEAT
                if inside_repeat and (unbounded or high > 100):
                    problems.append("nested repetition: a quantified group inside another can backtrack "
                                    "exponentially")
                if unbounded and any(o is _c.ANY for o, _ in body):
                    problems.append("unbounded wildcard (.* or .+): use a bounded one such as [^\\n]{0,80}")
                walk(body, inside_repeat or unbounded or high > 100)
            elif op is _c.SUBPATTERN:
                walk(arg[-1], inside_repeat)
            elif op is _c.BRANCH:
                for branch in arg[1]:
                    walk(branch, inside_repeat)
            elif op in (_c.ASSERT, _c.ASSERT_NOT):
                walk(arg[1], inside_repeat)

    walk(parsed, False)
    return sorted(set(problems))


def _samples(examples: list[str]) -> list[str]:
    seed = " ".join(examples) or "error"
    return [
        "a" * SAMPLE_SIZE,
        " " * SAMPLE_SIZE,
        ("x-" * (SAMPLE_SIZE // 2)),
        (seed + "\n") * (SAMPLE_SIZE // (len(seed) + 1) + 1),
        (seed.replace(" ", "") * (SAMPLE_SIZE // max(len(seed), 1) + 1))[:SAMPLE_SIZE],
        "((((((((((" * (SAMPLE_SIZE // 10),
    ]


def _time_patterns(patterns: list[str], examples: list[str], queue) -> None:
    samples = _samples(examples)
    for pattern in patterns:
        compiled = re.compile(pattern, re.IGNORECASE)
        worst = 0.0
        for sample in samples:
            started = time.perf_counter()
            compiled.search(sample)
            worst = max(worst, (time.perf_counter() - started) * 1000)
        queue.put((pattern, worst))
    queue.put(None)


def timing_problems(patterns: list[str], examples: list[str], *, timeout_s: float = 20.0) -> dict[str, str]:
    """pattern -> problem, for patterns slower than BUDGET_MS on 1 MB (or that did not finish)."""
    if not patterns:
        return {}
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_time_patterns, args=(patterns, examples, queue), daemon=True)
    child.start()
    done: dict[str, float] = {}
    deadline = time.monotonic() + timeout_s
    while True:
        remaining = deadline - time.monotonic()
        try:
            item = queue.get(timeout=max(remaining, 0.01))
        except Exception:  # queue.Empty: the child is stuck in a pattern
            break
        if item is None:
            break
        done[item[0]] = item[1]
    child.kill()
    child.join()
    problems = {p: f"takes {ms:.0f} ms on 1 MB (budget {BUDGET_MS:.0f} ms)"
                for p, ms in done.items() if ms > BUDGET_MS}
    unfinished = [p for p in patterns if p not in done]
    if unfinished:
        problems[unfinished[0]] = f"did not finish on 1 MB within {timeout_s:.0f} s"
    return problems
