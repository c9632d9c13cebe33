"""The Slack surface: Bolt listeners for the slash command, mentions, DMs, the message shortcut,
the diagnosis buttons and App Home, and one error handler.

`register` is the only place that attaches listeners to a Bolt app; every listener is a plain
function built by a closure over its dependencies, so unit tests call it directly with fakes.
"""

from __future__ import annotations

from typing import Any

from bot.slack.actions import make_action_listeners
from bot.slack.alert_buttons import AlertDesk, make_alert_buttons
from bot.slack.answers import Answerer
from bot.slack.background import DEFAULT_THREADS, Background
from bot.slack.command import make_slash_command
from bot.slack.errors import make_error_handler
from bot.slack.files import Downloader
from bot.slack.home import make_app_home
from bot.slack.inbound import VERIFIED
from bot.slack.messages import make_message_listeners
from bot.slack.ports import DiagnosisService, Metrics
from bot.slack.shortcut import CALLBACK_ID, make_message_shortcut

__all__ = ["register", "CALLBACK_ID"]


def register(app: Any, *, service: DiagnosisService, metrics: Metrics, command: str = "/troubleshoot",
             download: Downloader | None = None, threads: int = DEFAULT_THREADS,
             alerts: AlertDesk | None = None, maintainers: frozenset[str] = frozenset()) -> Background:
    """Attach every listener to a Bolt `App` (sync).

    Replies that wait on Slack run on a pool of `threads` of their own (see bot.slack.background),
    returned so the caller may shut it down; the slash command answers in its acknowledgement.
    With `alerts`, the buttons of alert messages (Acknowledge, links) are answered too. `maintainers`
    (Slack user ids) may review feedback: `/troubleshoot feedback` and its Accept / Reject buttons.
    """
    answers = Answerer(service, metrics, command=command, maintainers=maintainers)
    handle_error = make_error_handler(service.renderer, metrics)
    background = Background(threads=threads, on_error=handle_error)
    app.command(command)(make_slash_command(answers))
    mention, direct_message = make_message_listeners(answers, download=download, background=background)
    app.event("app_mention")(mention)
    app.event("message")(direct_message)
    app.message_shortcut(CALLBACK_ID)(make_message_shortcut(answers, download=download, background=background))
    for action_id, listener in make_action_listeners(service, metrics, background=background,
                                                          answers=answers).items():
        app.action(action_id)(listener)
    if alerts is not None:
        for action_id, listener in make_alert_buttons(alerts).items():
            app.action(action_id)(listener)
    app.event("app_home_opened")(make_app_home(service, metrics, command=command, background=background))
    app.middleware(trust_socket_mode)
    app.error(handle_error)
    return background


def trust_socket_mode(req, context, next):  # noqa: A002 - Bolt injects `next` by name
    """Mark Socket Mode requests verified: they arrive over the connection Slack opened to us with the
    app-level token. HTTP requests are marked by bot.web.slack_events after their signature is checked;
    a mark is never taken from anything the sender wrote."""
    if req.mode == "socket_mode":
        context[VERIFIED] = True
    return next()
