"""End to end: `python app.py kb sync` beside a running server; the server serves the new version within
seconds, without a restart, and answers every request meanwhile."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.fake_slack import FakeSlack
from tests.server_process import (
    BOT_TOKEN,
    ROOT,
    SIGNING_SECRET,
    ServerProcess,
    metric_value,
    server_env,
    wait_until,
)
from tests.slack_signing import Signer

NEW_PASTE = "ERROR: (ReloadCheckFailed) the deployment could not be created"


def knowledge_with_one_more_entry(target: Path) -> Path:
    """A copy of knowledge/ with ERR_9100, an entry whose code (ReloadCheckFailed) no shipped entry knows."""
    shutil.copytree(ROOT / "knowledge", target)
    source = (ROOT / "knowledge" / "entries" / "ERR_5000.yaml").read_text(encoding="utf-8")
    new = re.sub(r"(?m)^id: ERR_5000$", "id: ERR_9100", source)
    new = new.replace("codes: [ERR_5000, InternalServerError]", "codes: [ERR_9100, ReloadCheckFailed]")
    assert new.count("ERR_9100") == 2, "ERR_5000.yaml changed shape: adjust this copy"
    (target / "entries" / "ERR_9100.yaml").write_text(new, encoding="utf-8")
    return target


@pytest.fixture
def slack():
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        yield fake


def test_a_sync_is_served_within_seconds_while_requests_are_answered(db_url, slack, tmp_path):
    signer = Signer(SIGNING_SECRET)
    with ServerProcess(server_env(database_url=db_url, slack=slack, KB_POLL_SECONDS="1")) as server:
        ready = server.get("/readyz").json()
        assert (ready["status"], ready["kb_version"], ready["entries"]) == ("ready", 1, 18)
        before = server.post(signer.slash_command(NEW_PASTE, response_url=slack.response_url()))
        assert before.status == 200 and "ERR_9100" not in before.text

        statuses: list[int] = []
        done = threading.Event()

        def keep_asking() -> None:
            while not done.is_set():
                statuses.append(server.get("/readyz", timeout=10).status)
                statuses.append(server.post(signer.slash_command("ERR_1200", response_url=slack.response_url()),
                                            timeout=10).status)

        asking = threading.Thread(target=keep_asking)
        asking.start()
        try:
            env = server_env(database_url=db_url, KNOWLEDGE_DIR=str(knowledge_with_one_more_entry(tmp_path / "kb")))
            sync = subprocess.run([sys.executable, str(ROOT / "app.py"), "kb", "sync"], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=120)
            assert sync.returncode == 0, sync.stderr
            assert sync.stdout.startswith("knowledge base version 2: 1 added"), sync.stdout
            synced = time.monotonic()
            # A generous window: the reload is one poll and a build of milliseconds, but a loaded
            # machine may be slow; how fast it is belongs to the benchmarks, not to this test.
            ready = wait_until(lambda: (r := server.get("/readyz").json())["kb_version"] == 2 and r, timeout=60,
                               what="/readyz to report version 2")
            served_after = time.monotonic() - synced
        finally:
            done.set()
            asking.join(30)
        assert (ready["status"], ready["kb_version"], ready["entries"]) == ("ready", 2, 19)
        print(f"served {served_after:.2f} s after the sync; {len(statuses)} requests answered meanwhile")
        assert len(statuses) >= 4 and set(statuses) == {200}, statuses  # answered all along

        metrics = server.metrics()
        assert metric_value(metrics, "tsgbot_kb_version") == 2
        assert metric_value(metrics, "tsgbot_kb_entries") == 19
        after = server.post(signer.slash_command(NEW_PASTE, response_url=slack.response_url()))
        assert after.status == 200 and after.json()["text"].startswith("Likely match:")
        assert "ERR_9100" in after.json()["text"]
        assert re.search(r"knowledge base version 2 loaded \(19 entries\) in \d+ ms", server.logs())
        assert server.stop() == 0
