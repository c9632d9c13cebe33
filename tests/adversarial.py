"""Pastes built to make regexes work hard: a pattern's own literal pieces repeated up to 1 MiB.

Backtracking blows up where a pattern's prefix matches again and again and its suffix never does
(`.azurecr.io/` repeated for ERR_1200), or where a quantified run is long (`424 AAAA...`). The
pieces come from the patterns themselves, so a new knowledge-base pattern gets its own attack.
Shared by the property tests (small sizes, checked by work done) and `python -m tests.patternbench`
(1 MiB, timed).
"""

from __future__ import annotations

import re

try:
    import re._parser as _parser  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_parse as _parser  # type: ignore[no-redef]

MIB = 1 << 20
FILLERS = ("", " ", "\n", "a", "A", "0", "/", "-", ":", "\t", "\"", "=")
# Triggers of the engine's own regexes (statuses, entities, redaction), each followed by runs.
BUILTIN_PIECES = (
    "http_code\n", "request_id", "request id ", "correlation-id", "original_code=", "status: ",
    "returned ", "liefert ", "az ml online-endpoint show ", " --name ", "(OutOfQuota)", "code: ",
    "ERR_1200", "standard_", "azureml:", ".azurecr.io/", "https://a.b.inference.ml.azure.com/",
    "/subscriptions/", "https://acct.blob.core.windows.net/", "deployment_name=", "endpoint ",
    "Bearer ", "eyJ", "sig=", "AccountKey=", "password=", "a://", "api_key: ", "secret=", "token=",
    "ghp_", "xoxb-", "sk-", "AKIA", "-----BEGIN ", "DB_PASSWORD=", "@", "424 ", "429 ", "\r\n",
)


def literal_pieces(pattern: str) -> list[str]:
    """The literal runs (two characters or more) anywhere in a pattern, branches and groups included."""
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return []
    pieces: list[str] = []

    def walk(items) -> None:
        run: list[str] = []
        for op, arg in items:
            if op is _parser.LITERAL:
                run.append(chr(arg))
                continue
            if len(run) >= 2:
                pieces.append("".join(run))
            run = []
            if op is _parser.SUBPATTERN:
                walk(arg[-1])
            elif op is _parser.BRANCH:
                for branch in arg[1]:
                    walk(branch)
            elif op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT):
                walk(arg[2])
        if len(run) >= 2:
            pieces.append("".join(run))

    walk(parsed)
    return list(dict.fromkeys(pieces))


def attacks(piece: str, size: int = MIB) -> list[str]:
    """Pastes of about `size` characters: the piece repeated with each filler, and once before long runs."""
    out = []
    for filler in FILLERS:
        unit = piece + filler
        out.append((unit * (size // max(len(unit), 1) + 1))[:size])
    for run in (" ", "a", "A", "0", "\t", "\n", "-", "a."):
        out.append(piece + run * (size - len(piece)))
    return out


def pattern_attacks(patterns: list[str], size: int = MIB) -> list[tuple[str, str]]:
    """(what, paste) for every literal piece of every pattern and every engine trigger."""
    pieces = dict.fromkeys(p for pattern in patterns for p in literal_pieces(pattern))
    pieces.update(dict.fromkeys(BUILTIN_PIECES))
    return [(f"{piece!r} #{n}", paste) for piece in pieces for n, paste in enumerate(attacks(piece, size))]
