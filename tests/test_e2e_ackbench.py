"""The ack-latency benchmark (`python app.py bench --slack`) runs end to end and reports what it measured."""

from __future__ import annotations

import io

from tests.ackbench import percentile, run_ack_benchmark


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 201)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (100.0, 198.0, 200.0)
    assert percentile([7.0], 0.99) == 7.0


def test_a_small_run_against_a_slow_fake_slack_acks_every_request_in_time():
    out = io.StringIO()
    report = run_ack_benchmark(out, requests=6, slack_delay=0.5, threads=4)
    assert report["failures"] == {}
    assert (report["slash"]["n"], report["event"]["n"], report["all"]["n"]) == (6, 6, 12)
    assert report["all"]["max_ms"] > 0  # measured; how fast is the full run's report, not this test's
    text = out.getvalue()
    assert "p50 ms" in text and "p99 ms" in text and "after 0.5 s" in text
