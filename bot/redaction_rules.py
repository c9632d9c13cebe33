"""detect-secrets' detectors for redaction, from a small cache file instead of the package itself.

Importing detect-secrets costs a command-line diagnosis ~0.15 s of CPU (half its start-up); the
patterns it yields are plain strings. They are kept in `redaction-rules.json` in the user's cache
directory ($XDG_CACHE_HOME/tsgbot, else ~/.cache/tsgbot), with the key they were read under:
detect-secrets' version and where it is installed, the RE2 library's version (it decides which
patterns compile) and a hash of the extraction code (`bot/engine/detector_ruleset.py`). A cache
under any other key, damaged, or unreadable is not used: the ruleset is read from the package
again and the file rewritten. A cache that cannot be written (read-only home) only costs time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
from pathlib import Path

from bot.engine import detector_ruleset
from bot.engine.detector_ruleset import DetectorRuleset, extract_ruleset
from bot.engine.redact import use_ruleset
from bot.user_cache import cache_dir

log = logging.getLogger(__name__)

CACHE_FILE = "redaction-rules.json"


def cache_key() -> dict[str, str]:
    """What the cached ruleset depends on; a cache under another key is read again from the package."""
    extraction = hashlib.sha256(Path(detector_ruleset.__file__).read_bytes()).hexdigest()
    return {"detect_secrets": _installed("detect_secrets", "detect_secrets"), "re2": _installed("re2", "google_re2"),
            "extraction": extraction}


def _installed(package: str, distribution: str) -> str:
    """Where a package is installed and its version, from its .dist-info directory's name: without
    importing it, and without importlib.metadata (20 ms of imports, as much as the rest of this)."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return "not installed"  # extraction then fails as the import in the engine would
    site = Path(spec.origin).parent.parent
    versions = sorted(p.name for p in site.glob(f"{distribution}-*.dist-info"))
    return f"{' '.join(versions) or 'no version'} at {site}"


def load_ruleset(directory: Path | None = None) -> DetectorRuleset:
    """The cached ruleset when it was stored under today's key, else the freshly extracted one (stored)."""
    directory = cache_dir() if directory is None else directory
    if directory is None:
        return extract_ruleset()
    path = directory / CACHE_FILE
    key = cache_key()
    cached = _read(path, key)
    if cached is not None:
        return cached
    ruleset = extract_ruleset()
    _write(path, key, ruleset)
    return ruleset


def install_cached_ruleset(directory: Path | None = None) -> None:
    """Hand redaction its detectors from the cache (or the package), before anything is redacted."""
    ruleset = load_ruleset(directory)
    try:
        use_ruleset(ruleset)
    except Exception:  # a pattern that does not compile got into the cache: the package's own instead
        log.warning("cached redaction rules do not compile; reading them from detect-secrets", exc_info=True)
        use_ruleset(extract_ruleset())


def _read(path: Path, key: dict[str, str]) -> DetectorRuleset | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.debug("redaction rules cache %s not used: %s", path, exc)
        return None
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    try:
        return DetectorRuleset.from_json(stored.get("ruleset"))
    except ValueError as exc:
        log.debug("redaction rules cache %s not used: %s", path, exc)
        return None


def _write(path: Path, key: dict[str, str], ruleset: DetectorRuleset) -> None:
    """Atomically (a temporary file renamed over it), so a concurrent reader sees the old or the new file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".redaction-rules-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"key": key, "ruleset": ruleset.to_json()}, out)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        log.debug("redaction rules cache %s not written: %s", path, exc)
