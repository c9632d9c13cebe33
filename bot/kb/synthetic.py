"""A generated knowledge base of any size, for measuring how matching scales.

Deterministic (seeded): the same size gives the same entries, so runs compare.
"""

from __future__ import annotations

import random

from bot.engine.model import Cause, Command, Entry, Localized, Signals

_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "zen", "dra", "pol", "qui", "ster", "gam", "bel",
              "tor", "vin", "shu", "mar", "ex", "ion", "lat", "pre", "cor", "dun", "fel", "hal", "jor")
_COMMON = ("failed", "error", "timeout", "cannot", "connect", "request", "service", "container", "node",
           "disk", "memory", "token", "storage", "network", "quota", "limit", "upstream", "cluster",
           "pipeline", "job", "worker", "queue", "schema", "index", "replica", "certificate")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def synthetic_entries(count: int, *, seed: int = 7, guides: int = 50) -> list[Entry]:
    """`count` entries spread over `guides` guides, with codes, phrases, patterns and symptoms."""
    rng = random.Random(seed)
    vocabulary = [_word(rng) for _ in range(max(count // 2, 200))]
    entries = []
    for n in range(count):
        words = rng.sample(vocabulary, 6)
        common = rng.sample(_COMMON, 3)
        code = f"SYN_{n:05d}"
        phrase = f"{words[0]} {common[0]} {words[1]}"
        signals = Signals(
            codes=(code, f"{words[2].capitalize()}{words[3].capitalize()}Error"),
            status=(rng.choice((400, 404, 409, 500, 502, 503)),) if n % 5 == 0 else (),
            phrases=(phrase, f"{common[1]} {words[4]} {common[2]}"),
            patterns=(rf"{words[5]}[-_ ]id[=:]\s?\d{{1,6}}",) if n % 4 == 0 else (),
            symptoms=(f"{words[0]} {common[1]} keeps {common[2]}", f"{words[3]} {words[4]} {common[0]} again"),
        )
        text = Localized(f"{words[0]} {common[0]}", f"{words[0]} {common[0]} (de)")
        cause = Cause(text, text, (text,), (Command(f"tool {words[1]} --name <endpoint-name>", text),),
                      (words[2],))
        entries.append(Entry(id=f"syn-{n:05d}", kind="deployment-error", guide=f"synthetic-{n % guides:02d}",
                             anchor=f"syn-{n:05d}", title=text, summary=text, signals=signals,
                             causes=(cause,)))
    return entries
