"""Metrics across workers and the cost of a scrape: `python -m tests.metricsbench [--database-url URL]`.

Starts the fake Slack and `python app.py serve` with WEB_WORKERS=2 and the delivery worker off (so the
outbox keeps a backlog), sends `--alerts` generic alerts over short connections (the kernel spreads
them over both workers), then scrapes `/metrics` `--scrapes` times and reports what the scrapes said
the alert count was (every one of them should say the number sent) and how long a scrape took
(p50/p99: every worker's files added up, and the outbox backlog read from the database).

A developer tool beside the tests it shares the fake Slack and the server runner with
(needs requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TextIO

from tests.ackbench import percentile
from tests.alert_requests import CHANNEL, TOKEN, payload, send, unique
from tests.fake_slack import FakeSlack
from tests.server_process import BOT_TOKEN, ServerProcess, metric_value, server_env


def run(out: TextIO, *, database_url: str | None, alerts: int, scrapes: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="tsgbot-metricsbench-") as tmp, FakeSlack(bot_token=BOT_TOKEN) as slack:
        url = database_url or f"sqlite:///{tmp}/bench.db"
        env = server_env(database_url=url, slack=slack, WEB_WORKERS="2", DELIVERY_WORKER="off",
                         ALERT_WEBHOOK_TOKEN=TOKEN, ALERT_CHANNEL=CHANNEL)
        run_id = f"{int(time.time()):x}"
        with ServerProcess(env) as server:
            body = payload("generic_firing")
            with ThreadPoolExecutor(4) as pool:
                statuses = list(pool.map(lambda n: send(server, "generic", unique("generic", body, f"{run_id}-{n}"))
                                         .status, range(alerts)))
            seen, seconds = [], []
            for _ in range(scrapes):
                started = time.perf_counter()
                text = server.metrics()
                seconds.append(time.perf_counter() - started)
                seen.append(metric_value(text, "tsgbot_alerts_received_total", source="generic"))
            backlog = metric_value(server.metrics(), "tsgbot_outbox_waiting_messages")
    report = {"alerts_sent": alerts, "accepted": statuses.count(202), "scrapes": scrapes,
              "counts_seen": sorted(set(seen)), "right": sum(1 for v in seen if v == alerts),
              "scrape_p50_ms": percentile(seconds, 0.50) * 1000, "scrape_p99_ms": percentile(seconds, 0.99) * 1000,
              "outbox_waiting": backlog, "database": url.split(":", 1)[0]}
    print(f"{report['accepted']} of {alerts} alerts accepted by 2 workers ({report['database']}); "
          f"{report['right']} of {scrapes} scrapes said {alerts} (values seen: {report['counts_seen']}); "
          f"outbox backlog {backlog:.0f}; scrape p50 {report['scrape_p50_ms']:.1f} ms, "
          f"p99 {report['scrape_p99_ms']:.1f} ms", file=out)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.metricsbench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL database to use (default: a throwaway SQLite one)")
    parser.add_argument("--alerts", type=int, default=120)
    parser.add_argument("--scrapes", type=int, default=200)
    args = parser.parse_args(argv)
    report = run(sys.stdout, database_url=args.database_url, alerts=args.alerts, scrapes=args.scrapes)
    return 0 if report["right"] == args.scrapes and report["accepted"] == args.alerts else 1


if __name__ == "__main__":
    sys.exit(main())
