"""Can a knowledge-base regex run on every paste? Only if the linear-time engine (RE2) can run it.

This used to time each pattern on 1 MB samples and refuse the slow ones; a timing on a loaded
machine proves little, and samples miss the input that hurts (`.azurecr.io/` repeated). Patterns now
run on RE2, whose cost is bounded by construction, so the check is static: does RE2 compile it,
within the program size the work budget assumes? Look-arounds and back-references are refused here,
with the reason, instead of being run on a backtracking engine.
"""

from __future__ import annotations

from bot.engine.regex import problem


def pattern_problems(pattern: str) -> list[str]:
    """Why `pattern` cannot be a knowledge-base pattern (empty when it can)."""
    message = problem(pattern)
    return [message] if message else []


# The name the entry codec has always called.
shape_problems = pattern_problems
