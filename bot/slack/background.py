"""Where listeners do what waits on Slack (Web API calls, response_url posts, file downloads).

Bolt runs listeners on a small pool (5 threads by default) and a slash command's acknowledgement
needs one of those threads too: replies stuck on a slow or rate-limiting Slack would hold every
thread and make the next commands miss Slack's 3 seconds. So listeners acknowledge on Bolt's
thread and hand the rest to this pool; a failure there reaches the same error handler as
any other (one apology with a reference id).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

ErrorHandler = Callable[..., Any]
DEFAULT_THREADS = 16


class Background:
    """`Background(threads=0)` runs work inline: exceptions propagate (unit tests, simple callers)."""

    def __init__(self, *, threads: int = DEFAULT_THREADS, on_error: ErrorHandler | None = None):
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="tsgbot-slack") if threads else None
        self.on_error = on_error

    def run(self, work: Callable[[], None], *, body: dict, client: Any, logger: Any, respond: Any = None,
            context: Any = None) -> None:
        """`context`: the request's Bolt context, which says whether the request was verified (the error
        handler acts on a body's channel or response_url only then)."""
        if self.executor is None:
            work()
            return
        self.executor.submit(self._guarded, work, body, client, logger, respond, context)

    def _guarded(self, work: Callable[[], None], body: dict, client: Any, logger: Any, respond: Any,
                 context: Any) -> None:
        try:
            work()
        except Exception as exc:  # off Bolt's threads: nobody else would see it
            if self.on_error is None:
                logger.exception("tsgbot: background work failed: %s", exc)
                return
            try:
                self.on_error(error=exc, body=body, response=None, logger=logger, client=client, respond=respond,
                              context=context)
            except Exception:
                logger.exception("tsgbot: the error handler failed too")

    def shutdown(self, *, wait: bool = True) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=wait)


INLINE = Background(threads=0)
