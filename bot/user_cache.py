"""The user's cache directory, and the compiled reply templates kept in it.

Compiling the reply template a command-line diagnosis renders costs ~25 ms of its CPU, each run;
Jinja2 can keep the compiled code instead (its bytecode cache, keyed by the template's name and a
checksum of its source, and tied to the Python version), so an edited template is compiled anew.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

from bot.replies.render import cache_compiled_templates

log = logging.getLogger(__name__)


def cache_dir(environ: os._Environ | dict[str, str] | None = None) -> Path | None:
    """$XDG_CACHE_HOME/tsgbot, else ~/.cache/tsgbot; None when there is no home to put it in."""
    environ = os.environ if environ is None else environ
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]) / "tsgbot"
    if environ.get("HOME"):
        return Path(environ["HOME"]) / ".cache" / "tsgbot"
    return None


class _TemplateCache(FileSystemBytecodeCache):
    """Jinja2's file cache, except that a cache that cannot be written only costs time, never the answer."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("compiled template not cached: %s", exc)


def install_template_cache(directory: Path | None = None) -> None:
    """Keep compiled reply templates under the user's cache directory (when there is one to write)."""
    directory = cache_dir() if directory is None else directory
    if directory is None:
        return
    templates = directory / "templates"
    try:
        templates.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("no template cache in %s: %s", templates, exc)
        return
    cache_compiled_templates(_TemplateCache(str(templates)))
