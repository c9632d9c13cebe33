"""Filling `<placeholder>`s of CLI commands with the values found in a paste."""

from __future__ import annotations

import re
import shlex

PLACEHOLDER_RE = re.compile(r"<([a-z][a-z0-9-]*)>")
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.:/@=+-]+$")


def fill(template: str, entities: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The command with every known placeholder filled, and the names still missing.

    Values are shell-quoted unless they are plainly safe: they come from a paste, and the
    command is meant to be copied into a terminal.
    """
    missing: list[str] = []

    def replace(m: re.Match[str]) -> str:
        value = entities.get(m.group(1))
        if value is None:
            if m.group(1) not in missing:
                missing.append(m.group(1))
            return m.group(0)
        return value if _SAFE_VALUE.match(value) else shlex.quote(value)

    return PLACEHOLDER_RE.sub(replace, template), tuple(missing)
