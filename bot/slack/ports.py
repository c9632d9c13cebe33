"""What the Slack layer needs from the rest of tsgbot, as interfaces.

Listeners take these, never the database or the runtime: unit tests pass hand-written fakes
(`tests/slack_fakes.py`), the server passes `bot.service.BotService`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.engine.model import Diagnosis, Entry
from bot.replies.render import Renderer


@dataclass(frozen=True)
class Recorded:
    """A diagnosis and the id of its row in the diagnosis log (buttons and feedback refer to it)."""

    diagnosis: Diagnosis
    diagnosis_id: int
    # The renderer of the knowledge-base version that made the diagnosis (its guides' links): a reload
    # between diagnosing and rendering must not pair the two versions. None: the service's current one.
    renderer: Renderer | None = None

    def render_with(self, fallback: Renderer) -> Renderer:
        return self.renderer or fallback


@dataclass(frozen=True)
class PastDiagnosis:
    """One line of a user's history (App Home)."""

    diagnosis_id: int
    created_at: datetime
    surface: str
    excerpt: str
    decision: str
    top_entry_id: str | None
    top_score: float | None


@dataclass(frozen=True)
class ReviewItem:
    """A candidate example waiting for a maintainer (`/troubleshoot feedback`)."""

    candidate_id: int
    entry_id: str
    text: str  # the redacted paste
    count: int  # how often it was reported
    reporters: tuple[str, ...]
    verdict: str  # solved | wrong_match
    today_entry_id: str | None  # what the knowledge base answers for it now
    today_decision: str


@dataclass(frozen=True)
class ReviewOutcome:
    """What became of one candidate a maintainer accepted or rejected."""

    candidate_id: int
    outcome: str  # accepted | rejected | unchanged | refused
    code: str = ""  # refused or unchanged because: unknown (no such candidate) | entry_gone | already
    entry_id: str | None = None
    status: str | None = None  # the candidate's status after the decision


class DiagnosisUnavailable(RuntimeError):
    """`DiagnosisService.diagnose` could not make the diagnosis now (too many heavy pastes at once, or
    one that took too long); `reason` names the notice the person gets: 'busy' or 'too_slow'."""

    reason = "busy"


class DiagnosisService(Protocol):
    renderer: Renderer

    def diagnose(self, text: str, *, surface: str, user_id: str | None = None,
                 channel_id: str | None = None, lang: str | None = None) -> Recorded:
        """Diagnose and record (surface: 'slash', 'mention', 'dm', 'shortcut', ...); a heavy paste may
        raise DiagnosisUnavailable."""

    def recorded(self, diagnosis_id: int, *, lang: str | None = None) -> Recorded | None:
        """Diagnose again the stored (redacted) excerpt of an earlier diagnosis, for 'Other matches'
        and 'Share in channel'; None when the id is unknown."""

    def entries(self) -> list[Entry]:
        """Every entry served now, in knowledge-base order."""

    def entry(self, entry_id: str) -> Entry | None: ...

    def lookup(self, query: str) -> list[Entry]:
        """Direct look-up: an entry id, an error code (ERR_1200, OutOfQuota) or a status (429)."""

    def history(self, user_id: str, *, limit: int = 5) -> list[PastDiagnosis]:
        """The user's latest diagnoses, newest first."""

    def record_feedback(self, *, diagnosis_id: int, user_id: str, verdict: str,
                        correct_entry_id: str | None = None) -> None:
        """verdict: 'solved' or 'wrong_match' (with the entry the user says is right, if any)."""

    def first_delivery(self, event_id: str) -> bool:
        """True the first time an event id is seen (durably, across restarts and instances)."""

    def review_items(self, *, limit: int = 20) -> tuple[list[ReviewItem], int]:
        """Pending candidate examples (most reported first, at most `limit`) and how many there are."""

    def review(self, candidate_ids: list[int], *, accept: bool, by: str) -> list[ReviewOutcome]:
        """Accept or reject candidates (the caller checked `by` may); servers reload within KB_POLL_SECONDS."""


class Metrics(Protocol):
    def diagnosis(self, *, surface: str, decision: str, entry_id: str | None, seconds: float) -> None: ...

    def slack_api_error(self, *, method: str, error: str) -> None: ...

    def duplicate_dropped(self) -> None: ...
