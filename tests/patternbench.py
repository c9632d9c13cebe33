"""Worst-case diagnosis time on adversarial 1 MiB pastes: `python -m tests.patternbench [--quick]`.

Every literal piece of every knowledge-base pattern and every trigger of the engine's own regexes is
repeated to 1 MiB with a dozen fillers (tests/adversarial.py); each paste is diagnosed once on the
shipped knowledge base. Reports the slowest pastes and the pattern work they were charged. The bar
is the issue's: no paste up to 1 MiB may take more than 1 s.

A developer tool beside the tests (needs requirements-dev.txt); it takes several minutes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bot.engine import regex
from bot.engine.diagnose import diagnose
from bot.engine.index import build_index
from bot.kb.files import load_knowledge
from bot.kb.guides import load_guide_files
from tests.adversarial import MIB, pattern_attacks

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
TARGET_MS = 1000.0


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    entries = load_knowledge(KNOWLEDGE).entries
    guides, _ = load_guide_files(KNOWLEDGE)
    index = build_index(entries, guides)
    patterns = [p for e in entries for p in e.signals.patterns]
    cases = pattern_attacks(patterns, MIB)
    if quick:
        cases = cases[::7]
    diagnose("warm-up ERR_1200", index)
    results = []
    for what, paste in cases:
        started = time.perf_counter()
        with regex.work_budget() as budget:  # the diagnosis draws on this one: its work is counted here
            diagnose(paste, index)
        results.append(((time.perf_counter() - started) * 1000, what, budget.spent))
    results.sort(reverse=True)
    print(f"{len(results)} adversarial pastes of 1 MiB, {len(patterns)} knowledge-base patterns on {regex.ENGINE}")
    for ms, what, work in results[:10]:
        print(f"  {ms:8.1f} ms  pattern work {work / 1e6:8.1f} M  {what}")
    worst = results[0][0]
    print(f"worst {worst:.0f} ms (target {TARGET_MS:.0f} ms): {'ok' if worst <= TARGET_MS else 'TOO SLOW'}")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
