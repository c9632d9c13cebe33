"""Entry <-> plain mapping: the one place that knows the knowledge-file schema.

`parse_entry` collects every problem (with the line it stands on, where the mapping knows
lines) instead of stopping at the first, so `kb check` can list them all at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.commands import PLACEHOLDER_RE
from bot.engine.model import KINDS, LANGUAGES, Cause, Command, Entry, Localized, Signals
from bot.kb.regexcheck import shape_problems

ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{1,63}$")
CODE_RE = re.compile(r"^\w+$")
LOOSE_PLACEHOLDER_RE = re.compile(r"<[^<>\s]*[A-Z _][^<>]*>")

ENTRY_KEYS = {"id", "status", "kind", "guide", "anchor", "title", "summary", "signals", "causes",
              "related", "links", "examples"}
# A file's review state; absent means reviewed. Drafts (from `kb import`) are checked but not served.
STATUSES = ("draft", "reviewed")
SIGNAL_KEYS = {"codes", "status", "phrases", "patterns", "symptoms"}
CAUSE_KEYS = {"title", "explanation", "steps", "commands", "hints"}
COMMAND_KEYS = {"run", "description"}


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


class EntryError(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _line(obj, key=None) -> int:
    if key is not None and hasattr(obj, "line_of"):
        return obj.line_of(key)
    return getattr(obj, "line", 0)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, line: int, message: str) -> None:
        self.problems.append(Problem(line, message))

    def mapping(self, value, where: str, allowed: set[str], line: int) -> dict:
        if not isinstance(value, dict):
            self.fail(line, f"{where} must be a mapping")
            return {}
        for key in value:
            if key not in allowed:
                self.fail(_line(value, key), f"{where}: unknown key {key!r}")
        return value

    def text(self, parent, key: str, where: str, *, required: bool = True) -> str:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(_line(parent), f"{where}: missing {key!r}")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(_line(parent, key), f"{where}.{key} must be a non-empty string")
            return ""
        return value.strip()

    def localized(self, parent, key: str, where: str, *, required: bool = True) -> Localized:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(_line(parent), f"{where}: missing {key!r} (with en and de)")
            return Localized("", "")
        return self.localized_value(value, f"{where}.{key}", _line(parent, key))

    def localized_value(self, value, where: str, line: int) -> Localized:
        value = self.mapping(value, where, set(LANGUAGES), line)
        texts = []
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.fail(_line(value, lang) if lang in value else line,
                          f"{where}.{lang} must be a non-empty string")
                text = ""
            texts.append(text.strip())
        return Localized(*texts)

    def items(self, parent, key: str, where: str) -> list[tuple[object, int]]:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(_line(parent, key), f"{where}.{key} must be a list")
            return []
        lines = getattr(value, "item_lines", None) or [_line(parent, key)] * len(value)
        return list(zip(value, lines, strict=False))

    def strings(self, parent, key: str, where: str) -> tuple[str, ...]:
        out = []
        for item, line in self.items(parent, key, where):
            if isinstance(item, str) and item.strip():
                out.append(item.strip())
            else:
                self.fail(line, f"{where}.{key}: every item must be a non-empty string")
        return tuple(out)


def entry_status(data) -> str:
    """`draft` or `reviewed` (also for a missing or malformed status: parse_entry reports those)."""
    return "draft" if isinstance(data, dict) and data.get("status") == "draft" else "reviewed"


def parse_entry(data) -> Entry:
    """Build an Entry from a mapping (a LineDict from a file, or a dict from the database)."""
    if type(data) is dict:  # a stored document: try the quick way, validate fully only if it fails
        try:
            return _stored_entry(data)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
    r = _Reader()
    data = r.mapping(data, "entry", ENTRY_KEYS, _line(data))
    if "status" in data and data["status"] not in STATUSES:
        r.fail(_line(data, "status"), f"status {data['status']!r} must be one of {', '.join(STATUSES)}")
    entry_id = r.text(data, "id", "entry")
    if entry_id and not ID_RE.match(entry_id):
        r.fail(_line(data, "id"), f"id {entry_id!r} must be letters, digits, '_', '-' or '.'")
    kind = r.text(data, "kind", "entry")
    if kind and kind not in KINDS:
        r.fail(_line(data, "kind"), f"kind {kind!r} must be one of {', '.join(KINDS)}")
    signals = _parse_signals(r, data)
    causes = []
    for i, (item, line) in enumerate(r.items(data, "causes", "entry")):
        causes.append(_parse_cause(r, item, f"causes[{i}]", line))
    if not causes:
        r.fail(_line(data, "causes"), "entry: needs at least one cause")
    entry = Entry(
        id=entry_id,
        kind=kind,
        guide=r.text(data, "guide", "entry"),
        anchor=r.text(data, "anchor", "entry"),
        title=r.localized(data, "title", "entry"),
        summary=r.localized(data, "summary", "entry"),
        signals=signals,
        causes=tuple(causes),
        related=r.strings(data, "related", "entry"),
        links=r.strings(data, "links", "entry"),
        examples=r.strings(data, "examples", "entry"),
    )
    if r.problems:
        raise EntryError(r.problems)
    return entry


def _parse_signals(r: _Reader, data) -> Signals:
    raw = data.get("signals")
    if raw is None:
        r.fail(_line(data), "entry: missing 'signals'")
        return Signals()
    raw = r.mapping(raw, "signals", SIGNAL_KEYS, _line(data, "signals"))
    status = []
    for item, line in r.items(raw, "status", "signals"):
        if isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 599:
            status.append(item)
        else:
            r.fail(line, f"signals.status: {item!r} is not an HTTP status code")
    patterns = r.strings(raw, "patterns", "signals")
    for pattern, line in r.items(raw, "patterns", "signals"):
        if isinstance(pattern, str):
            for message in shape_problems(pattern):
                r.fail(line, f"signals.patterns: {pattern!r}: {message}")
    for code, line in r.items(raw, "codes", "signals"):
        if isinstance(code, str) and not CODE_RE.match(code.strip()):
            r.fail(line, f"signals.codes: {code!r} must be one word (letters, digits, '_'): "
                         "codes are matched as whole tokens")
    signals = Signals(
        codes=r.strings(raw, "codes", "signals"),
        status=tuple(status),
        phrases=r.strings(raw, "phrases", "signals"),
        patterns=patterns,
        symptoms=r.strings(raw, "symptoms", "signals"),
    )
    if not (signals.codes or signals.status or signals.phrases or signals.patterns or signals.symptoms):
        r.fail(_line(data, "signals"), "signals: an entry needs at least one signal")
    return signals


def _parse_cause(r: _Reader, item, where: str, line: int) -> Cause:
    item = r.mapping(item, where, CAUSE_KEYS, line)
    steps = tuple(r.localized_value(step, f"{where}.steps[{i}]", step_line)
                  for i, (step, step_line) in enumerate(r.items(item, "steps", where)))
    commands = []
    for i, (cmd, cmd_line) in enumerate(r.items(item, "commands", where)):
        cmd = r.mapping(cmd, f"{where}.commands[{i}]", COMMAND_KEYS, cmd_line)
        template = r.text(cmd, "run", f"{where}.commands[{i}]")
        loose = LOOSE_PLACEHOLDER_RE.search(PLACEHOLDER_RE.sub("", template))
        if loose:
            r.fail(cmd_line, f"{where}.commands[{i}]: placeholder {loose.group(0)!r} should look like "
                             "<lower-case-name>")
        commands.append(Command(
            template=template,
            description=r.localized(cmd, "description", f"{where}.commands[{i}]"),
        ))
    return Cause(
        title=r.localized(item, "title", where),
        explanation=r.localized(item, "explanation", where),
        steps=steps,
        commands=tuple(commands),
        hints=r.strings(item, "hints", where),
    )


def _loc(text: Localized) -> dict:
    return {"en": text.en, "de": text.de}


def entry_to_dict(entry: Entry) -> dict:
    """The inverse of parse_entry: a JSON-ready mapping (how the database stores an entry)."""
    s = entry.signals
    return {
        "id": entry.id,
        "kind": entry.kind,
        "guide": entry.guide,
        "anchor": entry.anchor,
        "title": _loc(entry.title),
        "summary": _loc(entry.summary),
        "signals": {"codes": list(s.codes), "status": list(s.status), "phrases": list(s.phrases),
                    "patterns": list(s.patterns), "symptoms": list(s.symptoms)},
        "causes": [
            {"title": _loc(c.title), "explanation": _loc(c.explanation),
             "steps": [_loc(step) for step in c.steps],
             "commands": [{"run": cmd.template, "description": _loc(cmd.description)}
                          for cmd in c.commands],
             "hints": list(c.hints)}
            for c in entry.causes
        ],
        "related": list(entry.related),
        "links": list(entry.links),
        "examples": list(entry.examples),
    }


def _text(value) -> str:
    if type(value) is not str or not value.strip():
        raise ValueError("not a non-empty string")
    return value.strip()


def _stored_loc(value) -> Localized:
    if type(value) is not dict or len(value) != 2:
        raise ValueError("not {en, de}")
    return Localized(_text(value["en"]), _text(value["de"]))


def _texts(values) -> tuple[str, ...]:
    return tuple(_text(v) for v in values)


def _stored_entry(doc: dict) -> Entry:
    """An Entry from exactly what entry_to_dict writes (documents synced after full validation).

    Building the index of a large knowledge base parses every stored document; this skips the
    line-aware checks. Anything unexpected raises, and parse_entry then validates the long way.
    """
    if len(doc) != 11 or not ID_RE.match(doc["id"]) or doc["kind"] not in KINDS:
        raise ValueError("not a stored document")
    s = doc["signals"]
    if len(s) != 5 or any(type(v) is not int or not 100 <= v <= 599 for v in s["status"]):
        raise ValueError("bad signals")
    signals = Signals(codes=_texts(s["codes"]), status=tuple(s["status"]), phrases=_texts(s["phrases"]),
                      patterns=_texts(s["patterns"]), symptoms=_texts(s["symptoms"]))
    causes = []
    for c in doc["causes"]:
        if len(c) != 5:
            raise ValueError("bad cause")
        commands = []
        for cmd in c["commands"]:
            if len(cmd) != 2:
                raise ValueError("bad command")
            commands.append(Command(template=_text(cmd["run"]), description=_stored_loc(cmd["description"])))
        causes.append(Cause(title=_stored_loc(c["title"]), explanation=_stored_loc(c["explanation"]),
                            steps=tuple(_stored_loc(step) for step in c["steps"]), commands=tuple(commands),
                            hints=_texts(c["hints"])))
    if not causes or not (signals.codes or signals.status or signals.phrases or signals.patterns or signals.symptoms):
        raise ValueError("no causes or signals")
    return Entry(id=doc["id"], kind=doc["kind"], guide=_text(doc["guide"]), anchor=_text(doc["anchor"]),
                 title=_stored_loc(doc["title"]), summary=_stored_loc(doc["summary"]), signals=signals,
                 causes=tuple(causes), related=_texts(doc["related"]), links=_texts(doc["links"]),
                 examples=_texts(doc["examples"]))
