"""Guides as the last sync stored them, and their JSON form."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.tables import GuideRow
from bot.model import Guide, Localized


def guide_to_dict(guide: Guide) -> dict:
    """A JSON-ready mapping of a guide (how the database stores it)."""
    return {
        "name": guide.name,
        "title": {"en": guide.title.en, "de": guide.title.de},
        "language": guide.language,
        "source": guide.source,
        "markers": list(guide.markers),
        "foreign": list(guide.foreign),
    }


def guide_from_dict(data: dict) -> Guide:
    """The inverse of guide_to_dict."""
    return Guide(
        name=data["name"],
        title=Localized(data["title"]["en"], data["title"]["de"]),
        language=data["language"],
        source=data["source"],
        markers=tuple(data.get("markers", ())),
        foreign=tuple(data.get("foreign", ())),
    )


class GuideRepository:
    """Guides stored by `bot.kb.sync.sync_knowledge`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[Guide]:
        """Every guide, ordered by name."""
        rows = self.session.scalars(select(GuideRow)).all()
        return sorted((guide_from_dict(row.document) for row in rows), key=lambda guide: guide.name)

    def get(self, name: str) -> Guide | None:
        row = self.session.get(GuideRow, name)
        return None if row is None else guide_from_dict(row.document)
