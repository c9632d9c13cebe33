"""Initial schema: guides, knowledge-base entries, the knowledge-base version, the diagnosis log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guides",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("title_de", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_guides")),
    )
    op.create_table(
        "kb_entries",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("guide", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("anchor", sa.String(length=255), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_entries")),
    )
    state = op.create_table(
        "kb_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_kb_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_state")),
    )
    # The one state row exists from the start, so every sync can lock it (two first syncs could
    # otherwise both try to insert it).
    op.bulk_insert(state, [{"id": 1, "version": 0, "updated_at": datetime.now(UTC)}])
    op.create_table(
        "diagnoses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("surface", sa.String(length=32), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("top_entry_id", sa.String(length=64), nullable=True),
        sa.Column("top_score", sa.Float(), nullable=True),
        sa.Column("matches", sa.JSON(), nullable=False),
        sa.Column("elapsed_ms", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diagnoses")),
    )
    op.create_index("ix_diagnoses_created_at", "diagnoses", ["created_at"])
    op.create_index("ix_diagnoses_top_entry_id", "diagnoses", ["top_entry_id"])
    op.create_index("ix_diagnoses_surface_created_at", "diagnoses", ["surface", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_diagnoses_surface_created_at", table_name="diagnoses")
    op.drop_index("ix_diagnoses_top_entry_id", table_name="diagnoses")
    op.drop_index("ix_diagnoses_created_at", table_name="diagnoses")
    op.drop_table("diagnoses")
    op.drop_table("kb_state")
    op.drop_table("kb_entries")
    op.drop_table("guides")
