"""A guide as the database stores it (a JSON document), apart from the YAML files it is read from:
reading guides back from the database (the command line's fast path) then needs no YAML parser."""

from __future__ import annotations

from bot.engine.model import Guide, Localized

MARKER_KEYS = ("markers", "weak_markers", "foreign")


def guide_to_dict(guide: Guide) -> dict:
    """A JSON-ready mapping of a guide (how the database stores it)."""
    return {"name": guide.name, "title": {"en": guide.title.en, "de": guide.title.de},
            "language": guide.language, "source": guide.source,
            **{key: list(getattr(guide, key)) for key in MARKER_KEYS}}


def guide_from_dict(data: dict) -> Guide:
    """The inverse of guide_to_dict."""
    return Guide(name=data["name"], title=Localized(data["title"]["en"], data["title"]["de"]),
                 language=data["language"], source=data["source"],
                 **{key: tuple(data.get(key, ())) for key in MARKER_KEYS})
