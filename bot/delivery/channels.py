"""Channel ids for the `#names` routes may use, looked up once per process and kept.

`chat.postMessage` takes `#name` as well as an id, but `conversations.history`, `conversations.replies`,
`conversations.join` and `chat.update` take ids only: with a name, the look-back that keeps a retried
post from doubling would find nothing and post twice. So every call the worker makes for an alert goes
to the channel's id. Names are looked up with `conversations.list` (paged), and every channel seen on
the way is remembered, so one walk serves every route.
"""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient

log = logging.getLogger(__name__)
PAGE = 1000  # conversations.list's largest page
MAX_PAGES = 200  # a workspace of 200,000 channels; more is a runaway cursor


class ChannelNotFound(LookupError):
    """No channel of that name that the bot can see (a typo in the routes, a private channel not joined)."""


def is_name(channel: str) -> bool:
    return channel.startswith("#")


class ChannelDirectory:
    def __init__(self, client: WebClient, *, page: int = PAGE) -> None:
        self.client = client
        self.page = page
        self._ids: dict[str, str] = {}
        self._lock = threading.Lock()  # one walk at a time: a storm for one new name lists once

    def resolve(self, channel: str) -> str:
        """The id of `channel` (an id is returned as it is); ChannelNotFound when no such name is visible."""
        if not is_name(channel):
            return channel
        name = channel[1:].strip().lower()  # Slack channel names are lower case
        with self._lock:
            found = self._ids.get(name)
            if found is None:
                found = self._walk(name)
        if found is None:
            raise ChannelNotFound(f"no channel named #{name} that the bot can see")
        return found

    def _walk(self, name: str) -> str | None:
        cursor = None
        for _ in range(MAX_PAGES):
            answer = self.client.conversations_list(types="public_channel,private_channel", exclude_archived=True,
                                                    limit=self.page, **({"cursor": cursor} if cursor else {}))
            for channel in answer.get("channels") or ():
                if channel.get("name") and channel.get("id"):
                    self._ids[str(channel["name"]).lower()] = channel["id"]
            if name in self._ids:
                log.info("alert channel #%s is %s", name, self._ids[name])
                return self._ids[name]
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None
