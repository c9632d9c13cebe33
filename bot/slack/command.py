"""The slash command (`/troubleshoot <paste>`): the acknowledgement itself carries the private answer.

The engine takes milliseconds, so there is no need for a second message through the response_url:
one HTTP round trip, well within Slack's 3 seconds.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.slack.answers import Answerer
from bot.slack.text import clean


def make_slash_command(answers: Answerer) -> Callable[..., None]:
    def slash_command(ack, command) -> None:
        answer = answers.answer(clean(command.get("text") or ""), surface="slash", user_id=command.get("user_id"),
                                channel_id=command.get("channel_id"), share=True)
        ack(response_type="ephemeral", text=answer.reply.text, blocks=answer.reply.blocks)

    return slash_command
