"""detect-secrets' published detectors and credential names, read out of the installed package as
plain data (RE2 pattern sources), so redaction can run them without importing detect-secrets.

Importing detect-secrets costs ~0.15 s of CPU (its package `__init__` pulls `requests`, and listing
the detectors imports every plugin module); a command-line diagnosis is ~0.2 s without it. The data
read here is therefore cached outside the engine (`bot/redaction_rules.py`), keyed by detect-secrets'
version and a hash of this file: any change to the extraction below invalidates the cache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import re2

# detect-secrets detectors left out: public IP addresses are no secret and name the endpoint a
# command needs; the keyword and high-entropy detectors are replaced by our own rules
# (bot/engine/redact.py), which run over a whole paste instead of line by line and know which hex
# strings are ids.
_SKIPPED_DETECTORS = {"IPPublicDetector", "KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString"}
# RE2 has no look-arounds; detect-secrets uses these only at a pattern's edges, as word boundaries.
_EDGE_LOOKAROUNDS = ("(?:(?<=\\W)|(?<=^))", "(?!\\w)")


@dataclass(frozen=True)
class DetectorRuleset:
    """What redaction takes from detect-secrets: plain strings, so it can be stored as JSON."""

    credential_names: tuple[str, ...]  # regex fragments: "api_?key", "password", ...
    detectors: tuple[tuple[str, str, bool], ...]  # (name, RE2 pattern source, ignore case)

    def to_json(self) -> dict:
        return {"credential_names": list(self.credential_names), "detectors": [list(d) for d in self.detectors]}

    @classmethod
    def from_json(cls, data: object) -> DetectorRuleset:
        """The ruleset `to_json` wrote; ValueError for anything else (a damaged or foreign file)."""
        if not isinstance(data, dict):
            raise ValueError("not a ruleset")
        names, detectors = data.get("credential_names"), data.get("detectors")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValueError("credential_names: not a list of strings")
        if not isinstance(detectors, list) or not all(
                isinstance(d, list) and len(d) == 3 and isinstance(d[0], str) and isinstance(d[1], str)
                and isinstance(d[2], bool) for d in detectors):
            raise ValueError("detectors: not a list of [name, pattern, ignore case]")
        return cls(tuple(names), tuple((name, source, ignore_case) for name, source, ignore_case in detectors))


def re2_compiles(source: str, *, ignore_case: bool) -> bool:
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    try:
        re2.compile(source, options)
    except re2.error:
        return False
    return True


def extract_ruleset() -> DetectorRuleset:
    """detect-secrets' regex detectors that RE2 can run (look-arounds at the edges are dropped), and
    its credential names, from the installed package."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.keyword import DENYLIST

    detectors = []
    for cls in get_mapping_from_secret_type_to_class().values():
        if cls.__name__ in _SKIPPED_DETECTORS:
            continue
        try:
            patterns = list(cls().denylist)
        except Exception:  # a detector that is not regex-based
            continue
        for n, compiled in enumerate(patterns):
            source = compiled.pattern
            for lookaround in _EDGE_LOOKAROUNDS:
                source = source.replace(lookaround, "")
            ignore_case = bool(compiled.flags & re.IGNORECASE)
            # e.g. a repetition above RE2's 1000 does not compile; the other detectors still run.
            if re2_compiles(source, ignore_case=ignore_case):
                detectors.append((f"{cls.__name__}#{n}", source, ignore_case))
    return DetectorRuleset(tuple(DENYLIST), tuple(detectors))
