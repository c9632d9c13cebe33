"""`kb test`: every entry's own example pastes must still land on that entry.

The guard against one new or edited entry stealing another's matches: run it before `kb sync`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.diagnose import diagnose
from bot.engine.index import KnowledgeIndex


@dataclass(frozen=True)
class ExampleResult:
    entry_id: str
    example: str
    decision: str
    got: str | None  # the top entry, None for no match

    @property
    def lands(self) -> bool:
        return self.decision != "no_match" and self.got == self.entry_id

    def __str__(self) -> str:
        shown = " ".join(self.example.split())
        shown = shown if len(shown) <= 80 else shown[:79] + "…"
        verdict = "ok" if self.lands else f"lands on {self.got or 'nothing'} ({self.decision})"
        return f"{self.entry_id}: {shown!r}: {verdict}"


def run_examples(index: KnowledgeIndex) -> list[ExampleResult]:
    """Diagnose every example of every entry; results in knowledge-base order."""
    results = []
    for entry in index.entries:
        for example in entry.examples:
            d = diagnose(example, index)
            results.append(ExampleResult(entry.id, example, d.decision, d.top.entry.id if d.top else None))
    return results
