"""Requests signed exactly as Slack signs them, and the bodies Slack sends.

    signer = Signer("signing-secret")
    request = signer.slash_command("ERR_1200 ...", response_url=slack.response_url())
    request.headers  # Content-Type, X-Slack-Request-Timestamp, X-Slack-Signature (v0=hex HMAC-SHA256)
    request.forged() / request.unsigned() / request.stale() / request.retried(1, "http_timeout")

Slack signs `v0:{timestamp}:{raw body}` with the app's signing secret (HMAC-SHA256, hex, prefixed
`v0=`) and sends the timestamp in `X-Slack-Request-Timestamp`; receivers refuse timestamps more
than five minutes away. Slash commands arrive as form bodies, events as `event_callback` JSON,
interactivity (buttons, shortcuts) as a form with one field, `payload`, holding JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field, replace

TEAM = {"id": "T1", "domain": "tsg-test"}
APP_ID = "A0TSGBOT"
BOT_USER = "UBOT"
VERIFICATION_TOKEN = "legacy-verification-token"  # Slack still sends it; Bolt ignores it
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_counter = itertools.count(1)


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def unique_ts() -> str:
    """A message ts like Slack's ("1700000123.000456"), unique within this process."""
    n = next(_counter)
    return f"{int(time.time())}.{n:06d}"


def unique_id(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(5).upper()}"


@dataclass(frozen=True)
class SlackRequest:
    """A body and the headers Slack sends with it."""

    body: bytes
    content_type: str
    timestamp: int
    secret: str = field(repr=False)
    extra_headers: tuple[tuple[str, str], ...] = ()
    signature_header: str | None = "auto"  # "auto": the right one; None: no header; else that value

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": self.content_type, "X-Slack-Request-Timestamp": str(self.timestamp),
                   "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        if self.signature_header == "auto":
            headers["X-Slack-Signature"] = signature(self.secret, self.timestamp, self.body)
        elif self.signature_header is not None:
            headers["X-Slack-Signature"] = self.signature_header
        headers.update(self.extra_headers)
        return headers

    @property
    def json(self) -> dict:
        """The decoded body: the JSON, the `payload` of an interactivity form, or the form fields."""
        if self.content_type == JSON:
            return json.loads(self.body)
        form = dict(urllib.parse.parse_qsl(self.body.decode()))
        return json.loads(form["payload"]) if "payload" in form else form

    def forged(self) -> SlackRequest:
        """Signed with another secret."""
        return replace(self, signature_header=signature("not-" + self.secret, self.timestamp, self.body))

    def tampered(self) -> SlackRequest:
        """The right signature for the original body, sent with a changed body."""
        return replace(self, body=self.body.replace(b"U", b"W", 1),
                       signature_header=signature(self.secret, self.timestamp, self.body))

    def unsigned(self) -> SlackRequest:
        return replace(self, signature_header=None)

    def stale(self, seconds: int = 6 * 60) -> SlackRequest:
        """Correctly signed, but with a timestamp `seconds` in the past (Slack's window is 5 minutes)."""
        return replace(self, timestamp=int(time.time()) - seconds)

    def resigned(self) -> SlackRequest:
        """The same body signed now (a retry is signed afresh)."""
        return replace(self, timestamp=int(time.time()))

    def retried(self, num: int = 1, reason: str = "http_timeout") -> SlackRequest:
        """The same body delivered again, as Slack retries an event it thinks failed."""
        return replace(self, timestamp=int(time.time()),
                       extra_headers=(("X-Slack-Retry-Num", str(num)), ("X-Slack-Retry-Reason", reason)))


class Signer:
    """Builds signed requests for one app (one signing secret)."""

    def __init__(self, secret: str, *, command: str = "/troubleshoot"):
        self.secret = secret
        self.command = command

    def sign(self, body: bytes, content_type: str, *, timestamp: int | None = None) -> SlackRequest:
        return SlackRequest(body=body, content_type=content_type,
                            timestamp=int(time.time()) if timestamp is None else timestamp, secret=self.secret)

    # -- slash commands -----------------------------------------------------------------------

    def slash_command(self, text: str, *, response_url: str, user_id: str = "U123", user_name: str = "alice",
                      channel_id: str = "C123", channel_name: str = "ml-ops", command: str | None = None
                      ) -> SlackRequest:
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command or self.command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{next(_counter)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}",
        }
        return self.sign(urllib.parse.urlencode(fields).encode(), FORM)

    # -- events -------------------------------------------------------------------------------

    def event(self, event: dict, *, event_id: str | None = None, event_time: int | None = None) -> SlackRequest:
        """An `event_callback` envelope around `event`."""
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM["id"],
            "context_team_id": TEAM["id"],
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or unique_id("Ev"),
            "event_time": event_time or int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": TEAM["id"], "user_id": BOT_USER,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_hex(24)}",
        }
        return self.sign(json.dumps(envelope).encode(), JSON)

    def url_verification(self, challenge: str = "challenge-token") -> SlackRequest:
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self.sign(json.dumps(body).encode(), JSON)

    # -- interactivity ------------------------------------------------------------------------

    def interactive(self, payload: dict) -> SlackRequest:
        """An interactivity request: `payload=<urlencoded JSON>`."""
        return self.sign(urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), FORM)

    def block_actions(self, action: dict, *, response_url: str, user_id: str = "U123", user_name: str = "alice",
                      channel_id: str = "C123", message: dict | None = None, message_ts: str | None = None,
                      ephemeral: bool = True) -> SlackRequest:
        """A click on `action` (a button or select element as rendered, plus what the user picked).

        Ephemeral messages (slash command answers) come without `message`; Slack still sends the
        container and the response_url."""
        action = {**action, "action_ts": f"{time.time():.6f}"}
        action.setdefault("block_id", unique_id("b"))
        ts = message_ts or (message or {}).get("ts") or unique_ts()
        payload = {
            "type": "block_actions",
            "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": TEAM["id"]},
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "container": {"type": "message", "message_ts": ts, "channel_id": channel_id, "is_ephemeral": ephemeral},
            "trigger_id": f"{next(_counter)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}",
            "team": TEAM,
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel_id, "name": "ml-ops"},
            "state": {"values": {}},
            "response_url": response_url,
            "actions": [action],
        }
        if message is not None:
            payload["message"] = message
        return self.interactive(payload)

    def message_action(self, message: dict, *, response_url: str, callback_id: str = "diagnose_message",
                       user_id: str = "U123", user_name: str = "alice", channel_id: str = "C123") -> SlackRequest:
        """The message shortcut on `message` (a dict with at least ts, text and user)."""
        payload = {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": f"{time.time():.6f}",
            "team": TEAM,
            "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": TEAM["id"]},
            "channel": {"id": channel_id, "name": "ml-ops"},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": f"{next(_counter)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}",
            "response_url": response_url,
            "message_ts": message["ts"],
            "message": {"type": "message", **message},
        }
        return self.interactive(payload)


# -- events as Slack shapes them ----------------------------------------------------------------


def mention_event(text: str, *, channel: str = "C123", user: str = "U123", ts: str | None = None,
                  thread_ts: str | None = None, files: list[dict] | None = None) -> dict:
    """An `app_mention`; `text` should contain `<@UBOT>` as Slack writes the mention."""
    ts = ts or unique_ts()
    event = {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts,
             "team": TEAM["id"], "client_msg_id": secrets.token_hex(16)}
    if thread_ts:
        event["thread_ts"] = thread_ts
    if files:
        event["files"] = files
        event["upload"] = False
    return event


def message_event(text: str, *, channel: str = "D123", user: str | None = "U123", channel_type: str = "im",
                  ts: str | None = None, thread_ts: str | None = None, bot_id: str | None = None,
                  subtype: str | None = None, files: list[dict] | None = None, **extra) -> dict:
    """A `message` event (a DM by default); `bot_id`/`subtype` make it a bot's or a special one."""
    ts = ts or unique_ts()
    event = {"type": "message", "text": text, "ts": ts, "channel": channel, "event_ts": ts,
             "channel_type": channel_type, "team": TEAM["id"]}
    if user is not None:
        event["user"] = user
    if thread_ts:
        event["thread_ts"] = thread_ts
    if bot_id:
        event["bot_id"] = bot_id
        event["bot_profile"] = {"id": bot_id, "name": "otherbot", "app_id": "A0OTHER", "team_id": TEAM["id"]}
    if subtype:
        event["subtype"] = subtype
    if files:
        event["files"] = files
    if user is not None and not bot_id and not subtype:
        event["client_msg_id"] = secrets.token_hex(16)
    event.update(extra)
    return event


def app_home_opened_event(user: str = "U123") -> dict:
    return {"type": "app_home_opened", "user": user, "channel": "D123", "tab": "home",
            "event_ts": f"{time.time():.6f}"}
