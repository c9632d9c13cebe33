"""`python app.py kb list [--guide NAME]`: the entries the server serves, from its database.

One line per entry (id, kind, guide, English title), ordered by guide, then kind, then id; a count
on standard error. An unknown guide is named with the guides there are, exit status 1.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from bot.engine.model import KINDS, Entry
from bot.settings import Settings


def find_guide(name: str, known: Sequence[str]) -> str | None:
    """The known guide `name` names (case-insensitive), or None."""
    wanted = name.strip().lower()
    return next((g for g in known if g.lower() == wanted), None)


def entry_lines(entries: Sequence[Entry]) -> list[str]:
    """Aligned columns: id, kind, guide, title."""
    order = {kind: n for n, kind in enumerate(KINDS)}
    rows = sorted(entries, key=lambda e: (e.guide, order.get(e.kind, len(order)), e.id))
    widths = [max((len(value) for value in column), default=0)
              for column in ([e.id for e in rows], [e.kind for e in rows], [e.guide for e in rows])]
    return [f"{e.id:<{widths[0]}}  {e.kind:<{widths[1]}}  {e.guide:<{widths[2]}}  {e.title.en}".rstrip()
            for e in rows]


def run_list(settings: Settings, *, guide: str | None = None, out: TextIO = sys.stdout,
             err: TextIO = sys.stderr) -> int:
    from bot.runtime import open_runtime

    runtime = open_runtime(settings)
    try:
        snapshot = runtime.snapshot
    finally:
        runtime.engine.dispose()
    entries = list(snapshot.index.entries)
    known = sorted({e.guide for e in entries} | set(snapshot.index.guides))
    if guide is not None:
        name = find_guide(guide, known)
        if name is None:
            print(f"kb list: there is no guide {guide.strip()!r}; the guides: {', '.join(known) or 'none'}",
                  file=err)
            return 1
        entries = [e for e in entries if e.guide == name]
    for line in entry_lines(entries):
        print(line, file=out)
    guides = len({e.guide for e in entries})
    print(f"{len(entries)} entries in {guides} guide(s), knowledge base version {snapshot.version}", file=err)
    return 0
