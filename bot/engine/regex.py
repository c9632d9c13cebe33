"""Knowledge-base patterns on RE2: time linear in the text, whatever the pattern.

Python's `re` backtracks: `\\.azurecr\\.io/[^\\s]{1,200}[^\\n]{0,80}(?:denied|...)` on `.azurecr.io/`
repeated 3,400 times took 100 s. RE2 compiles a pattern to an automaton and never backtracks; its
cost is at most (text length) x (program size), and `kb check` bounds the program size. RE2 has no
look-arounds and no back-references, so a pattern that needs them is refused at `kb check` rather than
run slowly at diagnosis time.

Linear is not yet cheap: when RE2's DFA gives up (a paste built to defeat it: `.azurecr.io/` every
30 characters), its NFA costs about (characters searched) x (program size). So every search is
charged that product against a work budget, one per diagnosis (`work_budget()`), and a search that
would overdraw it covers only the part of its range the budget still pays for. The budget is counted
in work, not measured in time, so the same paste gets the same answer on a loaded machine.

Differences from `re` a pattern author should know: `\\w`, `\\d`, `\\s` and `\\b` are ASCII-only, and a
counted repetition may not exceed {1000}.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache

import re2

# RE2's NFA runs about 2e9 (character x instruction) steps a second on one core of the reference
# machine (README, "Security: secrets and bounded work"); 1e9 keeps the worst paste's pattern search
# near half a second there.
WORK_BUDGET = 1_000_000_000
# A pattern's program size is what each character of a search costs in the worst case; above this
# a pattern is refused, so that even the largest one can search 100,000 characters within the budget.
MAX_PROGRAM_SIZE = 10_000
# Compiled automata above this memory are refused (RE2's default is 8 MiB per pattern).
MAX_MEMORY = 8 << 20
ENGINE = "re2"


@dataclass
class WorkBudget:
    """(characters searched) x (program size) still available, and how much was spent and cut."""

    remaining: int
    spent: int = 0
    searches: int = 0
    cut: int = 0  # searches that covered only part of their range

    def charge(self, chars: int, program_size: int) -> int:
        """How many of `chars` characters a search may cover; the cost is taken from the budget."""
        allowed = min(chars, self.remaining // program_size)
        self.remaining -= allowed * program_size
        self.spent += allowed * program_size
        self.searches += 1
        self.cut += allowed < chars
        return allowed


_budget: ContextVar[WorkBudget | None] = ContextVar("pattern_work_budget", default=None)


@contextmanager
def work_budget(units: int = WORK_BUDGET) -> Iterator[WorkBudget]:
    """Every LinearRegex search inside the block draws on one budget of `units`.

    Inside another work_budget block the outer budget is used: a caller bounding a whole batch (or a
    test counting the work of one diagnosis) sees everything spent within it.
    """
    outer = _budget.get()
    if outer is not None:
        yield outer
        return
    budget = WorkBudget(units)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


class PatternError(ValueError):
    """The pattern cannot run on the linear-time engine (RE2's own message, or the size bound)."""


def _options(ignore_case: bool) -> re2.Options:
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False  # the message is raised as PatternError, not printed to stderr
    options.max_mem = MAX_MEMORY
    return options


@dataclass(frozen=True)
class Found:
    """One match: the same start()/end()/group() a `re.Match` answers, in str offsets of the whole text."""

    text: str
    span_: tuple[int, int]
    groups_: tuple[tuple[int, int], ...] = ()

    def start(self, group: int = 0) -> int:
        return self.span(group)[0]

    def end(self, group: int = 0) -> int:
        return self.span(group)[1]

    def span(self, group: int = 0) -> tuple[int, int]:
        return self.span_ if group == 0 else self.groups_[group - 1]

    def group(self, group: int = 0) -> str:
        start, end = self.span(group)
        return "" if start < 0 else self.text[start:end]


class LinearRegex:
    """A compiled RE2 pattern with the part of `re.Pattern`'s interface the engine uses."""

    engine = ENGINE

    def __init__(self, source: str, *, ignore_case: bool = True):
        self.pattern = source
        try:
            self._re = re2.compile(source, _options(ignore_case))
        except re2.error as exc:
            raise PatternError(_message(exc, source)) from None
        if self._re.programsize > MAX_PROGRAM_SIZE:
            raise PatternError(f"compiles to {self._re.programsize} RE2 instructions (at most "
                               f"{MAX_PROGRAM_SIZE}): shorten its counted repetitions")
        self.program_size = self._re.programsize

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> Found | None:
        """The first match in text[pos:endpos], as `re.Pattern.search` would find it.

        A window is searched as a slice with one character of context on each side, so `\\b` sees
        its neighbours while only the window (not the whole paste) is encoded for RE2.
        """
        end = len(text) if endpos is None else max(0, min(endpos, len(text)))
        pos = max(0, min(pos, end))
        # Outside a diagnosis each search has a budget of its own: no call is ever unbounded.
        budget = _budget.get() or WorkBudget(WORK_BUDGET)
        end = pos + budget.charge(end - pos, self.program_size)
        try:
            return self._search(text, text, pos, end)
        except UnicodeEncodeError:
            # A lone surrogate cannot go to RE2 as UTF-8; '?' in its place keeps every offset.
            return self._search(text, text.encode("utf-8", "replace").decode("utf-8"), pos, end)

    def _search(self, text: str, searched: str, pos: int, end: int) -> Found | None:
        if pos == 0 and end == len(searched):
            m = self._re.search(searched)
            return None if m is None else _found(text, m, 0)
        left, right = max(0, pos - 1), min(len(searched), end + 1)
        m = self._re.search(searched[left:right], pos - left, end - left)
        return None if m is None else _found(text, m, left)



class _Never:
    """Stands in for a pattern the engine refused: it matches nothing and costs nothing."""

    engine = ENGINE
    pattern = ""
    program_size = 0

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> None:
        return None


NEVER = _Never()


def _found(text: str, m, offset: int) -> Found:
    spans = (m.span(g) for g in range(1, m.re.groups + 1))
    groups = tuple((s + offset, e + offset) if s >= 0 else (-1, -1) for s, e in spans)
    start, end = m.span()
    return Found(text, (start + offset, end + offset), groups)


def _message(exc: Exception, source: str) -> str:
    message = exc.args[0] if exc.args else str(exc)
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    if "invalid perl operator: (?<" in message or "invalid perl operator: (?=" in message \
            or "invalid perl operator: (?!" in message:
        return f"uses a look-around, which a linear-time engine cannot run ({message})"
    if ("invalid escape sequence: \\" in message and any(c.isdigit() for c in message[-2:])) \
            or "invalid perl operator: (?P" in message and "(?P=" in source:
        return f"uses a back-reference, which a linear-time engine cannot run ({message})"
    return f"cannot run on RE2: {message}"


@cache
def compile_linear(source: str, *, ignore_case: bool = True) -> LinearRegex:
    """The pattern compiled once for the linear-time engine; PatternError when RE2 refuses it."""
    return LinearRegex(source, ignore_case=ignore_case)


def problem(source: str) -> str:
    """Why `source` cannot be a knowledge-base pattern ('' when it can)."""
    try:
        compile_linear(source)
    except PatternError as exc:
        return str(exc)
    return ""


@lru_cache(maxsize=256)
def _literal_set(literals: tuple[str, ...]) -> re2.Set:
    found = re2.Set.SearchSet(_options(ignore_case=False))
    for literal in literals:
        found.Add(re2.escape(literal))
    found.Compile()
    return found


# A text longer than this is searched for a set of literals in one RE2 pass; a shorter one literal by
# literal (cheaper than handing it to RE2).
ONE_PASS_ABOVE = 20_000


def literals_in(literals: tuple[str, ...], text: str) -> frozenset[str]:
    """Which of the literals occur in the text; a long text in one pass over it (30 substring
    searches of a 1 MB log cost four times as much). Literals are matched as written (lowercase
    them and the text)."""
    if not literals:
        return frozenset()
    if len(text) <= ONE_PASS_ABOVE:
        return frozenset(literal for literal in literals if literal in text)
    try:
        hits = _literal_set(literals).Match(text)
    except UnicodeEncodeError:  # a lone surrogate cannot be handed to RE2: search literal by literal
        return frozenset(literal for literal in literals if literal in text)
    return frozenset(literals[i] for i in hits or ())
