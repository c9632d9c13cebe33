"""Ack latency of the real server while Slack's Web API is slow: `python -m tests.ackbench`.

Starts the fake Slack of the tests (`tests/fake_slack.py`) answering every Web API call only after
`slack_delay` seconds, starts `python app.py serve` pointed at it on a throwaway SQLite database,
then sends `requests` signed slash commands and `requests` signed `event_callback`s (mentions with a
log, each a new event) interleaved from a few client threads, and reports p50/p99/max of the time
from sending a request to reading its whole HTTP answer: what Slack's 3-second limit is about.

A developer tool beside the tests it shares its fake Slack with (needs requirements-dev.txt).
"""

from __future__ import annotations

import math
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TextIO

LOG = """Creating/updating online deployment blue ....
ERROR: (BadArgument) ERR_1200: Unable to download user container image. Failed to pull image
myacr.azurecr.io/azureml/azureml_3f2a:latest for deployment blue of endpoint fraud-ep"""
TARGET_P99_MS = 300.0
CLIENT_THREADS = 8


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 200 samples is the 198th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(values_ms: list[float]) -> dict:
    if not values_ms:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    return {"n": len(values_ms), "p50_ms": round(percentile(values_ms, 0.50), 1),
            "p99_ms": round(percentile(values_ms, 0.99), 1), "max_ms": round(max(values_ms), 1)}


def run_ack_benchmark(out: TextIO, *, requests: int = 200, slack_delay: float = 2.0,
                      threads: int = CLIENT_THREADS, database_url: str | None = None) -> dict:
    """Measure; print a table to `out`; return {"slash", "event", "all": {n, p50_ms, p99_ms, max_ms}, ...}."""
    from tests.fake_slack import FakeSlack
    from tests.server_process import BOT_TOKEN, SIGNING_SECRET, ServerProcess, server_env
    from tests.slack_signing import Signer, mention_event, unique_id

    signer = Signer(SIGNING_SECRET)
    with tempfile.TemporaryDirectory(prefix="tsgbot-ackbench-") as tmp, FakeSlack(bot_token=BOT_TOKEN) as slack:
        url = database_url or f"sqlite:///{Path(tmp) / 'ackbench.db'}"
        server = ServerProcess(server_env(database_url=url, slack=slack, LOG_LEVEL="WARNING"))
        try:
            server.start()
            # Warm up (first requests import and compile lazily), with Slack still fast.
            _send(server, signer.slash_command(LOG, response_url=slack.response_url()))
            _send(server, signer.event(mention_event(f"<@UBOT> {LOG}", channel=unique_id("C"))))
            slack.wait_for("chat.postMessage", timeout=30)
            slack.reset()
            slack.delay(slack_delay)

            work = []
            for _ in range(requests):
                work.append(("slash", signer.slash_command(LOG, response_url=slack.response_url(),
                                                           user_id=unique_id("U"))))
                work.append(("event", signer.event(mention_event(f"<@UBOT> {LOG}", channel=unique_id("C")))))
            results: dict[str, list[float]] = {"slash": [], "event": []}
            failures: dict[str, int] = {}
            lock = threading.Lock()

            def send(item) -> None:
                kind, request = item
                status, elapsed = _send(server, request)
                with lock:
                    results[kind].append(elapsed * 1000)
                    if status != 200:
                        failures[f"{kind} {status}"] = failures.get(f"{kind} {status}", 0) + 1

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=threads) as pool:
                list(pool.map(send, work))
            wall = time.perf_counter() - started
            replies = len(slack.calls("chat.postMessage", ok_only=True))
        finally:
            # The replies still queued behind the slow fake are not waited for.
            server.stop(grace=5)
            server.close()

    report = {"requests": requests, "slack_delay": slack_delay, "threads": threads, "wall_s": round(wall, 2),
              "slash": summary(results["slash"]), "event": summary(results["event"]),
              "all": summary(results["slash"] + results["event"]), "failures": failures,
              "replies_during_run": replies}
    _print(out, report)
    return report


def _send(server, request) -> tuple[int, float]:
    try:
        result = server.post(request, timeout=30)
        return result.status, result.elapsed
    except OSError:  # refused, reset or timed out: as bad as Slack's timeout
        return 0, 30.0


def _print(out: TextIO, report: dict) -> None:
    out.write(f"ack latency: {report['requests']} slash commands + {report['requests']} events from "
              f"{report['threads']} client threads, fake Slack answering every Web API call after "
              f"{report['slack_delay']:g} s\n")
    out.write(f"{'kind':<8}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}\n")
    for kind in ("slash", "event", "all"):
        row = report[kind]
        cells = [f"{row[k]:>10.1f}" if row[k] is not None else f"{'-':>10}" for k in ("p50_ms", "p99_ms", "max_ms")]
        out.write(f"{kind:<8}{row['n']:>6}{''.join(cells)}\n")
    p99 = report["all"]["p99_ms"]
    verdict = "within" if p99 is not None and p99 <= TARGET_P99_MS else "OVER"
    out.write(f"p99 {p99} ms: {verdict} the {TARGET_P99_MS:g} ms target; {report['wall_s']} s in all; "
              f"{report['replies_during_run']} thread replies posted meanwhile\n")
    if report["failures"]:
        out.write("non-200 answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(report["failures"].items())) + "\n")


if __name__ == "__main__":
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="slash commands and events, each")
    parser.add_argument("--slack-delay", type=float, default=2.0, help="seconds the fake Slack waits")
    args = parser.parse_args()
    result = run_ack_benchmark(sys.stdout, requests=args.requests, slack_delay=args.slack_delay)
    within = (result["all"]["p99_ms"] or 0) <= TARGET_P99_MS
    sys.exit(0 if within and not result["failures"] else 1)
