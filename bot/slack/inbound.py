"""A verified Slack request body, read as Slack means it, and what it may make the bot do.

Bolt's own parser guesses: any form body containing the word `payload` is taken for an
interactivity payload (so `/troubleshoot HTTP 413 payload too large` got "unhandled request"), and a
body starting with `{` is JSON whatever its type says. Here the Content-Type decides: a form is a
slash command (or an ssl_check) unless its one field is `payload`; JSON must be an object.
Everything here runs only after the signature was checked (bot.slack.signature).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping, Sequence

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MAX_FORM_FIELDS = 100  # a slash command has about 15
SLACK_HOOKS = "https://hooks.slack.com/"  # where Slack's response_urls point
UNSCOPED_TYPES = ("url_verification",)  # sent when the request URL is set up: no team, no app
# The key of Bolt's context that says the request passed bot.web.slack_events: the error handler uses
# a body's channel or response_url only then.
VERIFIED = "tsgbot_verified"


class Malformed(ValueError):
    """A signed body that is not what Slack sends (400: the sender is ours, but something is off)."""


def parse_body(raw: bytes, content_type: str) -> dict:
    """The request as a dict: form fields, the JSON object of an interactivity `payload`, or the JSON body."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("the body is not UTF-8") from None
    try:
        if content_type == JSON:
            return _object(json.loads(text))
        if content_type == FORM:
            fields = _form(text)
            if "command" in fields or "ssl_check" in fields:
                return fields
            if "payload" in fields:
                return _object(json.loads(fields["payload"]))
            raise Malformed("the form is neither a slash command nor an interactivity payload")
    except RecursionError:  # nesting deeper than the interpreter's stack
        raise Malformed("the JSON is nested too deeply") from None
    except ValueError as exc:
        raise Malformed(f"the body is not valid JSON: {str(exc)[:120]}") from None
    raise Malformed(f"unexpected Content-Type {content_type or 'none'!r}: Slack sends {FORM} or {JSON}")


def _form(text: str) -> dict[str, str]:
    try:
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError as exc:  # too many fields
        raise Malformed(f"the form is not one Slack sends: {exc}") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)  # a repeated field cannot override the first
    return fields


def _object(value: object) -> dict:
    if not isinstance(value, dict):
        raise Malformed("the JSON is not an object")
    return value


def origin(body: Mapping) -> tuple[str | None, str | None]:
    """(team id, app id) a request comes from: events and slash commands say `team_id`, interactivity
    payloads `team.id` (or the user's `team_id`)."""
    team = body.get("team_id")
    if not team and isinstance(body.get("team"), Mapping):
        team = body["team"].get("id")
    if not team and isinstance(body.get("user"), Mapping):
        team = body["user"].get("team_id")
    app = body.get("api_app_id")
    return (team if isinstance(team, str) else None), (app if isinstance(app, str) else None)


def needs_origin(body: Mapping) -> bool:
    """False for the requests Slack sends without a team or app: the URL check and the SSL check."""
    return body.get("type") not in UNSCOPED_TYPES and "ssl_check" not in body


def response_url_allowed(url: object, allowed: Sequence[str]) -> bool:
    """Whether `url` starts with one of the `allowed` prefixes (Slack's hooks, or a configured test fake).

    The prefix is matched on the parsed URL's scheme, host and port, so `https://hooks.slack.com.evil/`
    or `https://hooks.slack.com@evil/` does not pass for Slack's.
    """
    if not isinstance(url, str):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None or "\\" in url:
        return False
    for prefix in allowed:
        want = urllib.parse.urlsplit(prefix)
        if (parts.scheme, parts.hostname, port) == (want.scheme, want.hostname, want.port) \
                and parts.path.startswith(want.path or "/"):
            return True
    return False


def response_urls(body: Mapping) -> list[object]:
    """Every response_url a request carries (interactivity and slash commands: one; view submissions: a list)."""
    found: list[object] = []
    if "response_url" in body:
        found.append(body["response_url"])
    listed = body.get("response_urls")
    for item in listed if isinstance(listed, list) else ():
        if isinstance(item, Mapping):
            found.append(item.get("response_url"))
    return found
