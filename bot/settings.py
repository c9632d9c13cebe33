"""Settings read once, by the composition root, from the environment (and an optional .env file).

Parsing never fails: a value that cannot be used keeps its default and leaves a line in `problems`,
so `validate()` can report every problem at once (`serve` prints them and exits 2).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'tsgbot.db'}"
DEFAULT_COMMAND = "/troubleshoot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_THREADS = 256
MIN_SECRET = 16  # shorter webhook secrets can be guessed
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
SLACK_ID_RE = re.compile(r"[A-Z0-9]{2,32}")  # team (T..., E... on Enterprise Grid) and app (A...) ids
ROLES = ("serve", "worker")  # what validate() checks the settings for


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    knowledge_dir: Path = ROOT / "knowledge"
    log_level: str = "INFO"
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None  # the Web API base URL, ending in '/'; None: Slack's own
    slack_command: str = DEFAULT_COMMAND
    # The old signing secret, still accepted while a new one is rolled out (see README, Security).
    slack_signing_secret_old: str | None = None
    # The workspace and app whose requests are answered; others are ignored. Team: learned from
    # auth.test when not set; app: not checked when not set (unless auth.test names it).
    slack_team_id: str | None = None
    slack_app_id: str | None = None
    # Heavy pastes (bot.diagnosis_pool): processes diagnosing them, how many more may wait, and how
    # long one may take before the person is told it took too long (a slash command: 2 s at most).
    diagnosis_workers: int = 2
    diagnosis_queue: int = 8
    diagnosis_time_limit: float = 20.0
    host: str = "0.0.0.0"
    port: int = 3000
    web_threads: int = 8
    kb_poll_seconds: int = 2  # how often a server looks for a new knowledge-base version; 0: never
    # Slack user ids who may accept or reject feedback examples from Slack (`/troubleshoot feedback`).
    kb_maintainers: frozenset[str] = frozenset()
    web_workers: int = 1  # gunicorn worker processes
    # Alert webhooks (POST /alerts/<source>): off until a token or an HMAC secret is set.
    alert_token: str | None = None
    alert_hmac_secret: str | None = None
    alert_channel: str | None = None  # where alerts go when no route says otherwise
    alert_routes: Path | None = None  # a YAML file of routes by label, severity, endpoint...
    alert_lang: str = "en"
    alert_note_minutes: int = 60  # at most one "still firing" note per alert in this many minutes
    alert_max_bytes: int = 1_048_576  # larger request bodies are refused with 413
    alert_channel_rate: float = 1.0  # messages per second per channel (Slack's guidance: about one)
    alert_storm_threshold: int = 20  # more new alerts than this waiting for one channel: a storm summary (0: off)
    alert_storm_quiet_minutes: int = 10  # a storm takes new alerts until none came for this long
    delivery_worker: bool = True  # run the delivery worker inside `serve`
    delivery_lease_seconds: int = 60  # a claimed job returns to the queue after this long
    metrics_port: int = 3001  # where `python app.py worker` serves GET /metrics (on HOST); 0: nowhere
    # Problems met while parsing the environment (values that could not be used).
    problems: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def safe_database_url(self) -> str:
        """The database URL with any password masked, for messages and logs."""
        from bot.engine.redact import redact

        return redact(self.database_url)

    @property
    def slack_mode(self) -> str:
        """'socket' (SLACK_APP_TOKEN), 'http' (bot token and signing secret) or 'off'."""
        if self.slack_bot_token and self.slack_app_token:
            return "socket"
        if self.slack_bot_token and self.slack_signing_secret:
            return "http"
        return "off"

    @property
    def slack_signing_secrets(self) -> tuple[str, ...]:
        """The signing secrets a request may be signed with: the current one, then the old one."""
        return tuple(s for s in (self.slack_signing_secret, self.slack_signing_secret_old) if s)

    @property
    def alerts_on(self) -> bool:
        return bool(self.alert_token or self.alert_hmac_secret)

    def validate(self, *, role: str = "serve") -> list[str]:
        """Every problem with these settings, one line each; empty when they are usable.

        `role` is the command they are for: `serve` receives Slack's requests (signing secret or
        Socket Mode needed beside the bot token); `worker` only calls Slack's Web API with the bot
        token, so a signing secret or app token is neither required nor missed there.
        """
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        problems = list(self.problems)
        if self.slack_bot_token and not self.slack_bot_token.startswith("xoxb-"):
            problems.append("SLACK_BOT_TOKEN must start with xoxb- (OAuth & Permissions > Bot User OAuth Token)")
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            problems.append("SLACK_APP_TOKEN must start with xapp- (Basic Information > App-Level Tokens)")
        if role == "worker":
            if not self.slack_bot_token:
                problems.append("SLACK_BOT_TOKEN is missing: the worker sends alert messages to Slack with it "
                                "(xoxb-...)")
        elif self.slack_bot_token and not (self.slack_signing_secret or self.slack_app_token):
            problems.append("SLACK_SIGNING_SECRET is missing: Slack signs every request with it "
                            "(Basic Information > App Credentials); or set SLACK_APP_TOKEN for Socket Mode")
        elif not self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token):
            problems.append("SLACK_BOT_TOKEN is missing: the bot cannot answer without it (xoxb-...)")
        if not self.slack_command.startswith("/") or len(self.slack_command) < 2 or " " in self.slack_command:
            problems.append(f"SLACK_COMMAND must be a slash command such as {DEFAULT_COMMAND}, "
                            f"not {self.slack_command!r}")
        for name, value, first in (("SLACK_TEAM_ID", self.slack_team_id, "TE"),
                                   ("SLACK_APP_ID", self.slack_app_id, "A")):
            if value is not None and not (value[:1] in first and SLACK_ID_RE.fullmatch(value)):
                problems.append(f"{name} must be a Slack id such as {'T0123ABCD' if first == 'TE' else 'A0123ABCD'} "
                                f"(Slack's app settings, Basic Information), not {value!r}")
        if self.slack_signing_secret_old and not self.slack_signing_secret:
            problems.append("SLACK_SIGNING_SECRET_OLD is set without SLACK_SIGNING_SECRET: set the new secret too")
        if self.slack_api_url and not self.slack_api_url.startswith(("http://", "https://")):
            problems.append(f"SLACK_API_URL must be an http(s) URL such as https://slack.com/api/, "
                            f"not {self.slack_api_url!r}")
        if self.alerts_on and not (self.alert_channel or self.alert_routes):
            problems.append("ALERT_CHANNEL is missing: alert webhooks are on (ALERT_WEBHOOK_TOKEN or "
                            "ALERT_WEBHOOK_HMAC_SECRET) but nothing says where alerts go; or set ALERT_ROUTES")
        if self.alert_routes is not None and not self.alert_routes.is_file():
            problems.append(f"ALERT_ROUTES: no such file: {self.alert_routes}")
        for name, value in (("ALERT_WEBHOOK_TOKEN", self.alert_token), ("ALERT_WEBHOOK_HMAC_SECRET",
                                                                        self.alert_hmac_secret)):
            if value is not None and len(value) < MIN_SECRET:
                problems.append(f"{name} must be at least {MIN_SECRET} characters (a random one: "
                                f"python -c 'import secrets; print(secrets.token_urlsafe(32))')")
        if self.log_level not in LOG_LEVELS:
            problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {self.log_level!r}")
        problem = _database_url_problem(self.database_url)
        if problem:
            problems.append(problem)
        return problems

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, *, dotenv: Path | None = None) -> Settings:
        """Settings from `environ` (default: the process environment plus `./.env`, which it overrides).

        A `dotenv` file given explicitly is read under `environ` too; the environment always wins.
        """
        if environ is None:
            env = {**_read_dotenv(dotenv or Path.cwd() / ".env"), **os.environ}
        else:
            env = {**(_read_dotenv(dotenv) if dotenv else {}), **environ}
        problems: list[str] = []

        def text(name: str) -> str | None:
            value = (env.get(name) or "").strip()
            return value or None

        api_url = text("SLACK_API_URL")
        if api_url and not api_url.endswith("/"):
            api_url += "/"  # slack_sdk joins the method name straight onto it
        return cls(
            database_url=text("DATABASE_URL") or DEFAULT_DATABASE_URL,
            knowledge_dir=Path(text("KNOWLEDGE_DIR") or ROOT / "knowledge"),
            log_level=(text("LOG_LEVEL") or "INFO").upper(),
            slack_bot_token=text("SLACK_BOT_TOKEN"),
            slack_signing_secret=text("SLACK_SIGNING_SECRET"),
            slack_app_token=text("SLACK_APP_TOKEN"),
            slack_api_url=api_url,
            slack_command=text("SLACK_COMMAND") or DEFAULT_COMMAND,
            slack_signing_secret_old=text("SLACK_SIGNING_SECRET_OLD"),
            slack_team_id=text("SLACK_TEAM_ID"),
            slack_app_id=text("SLACK_APP_ID"),
            diagnosis_workers=_number(text("DIAGNOSIS_WORKERS"), 2, 1, 16, "DIAGNOSIS_WORKERS", problems),
            diagnosis_queue=_number(text("DIAGNOSIS_QUEUE"), 8, 0, 1000, "DIAGNOSIS_QUEUE", problems),
            diagnosis_time_limit=_seconds(text("DIAGNOSIS_TIME_LIMIT"), 20.0, "DIAGNOSIS_TIME_LIMIT", problems),
            host=text("HOST") or "0.0.0.0",
            port=_number(text("PORT"), 3000, 1, 65535, "PORT", problems),
            web_threads=_number(text("WEB_THREADS"), 8, 1, MAX_THREADS, "WEB_THREADS", problems),
            kb_poll_seconds=_number(text("KB_POLL_SECONDS"), 2, 0, 3600, "KB_POLL_SECONDS", problems),
            kb_maintainers=_user_ids(text("KB_MAINTAINERS"), "KB_MAINTAINERS", problems),
            web_workers=_number(text("WEB_WORKERS"), 1, 1, 32, "WEB_WORKERS", problems),
            alert_token=text("ALERT_WEBHOOK_TOKEN"),
            alert_hmac_secret=text("ALERT_WEBHOOK_HMAC_SECRET"),
            alert_channel=text("ALERT_CHANNEL"),
            alert_routes=Path(text("ALERT_ROUTES")) if text("ALERT_ROUTES") else None,
            alert_lang=_choice(text("ALERT_LANG"), "en", ("en", "de"), "ALERT_LANG", problems),
            alert_note_minutes=_number(text("ALERT_NOTE_INTERVAL_MINUTES"), 60, 1, 10_080,
                                       "ALERT_NOTE_INTERVAL_MINUTES", problems),
            alert_max_bytes=_number(text("ALERT_MAX_BYTES"), 1_048_576, 1024, 16_777_216, "ALERT_MAX_BYTES", problems),
            alert_channel_rate=_rate(text("ALERT_CHANNEL_RATE"), problems),
            alert_storm_threshold=_number(text("ALERT_STORM_THRESHOLD"), 20, 0, 100_000, "ALERT_STORM_THRESHOLD",
                                          problems),
            alert_storm_quiet_minutes=_number(text("ALERT_STORM_QUIET_MINUTES"), 10, 1, 1440,
                                              "ALERT_STORM_QUIET_MINUTES", problems),
            delivery_worker=_choice(text("DELIVERY_WORKER"), "on", ("on", "off"), "DELIVERY_WORKER",
                                    problems) == "on",
            delivery_lease_seconds=_number(text("DELIVERY_LEASE_SECONDS"), 60, 2, 3600, "DELIVERY_LEASE_SECONDS",
                                           problems),
            metrics_port=_number(text("METRICS_PORT"), 3001, 0, 65535, "METRICS_PORT", problems),
            problems=tuple(problems),
        )


def _number(value: str | None, default: int, low: int, high: int, name: str, problems: list[str]) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        problems.append(f"{name} must be a number {low}-{high}, not {value!r}")
        return default
    return number


def _user_ids(value: str | None, name: str, problems: list[str]) -> frozenset[str]:
    """Slack user ids separated by commas or spaces; any word that is not one is a problem (and left out)."""
    words = [w for w in re.split(r"[\s,]+", value or "") if w]
    bad = [w for w in words if not SLACK_USER_ID.fullmatch(w)]
    if bad:
        problems.append(f"{name} must be Slack user ids such as U0123ABCD (profile > ⋮ > Copy member ID), "
                        f"not {', '.join(repr(w) for w in bad)}")
    return frozenset(w for w in words if SLACK_USER_ID.fullmatch(w))


def _choice(value: str | None, default: str, allowed: tuple[str, ...], name: str, problems: list[str]) -> str:
    if value is None:
        return default
    if value.lower() not in allowed:
        problems.append(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        return default
    return value.lower()


def _rate(value: str | None, problems: list[str]) -> float:
    if value is None:
        return 1.0
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0 < rate <= 100:
        problems.append(f"ALERT_CHANNEL_RATE must be messages per second per channel, more than 0 and at most 100, "
                        f"not {value!r}")
        return 1.0
    return rate


def _seconds(value: str | None, default: float, name: str, problems: list[str]) -> float:
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0.001 <= seconds <= 600:
        problems.append(f"{name} must be seconds, at least 0.001 and at most 600, not {value!r}")
        return default
    return seconds


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def _database_url_problem(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        return "DATABASE_URL must be a database URL such as sqlite:///tsgbot.db or postgresql://user@host/db"
    if backend not in ("sqlite", "postgresql", "postgres"):
        return f"DATABASE_URL must name SQLite or PostgreSQL, not {backend!r}"
    return None
