"""App Home: what the bot does, how to use it, the knowledge base by kind, the viewer's last diagnoses,
in the viewer's language (their Slack locale, from users.info with include_locale)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.slack.background import INLINE, Background
from bot.slack.errors import call
from bot.slack.events import first_delivery
from bot.slack.ports import DiagnosisService, Metrics

HISTORY = 5


def make_app_home(service: DiagnosisService, metrics: Metrics, *, command: str = "/troubleshoot",
                  lang: str = "en", background: Background = INLINE) -> Callable[..., None]:
    def app_home_opened(body, event, client, logger, context=None) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return  # the Messages tab: nothing to publish
        background.run(lambda: publish(body, event, client, logger), body=body, client=client, logger=logger,
                       context=context)

    def publish(body: dict, event: dict, client: Any, logger: Any) -> None:
        if not first_delivery(body, service, metrics):
            return
        user = event["user"]
        view = service.renderer.slack_home(service.entries(), service.history(user, limit=HISTORY),
                                           viewer_lang(client, metrics, user, default=lang, logger=logger),
                                           command=command)
        call(metrics, client.views_publish, user_id=user, view=view)
        logger.debug("published App Home for %s", user)

    return app_home_opened


def viewer_lang(client: Any, metrics: Metrics, user: str, *, default: str, logger: Any) -> str:
    """'de' for a viewer whose Slack locale is German (de-DE, de-AT, ...), 'en' for any other locale;
    `default` when Slack does not say (no users:read scope, an error)."""
    try:
        info = call(metrics, client.users_info, user=user, include_locale=True)
    except SlackApiError as exc:  # counted by call(); App Home still opens, in the default language
        logger.info("users.info for %s failed (%s): App Home in %s", user, exc.response.get("error"), default)
        return default
    locale = str(((info.get("user") if hasattr(info, "get") else None) or {}).get("locale") or "")
    if not locale:
        return default
    return "de" if locale.lower().startswith("de") else "en"
