"""The issue's worst pastes, 1 MiB each, over the CLI and over real HTTP: answered, never stalled.

Before knowledge-base patterns ran on RE2, `.azurecr.io/` repeated made ERR_1200's pattern backtrack
for minutes; through the server a 1 MB attached log held a worker until gunicorn killed it, /healthz
stalled and no reply came. The waits below are generous windows, not speed limits (speed is measured
by `python -m tests.patternbench`).
"""

from __future__ import annotations

import json

import pytest

from tests import server_process as e2e
from tests.cli import run_app
from tests.slack_signing import mention_event, unique_id

e2e_db_url, e2e_slack_module, e2e_slack = e2e.e2e_db_url, e2e.e2e_slack_module, e2e.e2e_slack
e2e_server_module, e2e_server, signer = e2e.e2e_server_module, e2e.e2e_server, e2e.signer

MIB = 1 << 20
ERR_1200 = ("ERROR: (BadArgument) ERR_1200: Unable to download user container image. Failed to pull image "
            "myacr.azurecr.io/azureml/azureml_3f2a:latest")
# The three pastes of the issue, grown to 1 MiB.
WORST = {
    "azurecr": ".azurecr.io/" * (MIB // 12),
    "azureml-app": "/var/azureml-app/" * (MIB // 17),
    "424": "424 " + "A" * (MIB - 4),
}


@pytest.mark.parametrize("name", WORST)
def test_the_cli_diagnoses_the_worst_pastes(name, tmp_path):
    result = run_app("diagnose", "-", "--json", stdin=WORST[name].encode(),
                     database_url=f"sqlite:///{tmp_path / 'cli.db'}", timeout=120)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert json.loads(result.stdout)["decision"] == "no_match"


def test_a_telling_line_after_a_hostile_megabyte_is_still_found(tmp_path):
    # The pattern search is bounded by a work budget, not cut off: a real error after the noise counts.
    paste = ".azurecr.io/ " * (MIB // 13) + "\n" + ERR_1200
    result = run_app("diagnose", "-", "--json", stdin=paste.encode(), database_url=f"sqlite:///{tmp_path / 'c.db'}",
                     timeout=120)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert json.loads(result.stdout)["matches"][0]["id"] == "ERR_1200"


def test_a_hostile_megabyte_attached_in_slack_gets_a_reply_and_health_stays_up(e2e_server, e2e_slack, signer):
    channel = unique_id("C")
    file = e2e_slack.add_file("pull.log", (".azurecr.io/" * (MIB // 12 - 20)) + "\n" + ERR_1200 + "\n")
    assert e2e_server.post(signer.event(mention_event("<@UBOT> log attached", channel=channel, files=[file]))
                           ).status == 200
    assert e2e_server.get("/healthz").status == 200
    [post] = e2e_slack.wait_for("chat.postMessage", ok_only=True, timeout=50,
                                where=lambda c: c.body.get("channel") == channel)
    assert "ERR_1200" in post.text_everywhere
    assert e2e_server.get("/healthz").status == 200
