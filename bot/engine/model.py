"""Frozen value objects shared by every layer: the knowledge base and the diagnosis.

Only the standard library is imported here, so the core stays free of Slack, SQL and I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES = ("en", "de")
KINDS = ("how-to", "deployment-error", "scoring-status")


@dataclass(frozen=True)
class Localized:
    """A text in English and German."""

    en: str
    de: str

    def get(self, lang: str) -> str:
        return self.de if lang == "de" else self.en


@dataclass(frozen=True)
class Command:
    """A ready-to-copy CLI command; `<placeholder>`s are filled from the paste's entities."""

    template: str
    description: Localized


@dataclass(frozen=True)
class Cause:
    """One reason an error happens, with what to check and what to run."""

    title: Localized
    explanation: Localized
    steps: tuple[Localized, ...] = ()
    commands: tuple[Command, ...] = ()
    # Phrases that, when present in the paste, make this cause the likely one.
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signals:
    """What identifies an entry in a paste."""

    codes: tuple[str, ...] = ()  # error codes, matched as whole tokens: ERR_1200, OutOfQuota
    status: tuple[int, ...] = ()  # HTTP status codes, counted only where the context says HTTP
    phrases: tuple[str, ...] = ()  # exact phrases, case-insensitive, whitespace-folded
    patterns: tuple[str, ...] = ()  # regexes (case-insensitive), kept linear-time safe
    symptoms: tuple[str, ...] = ()  # fuzzy phrases: how people describe it, in either language


@dataclass(frozen=True)
class Guide:
    """A troubleshooting guide the entries come from, and the words that tie a paste to it."""

    name: str
    title: Localized
    language: str
    source: str
    markers: tuple[str, ...] = ()  # words saying a paste is about this guide's service
    weak_markers: tuple[str, ...] = ()  # words hinting at it ("endpoint"): enough for a status code
    foreign: tuple[str, ...] = ()  # words saying a paste is about some other service


@dataclass(frozen=True)
class Entry:
    """One troubleshooting entry of a guide."""

    id: str
    kind: str
    guide: str
    anchor: str
    title: Localized
    summary: Localized
    signals: Signals
    causes: tuple[Cause, ...]
    related: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConfirmedExample:
    """A paste a maintainer confirmed belongs to an entry (accepted feedback): training data for the index."""

    entry_id: str
    text: str  # redacted when it was stored


@dataclass(frozen=True)
class Evidence:
    """Why an entry matched: which signal, what text, on which line of the paste."""

    signal: str  # code | status | phrase | pattern | symptom | context
    text: str
    line: int  # 1-based line of the paste; 0 when not tied to a line
    weight: float


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float  # in [0, 1]
    evidence: tuple[Evidence, ...]
    causes: tuple[Cause, ...]  # the entry's causes, most likely first


@dataclass(frozen=True)
class Extraction:
    """What the paste says, independent of any entry."""

    text: str  # the redacted, normalised text that was matched
    codes: tuple[tuple[str, int], ...]  # (token, line)
    status: tuple[tuple[int, int], ...]  # (status code, line)
    entities: dict[str, str] = field(default_factory=dict)
    language: str = "en"
    notes: tuple[str, ...] = ()  # e.g. "cut to the first and last 64 KB"


DECISIONS = ("match", "close_call", "no_match")


@dataclass(frozen=True)
class Diagnosis:
    decision: str  # one of DECISIONS
    matches: tuple[Match, ...]
    extraction: Extraction
    elapsed_ms: float = 0.0
    # For a close call: one line on what would decide between the candidates (a bare "429").
    decides: Localized | None = None

    @property
    def top(self) -> Match | None:
        return self.matches[0] if self.matches else None

    @property
    def empty_input(self) -> bool:
        return not self.extraction.text.strip()
