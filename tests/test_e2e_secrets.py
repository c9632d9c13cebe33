"""After sending 16 kinds of secret through a mention, an attached file, a thread, each alert source and
the CLI, none is found in any table, Slack call or log line.

The real `python app.py serve` against the fake Slack and a real database; afterwards every table is
dumped, every request the fake Slack received is read (raw and decoded), and the server's whole log,
and each secret is looked for in all of them. Secrets are random per run, so nothing else can
contain them by chance; that the texts did arrive is shown by [REDACTED] in the stored rows.
"""

from __future__ import annotations

import json
import random
import string
from urllib.parse import unquote_plus

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from tests import server_process
from tests.alert_requests import CHANNEL, HMAC_SECRET, TOKEN, payload, send, unique
from tests.cli import run_app
from tests.server_process import ServerProcess, database_url, server_env, unique_id
from tests.slack_signing import mention_event, unique_ts

e2e_db_url, e2e_slack_module, e2e_slack = server_process.e2e_db_url, server_process.e2e_slack_module, \
    server_process.e2e_slack
signer = server_process.signer

LOG = """Creating/updating online deployment blue ....
ERROR: (BadArgument) ERR_1200: Unable to download user container image. Failed to pull image
myacr.azurecr.io/azureml/azureml_3f2a:latest for deployment blue of endpoint fraud-ep"""
_rng = random.Random()
ALNUM = string.ascii_letters + string.digits


def _key(length: int, alphabet: str = ALNUM) -> str:
    """Random, with upper case, lower case and digits (what a generated key has)."""
    while True:
        value = "".join(_rng.choice(alphabet) for _ in range(length))
        if any(c.isupper() for c in value) and any(c.islower() for c in value) and any(c.isdigit() for c in value):
            return value


def _secrets() -> dict[str, tuple[str, str]]:
    """kind -> (the line a user or a service would write, the secret in it)."""
    b64 = ALNUM + "+/"
    found = {
        "bearer token": "curl -H 'Authorization: Bearer {}' https://fraud-ep.westeurope.inference.ml.azure.com/score",
        "jwt": "token {}",
        "sas signature": "https://acct.blob.core.windows.net/models/m.pkl?sv=2022-11-02&sr=b&sig={}&se=2026",
        "connection string": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={};EndpointSuffix=core",
        "bare storage key": "the key is\n{}\n",
        "bare endpoint key": "az ml online-endpoint get-credentials -o tsv --query primaryKey printed\n{}\n",
        "aws key id": "export AWS_ACCESS_KEY_ID={}",
        "aws secret key": "aws_secret_access_key = {}",
        "github token": "git clone with {}",
        "slack bot token": "SLACK_BOT_TOKEN {}",
        "slack app token": "socket mode with {}",
        "sk- key": "OPENAI_KEY is {}",
        "private key": "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
        "DB_PASSWORD": "DB_PASSWORD={}",
        "POSTGRES_PASSWORD": "  POSTGRES_PASSWORD: {}",
        "AZURE_CLIENT_SECRET": "AZURE_CLIENT_SECRET={}",
    }
    values = {
        "bearer token": _key(32),
        "jwt": "eyJhbGciOiJSUzI1NiJ9." + _key(24) + "." + _key(30),
        "sas signature": _key(30) + "%2B" + _key(10) + "%3D",
        "connection string": _key(86, b64) + "==",
        "bare storage key": _key(86, b64) + "==",
        "bare endpoint key": _key(32),
        "aws key id": "AKIA" + "".join(_rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
        "aws secret key": _key(40, b64),
        "github token": "ghp_" + _key(36),
        "slack bot token": f"xoxb-{_rng.randrange(10**9, 10**10)}-{_rng.randrange(10**9, 10**10)}-{_key(24)}",
        "slack app token": f"xapp-1-A{_rng.randrange(10**9, 10**10)}-{_rng.randrange(10**12, 10**13)}-"
                           + "".join(_rng.choice("0123456789abcdef") for _ in range(40)),
        "sk- key": "sk-proj-" + _key(40),
        "private key": "MIIEpAIBAAKCAQEA" + _key(48, b64),
        "DB_PASSWORD": "Sommer" + _key(10) + "!",
        "POSTGRES_PASSWORD": "pg-" + _key(18),
        "AZURE_CLIENT_SECRET": "Q7r8Q~" + _key(34),
    }
    return {kind: (line.format(values[kind]), values[kind]) for kind, line in found.items()}


SECRETS = _secrets()
BLOCK = "\n".join(line for line, _ in SECRETS.values())
assert len(SECRETS) == 16


def leaks(haystack: str) -> list[str]:
    return [kind for kind, (_, secret) in SECRETS.items() if secret in haystack]


def dump_tables(url: str) -> str:
    """Every row of every table, as text."""
    engine = create_engine(database_url(url), poolclass=NullPool)
    try:
        out = []
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                    out.append(f"{table}: " + json.dumps([str(v) for v in row], ensure_ascii=False))
        return "\n".join(out)
    finally:
        engine.dispose()


def slack_calls_text(slack) -> str:
    """What the server sent to Slack: each call's raw body (URL-decoded too) and its parsed fields."""
    parts = []
    for call in slack.calls():
        raw = call.raw.decode("utf-8", "replace")
        parts += [call.path, json.dumps(call.query), raw, unquote_plus(raw), json.dumps(call.body, ensure_ascii=False)]
    return "\n".join(parts)


ALERT_ENV = {"ALERT_WEBHOOK_TOKEN": TOKEN, "ALERT_WEBHOOK_HMAC_SECRET": HMAC_SECRET, "ALERT_CHANNEL": CHANNEL,
             "ALERT_CHANNEL_RATE": "50", "ALERT_MAX_BYTES": "65536"}


@pytest.fixture(scope="module")
def server(e2e_db_url, e2e_slack_module):
    with ServerProcess(server_env(database_url=e2e_db_url, slack=e2e_slack_module, **ALERT_ENV)) as running:
        yield running


def with_secrets(source: str, body: dict) -> dict:
    """The sample payload with the secrets where each sender carries free text."""
    if source in ("alertmanager", "grafana"):
        alert = body["alerts"][0]
        alert["annotations"]["description"] = BLOCK
        alert["labels"]["token"] = SECRETS["github token"][1]
        alert["annotations"]["runbook_url"] = "https://acct.blob.core.windows.net/r/run.md?sv=1&sig=" \
                                              + SECRETS["sas signature"][1]
    elif source == "azure-monitor":
        body["data"]["essentials"]["description"] = BLOCK
    else:
        body["text"] = BLOCK
        body["labels"]["password"] = SECRETS["DB_PASSWORD"][1]
        body["links"].append({"label": "model", "url": SECRETS["sas signature"][0]})
    return body


def test_sixteen_kinds_of_secret_reach_no_table_slack_call_or_log_line(server, e2e_slack, e2e_db_url, signer):
    assert server.running
    # A mention with a paste, a mention with an attached file, and a mention under a thread.
    mention_channel, file_channel, thread_channel = unique_id("C"), unique_id("C"), unique_id("C")
    assert server.post(signer.event(mention_event(f"<@UBOT> ```{LOG}\n{BLOCK}```", channel=mention_channel))
                       ).status == 200
    file = e2e_slack.add_file("deploy.log", f"{LOG}\n{BLOCK}\n")
    assert server.post(signer.event(mention_event("<@UBOT> log attached", channel=file_channel, files=[file]))
                       ).status == 200
    parent = unique_ts()
    e2e_slack.set_thread(thread_channel, parent, [
        {"type": "message", "user": "U123", "ts": parent, "thread_ts": parent, "text": f"```{LOG}\n{BLOCK}```"}])
    assert server.post(signer.event(mention_event("<@UBOT> what is going on?", channel=thread_channel,
                                                    thread_ts=parent))).status == 200
    # Each alert source.
    tag = unique_id("s")
    for source, name in (("alertmanager", "alertmanager_firing"), ("azure-monitor", "azure_metric_firing"),
                         ("grafana", "grafana_firing"), ("generic", "generic_firing")):
        result = send(server, source, unique(source, with_secrets(source, payload(name)), tag))
        assert result.status == 202, (source, result.status, result.text)
    # The CLI, on the same database.
    cli = run_app("diagnose", "-", stdin=f"{LOG}\n{BLOCK}\n".encode(), database_url=e2e_db_url)
    assert cli.returncode == 0, cli.stderr.decode()

    for channel in (mention_channel, file_channel, thread_channel):
        e2e_slack.wait_for("chat.postMessage", ok_only=True, timeout=30,
                           where=lambda c, channel=channel: c.body.get("channel") == channel)
    e2e_slack.wait_for("chat.postMessage", 4, ok_only=True, timeout=30,
                       where=lambda c: c.body.get("channel") == CHANNEL)
    e2e_slack.wait_quiet(0.5, timeout=15)

    tables, calls, log = dump_tables(e2e_db_url), slack_calls_text(e2e_slack), server.logs()
    cli_output = cli.stdout.decode() + cli.stderr.decode()
    # The texts arrived and were kept, masked: the sweep below looks where the secrets would be.
    assert tables.count("[REDACTED]") >= 16 * 5, tables[:2000]
    assert "ERR_1200" in calls
    assert leaks(tables) == [], "in the database"
    assert leaks(calls) == [], "in Slack calls"
    assert leaks(log) == [], "in the server's log"
    assert leaks(cli_output) == [], "in the CLI's output"
