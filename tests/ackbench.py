"""Ack latency of the real server while Slack's Web API is slow: `python -m tests.ackbench`.

Starts the fake Slack of the tests (`tests/fake_slack.py`) answering every Web API call only after
`slack_delay` seconds, starts `python app.py serve` pointed at it on a throwaway SQLite database,
then sends `requests` signed slash commands and `requests` signed `event_callback`s (mentions with a
log, each a new event) interleaved from a few client threads, and reports p50/p99/max of the time
from sending a request to reading its whole HTTP answer: what Slack's 3-second limit is about.

`--heavy N` adds the attack of a crafted paste: N client threads keep one 40 KB mention each in
diagnosis all the time (each sends the next when the reply to the last has reached Slack), words
of the knowledge base on long lines, the costliest kind of paste for the matcher, while the slash
commands are measured; the report adds how many slash commands took longer than Slack's 3 seconds.

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
SLACK_LIMIT_MS = 3000.0
HEAVY_CHARS = 40_000


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 200 samples is the 198th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(values_ms: list[float]) -> dict:
    if not values_ms:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    return {"n": len(values_ms), "p50_ms": round(percentile(values_ms, 0.50), 1),
            "p99_ms": round(percentile(values_ms, 0.99), 1), "max_ms": round(max(values_ms), 1)}


def heavy_paste(chars: int = HEAVY_CHARS, *, seed: int = 0) -> str:
    """A paste of `chars` characters of the knowledge base's own words, 200 to a line: every line
    is a fuzzy candidate for many symptoms (about 300 ms of matching for 40 KB on the 2-core machine)."""
    import random
    import re

    from bot.kb.files import load_knowledge
    from bot.settings import ROOT

    words: set[str] = set()
    for entry in load_knowledge(ROOT / "knowledge").entries:
        for text in (*entry.signals.phrases, *(str(s) for s in getattr(entry.signals, "symptoms", ()))):
            words.update(re.findall(r"[A-Za-z_]{3,}", text))
    vocabulary = sorted(words)
    rng = random.Random(seed)
    lines, size = [], 0
    while size < chars:
        line = " ".join(rng.choice(vocabulary) for _ in range(200))
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)[:chars]


def run_ack_benchmark(out: TextIO, *, requests: int = 200, slack_delay: float = 2.0,
                      threads: int = CLIENT_THREADS, database_url: str | None = None, heavy: int = 0) -> dict:
    """Measure; print a table to `out`; return {"slash", "event", "all": {n, p50_ms, p99_ms, max_ms}, ...}.

    `heavy`: that many clients keep a heavy mention in diagnosis meanwhile (see the module's doc)."""
    from tests.fake_slack import FakeSlack
    from tests.server_process import BOT_TOKEN, SIGNING_SECRET, ServerProcess, server_env
    from tests.slack_signing import Signer, mention_event, unique_id

    signer = Signer(SIGNING_SECRET)
    with tempfile.TemporaryDirectory(prefix="tsgbot-ackbench-") as tmp, FakeSlack(bot_token=BOT_TOKEN) as slack:
        url = database_url or f"sqlite:///{Path(tmp) / 'ackbench.db'}"
        server = ServerProcess(server_env(database_url=url, slack=slack, LOG_LEVEL="WARNING"))
        try:
            server.start()
            # Warm up (first requests import and compile lazily, the heavy-paste processes build their
            # index), with Slack still fast: two heavy mentions at once are answered when both are ready.
            _send(server, signer.slash_command(LOG, response_url=slack.response_url()))
            _send(server, signer.event(mention_event(f"<@UBOT> {LOG}", channel=unique_id("C"))))
            for _ in range(2):
                _send(server, signer.event(mention_event(f"<@UBOT> {heavy_paste()}", channel=unique_id("C"))))
            slack.wait_for("chat.postMessage", 3, timeout=120)
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
            done = threading.Event()
            heavy_done: list[float] = []
            paste = heavy_paste() if heavy else ""

            def attack() -> None:
                while not done.is_set():
                    channel = unique_id("C")
                    start = time.perf_counter()
                    _send(server, signer.event(mention_event(f"<@UBOT> {paste}", channel=channel)))
                    try:
                        slack.wait_for("chat.postMessage", where=lambda c, ch=channel: c.body.get("channel") == ch,
                                       timeout=120)
                    except AssertionError:
                        continue
                    with lock:
                        heavy_done.append((time.perf_counter() - start) * 1000)

            attackers = [threading.Thread(target=attack, daemon=True) for _ in range(heavy)]
            for attacker in attackers:
                attacker.start()
            if heavy:
                time.sleep(1.0)  # the heavy diagnoses under way before the first measured request

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
            done.set()
            for attacker in attackers:
                attacker.join(timeout=130)
            replies = len(slack.calls("chat.postMessage", ok_only=True))
        finally:
            # The replies still queued behind the slow fake are not waited for.
            server.stop(grace=5)
            server.close()

    report = {"requests": requests, "slack_delay": slack_delay, "threads": threads, "wall_s": round(wall, 2),
              "slash": summary(results["slash"]), "event": summary(results["event"]),
              "all": summary(results["slash"] + results["event"]), "failures": failures,
              "replies_during_run": replies, "heavy": heavy, "heavy_replies": summary(heavy_done),
              "slash_over_3s": sum(1 for ms in results["slash"] if ms > SLACK_LIMIT_MS)}
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
    if report["heavy"]:
        h = report["heavy_replies"]
        out.write(f"{report['heavy']} heavy {HEAVY_CHARS // 1000} KB mentions kept in diagnosis: {h['n']} answered "
                  f"(p50 {h['p50_ms']} ms, max {h['max_ms']} ms from sending to the reply); "
                  f"{report['slash_over_3s']} of {report['slash']['n']} slash commands over Slack's 3 s\n")
    if report["failures"]:
        out.write("non-200 answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(report["failures"].items())) + "\n")


if __name__ == "__main__":
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="slash commands and events, each")
    parser.add_argument("--slack-delay", type=float, default=2.0, help="seconds the fake Slack waits")
    parser.add_argument("--heavy", type=int, default=0, metavar="N",
                        help="keep N heavy 40 KB mentions in diagnosis while measuring")
    args = parser.parse_args()
    result = run_ack_benchmark(sys.stdout, requests=args.requests, slack_delay=args.slack_delay, heavy=args.heavy)
    within = (result["all"]["p99_ms"] or 0) <= TARGET_P99_MS
    sys.exit(0 if within and not result["failures"] else 1)
