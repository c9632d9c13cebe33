"""`kb review`: mark draft entries reviewed, so the next `kb sync` serves them.

Only the file's top-level `status: draft` line changes (to `status: reviewed`); the rest of the
file stays as the reviewer left it. A file that does not pass the schema stays a draft.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TextIO

from bot.kb.codec import EntryError
from bot.kb.files import load_entry_file
from bot.kb.importer.run import ExistingKnowledge

_DRAFT_LINE = re.compile(r"""^status:[ \t]*["']?draft["']?[ \t]*(#.*)?$""", re.M)


def mark_reviewed(root: Path, *, ids: list[str] | None = None, guide: str | None = None, out: TextIO,
                  known: ExistingKnowledge | None = None) -> int:
    """Flip the named drafts (or every draft of `guide`) to reviewed; 0 when all went well, else 1.

    `known`, a scan of `root` shared between calls, saves reading every file again.
    """
    known = known if known is not None else ExistingKnowledge.scan(root)
    if guide:
        chosen = sorted(i for i, k in known.entries.items() if k.guide == guide)
        if not chosen:
            out.write(f"kb review: no entries of guide {guide!r} in {Path(root) / 'entries'}\n")
            return 1
    else:
        unknown = [i for i in ids or [] if i not in known.entries]
        if unknown:
            out.write(f"kb review: no such entry: {', '.join(unknown)} (nothing changed)\n")
            return 1
        chosen = list(dict.fromkeys(ids or []))
    failed = 0
    flipped = 0
    for entry_id in chosen:
        path = known.entries[entry_id].path
        text = path.read_text(encoding="utf-8")
        if not _DRAFT_LINE.search(text):
            if ids:  # asked by name: say so; by guide: reviewed entries are simply not drafts
                out.write(f"{entry_id}: already reviewed ({path})\n")
            continue
        try:
            load_entry_file(path)
        except EntryError as exc:
            failed += 1
            for problem in exc.problems:
                out.write(f"{path}:{problem.line}: {problem.message}\n")
            out.write(f"{entry_id}: still a draft: fix the problems above first\n")
            continue
        path.write_text(_DRAFT_LINE.sub("status: reviewed", text, count=1), encoding="utf-8")
        known.entries[entry_id].status = "reviewed"
        flipped += 1
        out.write(f"{entry_id}: draft -> reviewed ({path})\n")
    out.write(f"{flipped} entr{'y' if flipped == 1 else 'ies'} marked reviewed"
              f"{f', {failed} left as drafts' if failed else ''}; the next `kb sync` serves them\n")
    return 1 if failed else 0


def run_review(args, settings) -> int:
    """`python app.py kb review ID... | --guide NAME`."""
    if bool(args.targets) == bool(args.guide):
        print("kb review: give entry ids or --guide NAME (one of them)", file=sys.stderr)
        return 2
    root = Path(args.dir) if args.dir else Path(settings.knowledge_dir)
    return mark_reviewed(root, ids=args.targets, guide=args.guide, out=sys.stdout)
