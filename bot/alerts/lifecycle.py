"""What an incoming alert notification does to the message that tracks it (pure; the store applies it).

    first firing            -> open a message                      (post)
    firing again            -> count it, edit the message           (update [+ note, once per interval])
    resolved                -> reply in the thread, edit to resolved (resolved, update)
    firing after resolved   -> a new message, linked from the old thread (post, refired)
    resolved, nothing open  -> nothing (a resolve for an alert never seen firing says nothing new)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

OPEN, REPEAT, RESOLVE, IGNORE = "open", "repeat", "resolve", "ignore"


@dataclass(frozen=True)
class Current:
    """The latest message kept for an alert key."""

    id: int
    generation: int
    status: str  # firing | resolved
    noted_at: datetime


@dataclass(frozen=True)
class Step:
    action: str  # OPEN | REPEAT | RESOLVE | IGNORE
    messages: tuple[str, ...]  # outbox kinds to queue, in order
    note: bool = False  # a "still firing" note is due: the store moves `noted_at` to now

    @property
    def opens(self) -> bool:
        return self.action == OPEN


def next_step(current: Current | None, status: str, *, now: datetime, note_every: timedelta) -> Step:
    """The step for a notification with `status` ('firing' or 'resolved') given the latest message."""
    if status == "resolved":
        if current is None or current.status == "resolved":
            return Step(IGNORE, ())
        return Step(RESOLVE, ("resolved", "update"))
    if current is None:
        return Step(OPEN, ("post",))
    if current.status == "resolved":
        return Step(OPEN, ("post", "refired"))
    if now - current.noted_at >= note_every:
        return Step(REPEAT, ("update", "note"), note=True)
    return Step(REPEAT, ("update",))
