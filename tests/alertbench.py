"""Alert webhook load: `python -m tests.alertbench [--database-url URL]`.

Starts the fake Slack and `python app.py serve` (alerts on) on a throwaway SQLite database or on the
PostgreSQL database given, then sends Alertmanager webhooks over keep-alive connections from a few
client threads, as Alertmanager does: first at a steady offered rate (`--rate`, the latency figure),
then as fast as the server takes them (the throughput figure). Each request carries one alert with
a fingerprint of its own, a fifth of them repeats of one sent 100 requests before. Afterwards it checks that every
accepted alert is stored with its Slack message queued (nothing lost), and with `--deliver` waits
until every queued message reached the fake Slack.

`--drain N` measures delivery instead: a burst of N new alerts for one channel, sent as fast as the
server takes them, then the time until the last of their messages reached the fake Slack (from the
first request), the delivery rate and the busiest second the fake observed for the channel. With
`--drain-timeout` it stops waiting and projects the drain time from the rate so far.

A developer tool beside the tests it shares the fake Slack and the server runner with
(needs requirements-dev.txt).
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from tests.ackbench import percentile

TOKEN = "alertbench-token-0123456789abcdef"
CHANNEL = "C0ALERTBENCH"
TARGET_RATE = 300.0
TARGET_P99_MS = 50.0


RUN = f"{int(time.time()):x}"  # fingerprints of one run never meet an earlier run's


def identity(n: int) -> int:
    """Which alert request n is about: every fifth request repeats the alert of 100 requests before
    (Alertmanager re-sends a firing alert every repeat_interval, never twice at the same moment)."""
    return n - 100 if n % 5 == 4 and n >= 100 else n


def alertmanager_body(n: int) -> bytes:
    """Webhook v4 with one firing alert (a repeat is an edit of its message, not a new message)."""
    fingerprint = f"bench{RUN}-{identity(n):08d}"
    return json.dumps({
        "version": "4", "groupKey": "{}:{alertname=\"AzureMLEndpoint5xx\"}", "truncatedAlerts": 0, "status": "firing",
        "receiver": "tsgbot", "groupLabels": {"alertname": "AzureMLEndpoint5xx"},
        "commonLabels": {"alertname": "AzureMLEndpoint5xx"}, "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.com:9093",
        "alerts": [{
            "status": "firing", "fingerprint": fingerprint, "startsAt": "2026-11-24T09:12:31.508Z",
            "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus.example.com:9090/graph",
            "labels": {"alertname": "AzureMLEndpoint5xx", "severity": "critical", "endpoint": f"ep-{n % 50}",
                       "deployment": "blue"},
            "annotations": {"summary": f"Online endpoint ep-{n % 50} answers HTTP 503",
                            "description": "Scoring requests fail with 503 Service Unavailable; the container "
                                           "log shows Worker failed to boot."},
        }],
    }).encode()


class Client:
    """One keep-alive connection, reopened when the server closes it."""

    def __init__(self, base_url: str) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname, parsed.port
        self.connection: http.client.HTTPConnection | None = None

    def post(self, path: str, body: bytes) -> tuple[int, float]:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
                self.connection.request("POST", path, body=body, headers=headers)
                response = self.connection.getresponse()
                response.read()
                return response.status, time.perf_counter() - started
            except (OSError, http.client.HTTPException):
                self.connection = None  # the server closed an idle keep-alive connection: once more
                if attempt == 2:
                    return 0, time.perf_counter() - started
        raise AssertionError("unreachable")


def load(base_url: str, numbers: list[int], *, threads: int, rate: float | None) -> dict:
    """Send one request per number from `threads` threads (paced to `rate` requests/s in all, or unpaced)."""
    latencies: list[float] = []
    failures: dict[int, int] = {}
    lock = threading.Lock()
    chunks = [numbers[i::threads] for i in range(threads)]
    start_at = time.perf_counter() + (0.05 if rate else 0.0)

    def run(chunk: list[int], offset: int) -> None:
        client = Client(base_url)
        for i, n in enumerate(chunk):
            if rate:  # open loop: request k of this thread goes out at its slot, whatever came before
                slot = start_at + (i * threads + offset) / rate
                pause = slot - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
            status, elapsed = client.post("/alerts/alertmanager", alertmanager_body(n))
            with lock:
                latencies.append(elapsed * 1000)
                if status != 202:
                    failures[status] = failures.get(status, 0) + 1

    workers = [threading.Thread(target=run, args=(chunk, k)) for k, chunk in enumerate(chunks)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - max(began, start_at)
    accepted = len(latencies) - sum(failures.values())
    return {"requests": len(numbers), "accepted": accepted, "wall_s": round(wall, 2),
            "per_s": round(accepted / wall, 1), "p50_ms": round(percentile(latencies, 0.5), 2),
            "p99_ms": round(percentile(latencies, 0.99), 2), "max_ms": round(max(latencies), 2),
            "failures": failures}


def observed_peak(times: list[float], window: float = 1.0) -> int:
    """The most calls within any `window` seconds (a sliding window over arrival times)."""
    times = sorted(times)
    peak, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


def run_drain_benchmark(out: TextIO, *, alerts: int, database_url: str | None = None, channel_rate: float = 100.0,
                        threads: int = 8, web_workers: int = 2, timeout: float = 3600.0,
                        **server_settings: str) -> dict:
    from tests.fake_slack import FakeSlack
    from tests.server_process import BOT_TOKEN, ServerProcess, query_db, server_env

    with (tempfile.TemporaryDirectory(prefix="tsgbot-alertbench-") as tmp, FakeSlack(bot_token=BOT_TOKEN) as slack,
          _database(database_url, Path(tmp)) as url):
        env = server_env(database_url=url, slack=slack, LOG_LEVEL="WARNING", ALERT_WEBHOOK_TOKEN=TOKEN,
                         ALERT_CHANNEL=CHANNEL, ALERT_CHANNEL_RATE=str(channel_rate), WEB_WORKERS=str(web_workers),
                         WEB_THREADS="8", **server_settings)
        with ServerProcess(env) as server:
            started = time.perf_counter()
            # Numbers below 100 never repeat an earlier alert (see identity): N distinct alerts.
            burst = load(server.base_url, [n * 5 for n in range(alerts)], threads=threads, rate=None)
            accepted_s = time.perf_counter() - started
            deadline = started + timeout
            while time.perf_counter() < deadline:
                if _counts(query_db, url)["pending"] == 0:
                    break
                time.sleep(0.5)
            drain_s = time.perf_counter() - started
            counts = _counts(query_db, url)
            posts = slack.calls("chat.postMessage", ok_only=True)
    delivered = len(posts)
    rate = delivered / drain_s if drain_s else 0.0
    finished = counts["pending"] == 0
    report = {"database": "postgresql" if url.startswith("postgres") else "sqlite", "alerts": alerts,
              "channel_rate": channel_rate, "web_workers": web_workers, "accepted": burst["accepted"],
              "accepted_s": round(accepted_s, 1), "delivered": delivered, "finished": finished,
              "drain_s": round(drain_s, 1), "per_s": round(rate, 1),
              "projected_drain_s": round(drain_s if finished else alerts / rate if rate else float("inf"), 1),
              "peak_per_s": observed_peak([c.at for c in posts]),
              "posting_per_s": round((delivered - 1) / (posts[-1].at - posts[0].at), 1) if delivered > 1 else 0.0}
    out.write(f"drain of a {alerts}-alert burst on {report['database']} for one channel at ALERT_CHANNEL_RATE="
              f"{channel_rate:g} ({web_workers} server processes): accepted in {report['accepted_s']} s; "
              f"{delivered} messages delivered in {report['drain_s']} s ({report['per_s']}/s)"
              f"{'' if finished else ', not finished: projected ' + str(report['projected_drain_s']) + ' s'}; "
              f"first to last message {report['posting_per_s']}/s; "
              f"busiest second at the fake Slack: {report['peak_per_s']} messages\n")
    return report


def run_alert_benchmark(out: TextIO, *, database_url: str | None = None, steady: int = 3000, burst: int = 3000,
                        rate: float = TARGET_RATE, threads: int = 8, deliver: bool = False,
                        web_workers: int = 2, channel_rate: float = 1.0, separate_worker: bool = False,
                        **server_settings: str) -> dict:
    from tests.fake_slack import FakeSlack
    from tests.server_process import BOT_TOKEN, ROOT, ServerProcess, query_db, server_env, wait_until

    with (tempfile.TemporaryDirectory(prefix="tsgbot-alertbench-") as tmp, FakeSlack(bot_token=BOT_TOKEN) as slack,
          _database(database_url, Path(tmp)) as url):
        env = server_env(database_url=url, slack=slack, LOG_LEVEL="WARNING", ALERT_WEBHOOK_TOKEN=TOKEN,
                         ALERT_CHANNEL=CHANNEL, ALERT_CHANNEL_RATE=str(channel_rate), WEB_WORKERS=str(web_workers),
                         WEB_THREADS="8", **server_settings)
        if separate_worker:
            env["DELIVERY_WORKER"] = "off"
        server = ServerProcess(env)
        worker = None
        try:
            server.start()
            if separate_worker:  # `python app.py worker` beside the server, as a deployment would run it
                worker = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "worker"], env=env, cwd=tmp,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            load(server.base_url, list(range(-threads * 5, 0)), threads=threads, rate=None)  # warm-up
            phases = {
                "steady": load(server.base_url, list(range(steady)), threads=threads, rate=rate),
                "burst": load(server.base_url, list(range(steady, steady + burst)), threads=threads, rate=None),
            }
            sent = list(range(-threads * 5, 0)) + list(range(steady + burst))
            expected_alerts = len({identity(n) for n in sent})
            after = _counts(query_db, url)
            stored, queued = after["alerts"], after["posts"]
            delivered = None
            if deliver:
                wait_until(lambda: _counts(query_db, url)["pending"] == 0, timeout=600, what="the outbox to empty")
                delivered = len(slack.calls("chat.postMessage", ok_only=True))
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
            server.close()

    report = {"database": "postgresql" if url.startswith("postgres") else "sqlite", "threads": threads,
              "web_workers": web_workers,
              "delivery": "separate worker process" if separate_worker else "in the server",
              "phases": phases, "expected_alerts": expected_alerts, "stored_alerts": stored,
              "queued_posts": queued, "delivered_posts": delivered}
    _print(out, report, rate)
    return report


@contextmanager
def _database(admin_url: str | None, tmp: Path) -> Iterator[str]:
    """A fresh database: SQLite in `tmp`, or a throwaway one beside `admin_url` on PostgreSQL (dropped after)."""
    if not admin_url:
        yield f"sqlite:///{tmp / 'alertbench.db'}"
        return
    from bot.db.scratch import throwaway_postgres

    with throwaway_postgres(admin_url, prefix="tsgbot_alertbench") as url:
        yield url


def _counts(query_db, url: str) -> dict:
    return query_db(url, "SELECT (SELECT COUNT(*) FROM alerts) AS alerts, "
                         "(SELECT COUNT(*) FROM outbox WHERE kind = 'post') AS posts, "
                         "(SELECT COUNT(*) FROM outbox WHERE status = 'pending') AS pending")[0]


def _print(out: TextIO, report: dict, rate: float) -> None:
    out.write(f"alert webhooks on {report['database']}: Alertmanager v4, one alert per request, "
              f"{report['threads']} keep-alive client threads, server {report['web_workers']} worker processes, "
              f"delivery {report['delivery']}\n")
    out.write(f"{'phase':<22}{'requests':>9}{'accepted/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  failures\n")
    for name, label in (("steady", f"steady ({rate:g}/s offered)"), ("burst", "burst (as fast as taken)")):
        p = report["phases"][name]
        out.write(f"{label:<22}{p['requests']:>9}{p['per_s']:>12.1f}{p['p50_ms']:>9.2f}{p['p99_ms']:>9.2f}"
                  f"{p['max_ms']:>9.2f}  {p['failures'] or 'none'}\n")
    lost = report["expected_alerts"] - report["stored_alerts"]
    out.write(f"stored {report['stored_alerts']} of {report['expected_alerts']} distinct alerts with "
              f"{report['queued_posts']} messages queued: {'nothing lost' if lost == 0 else f'{lost} LOST'}\n")
    if report["delivered_posts"] is not None:
        out.write(f"delivered to the fake Slack: {report['delivered_posts']} messages\n")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="e.g. postgresql://postgres@127.0.0.1:5432/test (default: SQLite)")
    parser.add_argument("--requests", type=int, default=3000, help="requests in each phase")
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="offered requests/s in the steady phase")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--deliver", action="store_true", help="also wait until every message reached Slack")
    parser.add_argument("--separate-worker", action="store_true",
                        help="deliver from `python app.py worker` (DELIVERY_WORKER=off in the server)")
    parser.add_argument("--channel-rate", type=float, default=None,
                        help="ALERT_CHANNEL_RATE of the server (default 1 per second, Slack's guidance; "
                             "100 with --drain)")
    parser.add_argument("--drain", type=int, metavar="N", help="measure the drain of an N-alert burst instead")
    parser.add_argument("--drain-timeout", type=float, default=3600.0, help="seconds to wait for the drain")
    args = parser.parse_args()
    if args.drain:
        drained = run_drain_benchmark(sys.stdout, alerts=args.drain, database_url=args.database_url,
                                      channel_rate=args.channel_rate or 100.0, threads=args.threads,
                                      web_workers=args.web_workers, timeout=args.drain_timeout)
        sys.exit(0 if drained["finished"] and drained["accepted"] == args.drain else 1)
    args.channel_rate = args.channel_rate or 1.0
    result = run_alert_benchmark(sys.stdout, database_url=args.database_url, steady=args.requests,
                                 burst=args.requests, rate=args.rate, threads=args.threads, deliver=args.deliver,
                                 web_workers=args.web_workers, channel_rate=args.channel_rate,
                                 separate_worker=args.separate_worker)
    steady = result["phases"]["steady"]
    ok = (steady["p99_ms"] <= TARGET_P99_MS and not steady["failures"] and not result["phases"]["burst"]["failures"]
          and result["stored_alerts"] == result["expected_alerts"])
    sys.exit(0 if ok else 1)
