"""Guides as the last sync stored them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.tables import GuideRow
from bot.engine.model import Guide
from bot.kb.guide_codec import guide_from_dict


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
