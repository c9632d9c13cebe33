"""Which events to answer: never bots (ourselves included), never edits or joins, never a retry twice."""

from __future__ import annotations

from collections.abc import Mapping

from bot.slack.ports import DiagnosisService, Metrics

ANSWERED_SUBTYPES = frozenset(("file_share",))


def bot_user_id(context: Mapping, body: Mapping) -> str | None:
    """The bot's own user id: Bolt puts it in the context; the event's authorizations say it too."""
    if context.get("bot_user_id"):
        return str(context["bot_user_id"])
    for authorization in body.get("authorizations") or ():
        if isinstance(authorization, Mapping) and authorization.get("is_bot") and authorization.get("user_id"):
            return str(authorization["user_id"])
    return None


def ignored(event: Mapping, *, own_user_id: str | None) -> str | None:
    """Why an event must not be answered, or None: bots and system messages would start loops."""
    if event.get("bot_id") or event.get("subtype") == "bot_message" or event.get("bot_profile"):
        return "bot"
    if event.get("subtype") and event["subtype"] not in ANSWERED_SUBTYPES:
        return f"subtype {event['subtype']}"
    if not event.get("user"):
        return "no user"
    if own_user_id and event.get("user") == own_user_id:
        return "self"
    return None


def first_delivery(body: Mapping, service: DiagnosisService, metrics: Metrics) -> bool:
    """False for a retry of an event already handled (Slack retries when an ack seemed slow)."""
    event_id = body.get("event_id")
    if not event_id:
        return True
    if service.first_delivery(str(event_id)):
        return True
    metrics.duplicate_dropped()
    return False
