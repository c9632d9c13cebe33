"""Guide files (`knowledge/guides/*.yaml`): which guide an entry belongs to, and its context words."""

from __future__ import annotations

from pathlib import Path

from bot.engine.model import LANGUAGES, Guide, Localized
from bot.kb.files import FileProblem
from bot.kb.guide_codec import MARKER_KEYS
from bot.kb.yamlfile import YamlError, load_yaml

GUIDE_GLOB = "guides/*.yaml"


def parse_guide(data, path: Path) -> tuple[Guide | None, list[FileProblem]]:
    problems: list[FileProblem] = []

    def fail(key: str, message: str) -> None:
        line = data.line_of(key) if hasattr(data, "line_of") else 1
        problems.append(FileProblem(path, line, message))

    if not isinstance(data, dict):
        return None, [FileProblem(path, 1, "a guide file must be a mapping")]
    for key in ("name", "language", "source"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            fail(key, f"guide: {key!r} must be a non-empty string")
    title = data.get("title")
    if not isinstance(title, dict) or any(not isinstance(title.get(lang), str) for lang in LANGUAGES):
        fail("title", "guide: 'title' needs en and de")
        title = {}
    lists = {}
    for key in MARKER_KEYS:
        value = data.get(key, [])
        if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
            fail(key, f"guide: {key!r} must be a list of strings")
            value = []
        lists[key] = tuple(v.strip() for v in value)
    if problems:
        return None, problems
    if path.stem != data["name"]:
        problems.append(FileProblem(path, data.line_of("name") if hasattr(data, "line_of") else 1,
                                    f"file name should be {data['name']}.yaml"))
    return Guide(data["name"].strip(), Localized(title["en"], title["de"]), data["language"].strip(),
                 data["source"].strip(), **lists), problems


def load_guide_files(root: Path) -> tuple[list[Guide], list[FileProblem]]:
    guides: list[Guide] = []
    problems: list[FileProblem] = []
    for path in sorted(Path(root).glob(GUIDE_GLOB)):
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except YamlError as exc:
            problems.append(FileProblem(path, exc.line, exc.message))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(FileProblem(path, 0, f"cannot read: {exc}"))
            continue
        guide, found = parse_guide(data, path)
        problems.extend(found)
        if guide:
            guides.append(guide)
    return guides, problems
