"""What one command-line diagnosis needs (the index, the renderer, the diagnosis log), opened the
cheapest way that is still correct.

The fast path, for a database that needs no work: the stored revision equals the migrations' head
(read from the files, `bot.db.revision`) and the knowledge base is not empty. The entries are then
read over the plain driver (`bot.db.direct`) and the index built once from them, without importing
SQLAlchemy or Alembic. Anything else (a new or older database, an empty knowledge base, a schema the
direct reader does not know, a database it cannot reach) takes the full path, `bot.runtime`, which
migrates, fills an empty knowledge base and reports errors as every other command does. Nothing is
built on the fast path before it is known to be taken, so no index is ever built twice.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.engine.index import KnowledgeIndex, build_index
from bot.engine.model import Diagnosis
from bot.replies.render import Renderer
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class CliRuntime:
    index: KnowledgeIndex
    renderer: Renderer
    fast: bool  # True when the database was read without SQLAlchemy (bench and tests look)
    _log: Callable[[Sequence[Diagnosis], str], None]
    _close: Callable[[], None]

    def log_diagnoses(self, diagnoses: Sequence[Diagnosis], *, surface: str) -> None:
        """Record diagnoses in the diagnosis log; a failure to log never fails the answer."""
        if diagnoses:
            self._log(diagnoses, surface)

    def close(self) -> None:
        self._close()


def open_cli_runtime(settings: Settings) -> CliRuntime:
    """The fast path when the database allows it, else `bot.runtime.open_runtime`."""
    runtime = _open_fast(settings)
    if runtime is not None:
        return runtime
    from bot.runtime import open_runtime

    full = open_runtime(settings)
    return CliRuntime(full.index, full.renderer, False,
                      lambda diagnoses, surface: full.log_diagnoses(diagnoses, surface=surface), full.engine.dispose)


def _open_fast(settings: Settings) -> CliRuntime | None:
    from bot.db.direct import SCHEMA, driver_errors, open_direct
    from bot.db.revision import code_head

    head = code_head()
    if head is None or head != SCHEMA:
        return None
    store = open_direct(settings.database_url)
    if store is None:
        return None
    try:
        if store.revision() != head or store.entry_count() == 0:
            store.close()
            return None
        entries, guides, confirmed = store.entries(), store.guides(), store.confirmed()
    except driver_errors() as exc:  # e.g. no such table: the full path migrates, or says what is wrong
        log.debug("fast path not taken: %s", exc)
        store.close()
        return None
    index = _build(entries, guides, confirmed)

    def log_diagnoses(diagnoses: Sequence[Diagnosis], surface: str) -> None:
        from bot.db.records import record_from_diagnosis

        try:
            store.log(record_from_diagnosis(diagnosis, surface=surface) for diagnosis in diagnoses)
        except driver_errors():  # the user already has the diagnosis; losing a log row is only logged
            log.exception("could not record %d diagnosis(es)", len(diagnoses))

    return CliRuntime(index, Renderer(guides=tuple(index.guides.values())), True, log_diagnoses, store.close)


def _build(entries, guides, confirmed) -> KnowledgeIndex:
    # As bot.runtime.load_index: the objects built all live on; the cycle collector would only walk them.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return build_index(entries, guides, confirmed=confirmed)
    finally:
        if was_enabled:
            gc.enable()
