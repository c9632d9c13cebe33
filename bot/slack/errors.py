"""Failures at the Slack edge: Web API errors counted, one apology with a reference id per failure.

The one `@app.error` handler (`make_error_handler`) logs the details with a short reference id and
gives the user a single short apology naming it: as the answer to a slash command not yet
acknowledged, through the `response_url` where there is one, else as a thread reply. Only for a
request verified before Bolt saw it (bot.web.slack_events): the channel and response_url of any
other body are the sender's choice, not Slack's.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.replies.render import Renderer
from bot.slack.inbound import VERIFIED
from bot.slack.ports import Metrics

REPLIED_EVENTS = ("app_mention", "message")


def api_method(exc: SlackApiError, fallback: str = "unknown") -> str:
    """`chat.postMessage` from the failed response's URL."""
    url = getattr(exc.response, "api_url", "") or ""
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return name or fallback


def api_error_code(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error") or "unknown")
    except Exception:  # a response without a JSON body (e.g. an HTML error page)
        return "unknown"


def count_api_error(metrics: Metrics, exc: SlackApiError, *, method: str | None = None) -> None:
    """Count a Slack Web API error once, however many layers see it."""
    if getattr(exc, "_tsgbot_counted", False):
        return
    metrics.slack_api_error(method=api_method(exc, method or "unknown"), error=api_error_code(exc))
    exc._tsgbot_counted = True  # type: ignore[attr-defined]


def call(metrics: Metrics, method: Callable[..., Any], **kwargs: Any) -> Any:
    """A Web API call whose SlackApiError is counted in the metrics, then raised."""
    try:
        return method(**kwargs)
    except SlackApiError as exc:
        count_api_error(metrics, exc, method=_dotted(getattr(method, "__name__", "")))
        raise


def send(respond: Callable[..., Any], metrics: Metrics, logger: Any = None, **message: Any) -> bool:
    """Post to the interaction's response_url; a refusal (expired URL, bad payload) is counted and
    logged, not raised: the user cannot be told through the URL that just failed."""
    response = respond(**message)
    status = getattr(response, "status_code", 200)
    if status is None or 200 <= status < 300:
        return True
    metrics.slack_api_error(method="response_url", error=f"http_{status}")
    if logger is not None:
        logger.warning("response_url answered %s: %s", status, str(getattr(response, "body", ""))[:200])
    return False


def new_reference() -> str:
    """A short id to find a failure in the log: 8 hex digits."""
    return secrets.token_hex(4)


def make_error_handler(renderer: Renderer, metrics: Metrics) -> Callable[..., BoltResponse | None]:
    """The `@app.error` handler (Bolt injects its arguments by name)."""

    def handle_error(error: Exception, body: dict, response: BoltResponse | None, logger: Any,
                     client: Any, respond: Any, context: Mapping | None = None) -> BoltResponse | None:
        ref = new_reference()
        if isinstance(error, SlackApiError):
            count_api_error(metrics, error)
        # Bolt passes its context, the background pool the context of the listener that handed it the
        # work; a caller without one is a unit test. A body that did not pass bot.web.slack_events
        # names nothing to act on.
        if context is not None and not context.get(VERIFIED):
            logger.error("tsgbot: a request that was not verified failed (ref %s): %s", ref,
                         error.__class__.__name__)
            return BoltResponse(status=401, body="") if response is not None else None
        logger.exception("tsgbot: %s failed (ref %s): %s", _what(body), ref, error, exc_info=error)
        apology = renderer.slack_apology(ref)
        try:
            return _apologise(body, response, client, respond, apology.text, apology.blocks, logger)
        except Exception as exc:  # the apology itself failed (Slack down?): the log has it all
            if isinstance(exc, SlackApiError):
                count_api_error(metrics, exc)
            logger.warning("tsgbot: could not deliver the apology for ref %s: %s", ref, exc)
            return BoltResponse(status=200, body="") if response is not None and "event" not in body else None

    def _apologise(body: Mapping, response: BoltResponse | None, client: Any, respond: Any, text: str,
                   blocks: list[dict], logger: Any) -> BoltResponse | None:
        event = body.get("event")
        if isinstance(event, Mapping):
            # Events were acknowledged before the listener ran: answer where the person wrote.
            if event.get("type") in REPLIED_EVENTS and event.get("channel") and event.get("ts"):
                call(metrics, client.chat_postMessage, channel=event["channel"],
                     thread_ts=event.get("thread_ts") or event["ts"], text=text, blocks=blocks)
            return None
        if body.get("command") and response is not None:
            # Not acknowledged yet: the acknowledgement itself carries the apology (and Slack shows
            # no "failed with the error" beside it).
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text, "blocks": blocks})
        if body.get("response_url"):
            send(respond, metrics, logger, response_type="ephemeral", replace_original=False, text=text,
                 blocks=blocks)
        return BoltResponse(status=200, body="") if response is not None else None

    return handle_error


def _what(body: Mapping) -> str:
    """What failed, for the log line: 'command /troubleshoot', 'event app_mention', 'block_actions share_diagnosis'."""
    if body.get("command"):
        return f"command {body['command']}"
    event = body.get("event")
    if isinstance(event, Mapping):
        return f"event {event.get('type')}"
    actions = body.get("actions") or ()
    first = actions[0].get("action_id") if actions and isinstance(actions[0], Mapping) else body.get("callback_id")
    return f"{body.get('type', 'request')} {first or ''}".strip()


def _dotted(name: str) -> str:
    """`chat_postMessage` -> `chat.postMessage` (WebClient method names mirror the API's)."""
    return name.replace("_", ".", 1) if name else "unknown"
