"""Settings: read from the environment and .env, every unusable value reported on a line of its own."""

from __future__ import annotations

from pathlib import Path

from bot.settings import DEFAULT_DATABASE_URL, Settings

BOT = "xoxb-1-2-abc"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
APP = "xapp-1-A1-2-abc"


def test_an_empty_environment_gives_the_defaults_and_no_problem():
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.host, settings.port, settings.web_threads) == ("0.0.0.0", 3000, 8)
    assert settings.slack_command == "/troubleshoot"
    assert settings.slack_api_url is None
    assert settings.slack_mode == "off"
    assert settings.validate() == []


def test_every_variable_is_read():
    settings = Settings.from_env({
        "DATABASE_URL": "postgresql://bot@db/tsgbot", "KNOWLEDGE_DIR": "/kb", "LOG_LEVEL": "debug",
        "SLACK_BOT_TOKEN": BOT, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": "http://127.0.0.1:8765/api/",
        "SLACK_COMMAND": "/tsg", "HOST": "127.0.0.1", "PORT": "8080", "WEB_THREADS": "16",
    })
    assert settings.database_url == "postgresql://bot@db/tsgbot"
    assert settings.knowledge_dir == Path("/kb")
    assert settings.log_level == "DEBUG"
    assert (settings.slack_bot_token, settings.slack_signing_secret) == (BOT, SECRET)
    assert settings.slack_api_url == "http://127.0.0.1:8765/api/"
    assert (settings.slack_command, settings.host) == ("/tsg", "127.0.0.1")
    assert (settings.port, settings.web_threads) == (8080, 16)
    assert settings.slack_mode == "http"
    assert settings.validate() == []


def test_the_slack_api_url_gets_its_trailing_slash():
    assert Settings.from_env({"SLACK_API_URL": "http://127.0.0.1:8765/api"}).slack_api_url == "http://127.0.0.1:8765/api/"


def test_an_app_token_means_socket_mode_and_needs_no_signing_secret():
    settings = Settings.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP})
    assert settings.slack_mode == "socket"
    assert settings.validate() == []


def test_blank_values_count_as_unset():
    settings = Settings.from_env({"SLACK_BOT_TOKEN": " ", "PORT": "", "DATABASE_URL": ""})
    assert settings.slack_mode == "off" and settings.port == 3000 and settings.database_url == DEFAULT_DATABASE_URL
    assert settings.validate() == []


def test_each_problem_is_one_clear_line():
    settings = Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_APP_TOKEN": "abc", "PORT": "http", "WEB_THREADS": "0",
        "LOG_LEVEL": "loud", "SLACK_COMMAND": "troubleshoot", "SLACK_API_URL": "slack.com/api",
        "DATABASE_URL": "not a url",
    })
    assert settings.validate() == [
        "PORT must be a number 1-65535, not 'http'",
        "WEB_THREADS must be a number 1-256, not '0'",
        "SLACK_BOT_TOKEN must start with xoxb- (OAuth & Permissions > Bot User OAuth Token)",
        "SLACK_APP_TOKEN must start with xapp- (Basic Information > App-Level Tokens)",
        "SLACK_COMMAND must be a slash command such as /troubleshoot, not 'troubleshoot'",
        "SLACK_API_URL must be an http(s) URL such as https://slack.com/api/, not 'slack.com/api/'",
        "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'",
        "DATABASE_URL must be a database URL such as sqlite:///tsgbot.db or postgresql://user@host/db",
    ]
    assert (settings.port, settings.web_threads) == (3000, 8)  # the defaults stay in place of bad values


def test_a_port_out_of_range_is_a_problem():
    assert Settings.from_env({"PORT": "70000"}).validate() == ["PORT must be a number 1-65535, not '70000'"]


def test_the_workers_metrics_port_defaults_to_3001_and_0_turns_it_off():
    assert Settings.from_env({}).metrics_port == 3001
    assert Settings.from_env({"METRICS_PORT": "0"}).metrics_port == 0
    assert Settings.from_env({"METRICS_PORT": "metrics"}).validate() == [
        "METRICS_PORT must be a number 0-65535, not 'metrics'"]


def test_a_half_configured_slack_says_what_is_missing():
    assert Settings.from_env({"SLACK_BOT_TOKEN": BOT}).validate() == [
        "SLACK_SIGNING_SECRET is missing: Slack signs every request with it (Basic Information > App Credentials); "
        "or set SLACK_APP_TOKEN for Socket Mode"]
    assert Settings.from_env({"SLACK_SIGNING_SECRET": SECRET}).validate() == [
        "SLACK_BOT_TOKEN is missing: the bot cannot answer without it (xoxb-...)"]
    assert Settings.from_env({"SLACK_BOT_TOKEN": BOT}).slack_mode == "off"


def test_a_database_other_than_sqlite_or_postgresql_is_a_problem():
    assert Settings.from_env({"DATABASE_URL": "mysql://bot@db/tsgbot"}).validate() == [
        "DATABASE_URL must name SQLite or PostgreSQL, not 'mysql'"]


def test_problems_never_show_a_secret():
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxp-secret-value", "SLACK_SIGNING_SECRET": "s3cr3t",
                                  "SLACK_APP_TOKEN": "wrong-secret-app-token"})
    text = "\n".join(settings.validate())
    assert "secret-value" not in text and "s3cr3t" not in text and "wrong-secret" not in text


def test_the_process_environment_reads_a_dot_env_file_which_the_environment_overrides(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={BOT}\nSLACK_SIGNING_SECRET={SECRET}\nPORT=4000\n"
                                   "# a comment\nWEB_THREADS=4\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "WEB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORT", "5000")
    settings = Settings.from_env()
    assert (settings.slack_bot_token, settings.slack_signing_secret) == (BOT, SECRET)
    assert (settings.port, settings.web_threads) == (5000, 4)
    assert settings.slack_mode == "http"


def test_an_explicit_environment_ignores_the_working_directory_dot_env(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("PORT=4000\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({}).port == 3000
    assert Settings.from_env({}, dotenv=tmp_path / ".env").port == 4000
    assert Settings.from_env({"PORT": "4500"}, dotenv=tmp_path / ".env").port == 4500


def test_settings_made_in_code_are_valid_and_have_no_slack():
    settings = Settings(database_url="sqlite:///x.db")
    assert settings.validate() == [] and settings.slack_mode == "off"


def test_kb_maintainers_are_slack_user_ids_and_anything_else_is_reported():
    settings = Settings.from_env({"KB_MAINTAINERS": "U0123ABCD, W0456EFGH  U0789"})
    assert settings.kb_maintainers == {"U0123ABCD", "W0456EFGH", "U0789"} and settings.validate() == []
    bad = Settings.from_env({"KB_MAINTAINERS": "U0123ABCD @alice"})
    assert bad.kb_maintainers == {"U0123ABCD"}
    assert any("KB_MAINTAINERS must be Slack user ids" in p and "'@alice'" in p for p in bad.validate())
    assert Settings.from_env({}).kb_maintainers == frozenset()


def test_the_slack_request_checks_and_the_heavy_paste_pool_are_read():
    settings = Settings.from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_SIGNING_SECRET": SECRET,
                                  "SLACK_SIGNING_SECRET_OLD": "0ld" + SECRET[3:], "SLACK_TEAM_ID": "T0123ABCD",
                                  "SLACK_APP_ID": "A0123ABCD", "DIAGNOSIS_WORKERS": "3", "DIAGNOSIS_QUEUE": "0",
                                  "DIAGNOSIS_TIME_LIMIT": "7.5"})
    assert settings.validate() == []
    assert settings.slack_signing_secrets == (SECRET, "0ld" + SECRET[3:])
    assert (settings.slack_team_id, settings.slack_app_id) == ("T0123ABCD", "A0123ABCD")
    assert (settings.diagnosis_workers, settings.diagnosis_queue, settings.diagnosis_time_limit) == (3, 0, 7.5)
    defaults = Settings.from_env({})
    assert defaults.slack_signing_secrets == () and (defaults.slack_team_id, defaults.slack_app_id) == (None, None)
    assert (defaults.diagnosis_workers, defaults.diagnosis_queue, defaults.diagnosis_time_limit) == (2, 8, 20.0)


def test_unusable_request_check_and_pool_settings_are_problems():
    problems = Settings.from_env({"SLACK_TEAM_ID": "my-team", "SLACK_APP_ID": "T0123", "SLACK_SIGNING_SECRET_OLD": "x",
                                  "DIAGNOSIS_WORKERS": "0", "DIAGNOSIS_TIME_LIMIT": "soon"}).validate()
    assert any(p.startswith("SLACK_TEAM_ID must be a Slack id") and "'my-team'" in p for p in problems)
    assert any(p.startswith("SLACK_APP_ID must be a Slack id") for p in problems)
    assert any(p.startswith("SLACK_SIGNING_SECRET_OLD is set without SLACK_SIGNING_SECRET") for p in problems)
    assert any(p.startswith("DIAGNOSIS_WORKERS must be a number 1-16") for p in problems)
    assert any(p.startswith("DIAGNOSIS_TIME_LIMIT must be seconds") for p in problems)
