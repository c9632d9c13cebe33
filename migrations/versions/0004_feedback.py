"""Feedback examples: candidate pastes from 'Solved it' and 'Wrong match', reviewed before the index learns them.

Revision ID: 0004_feedback
Revises: 0003_alerts
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_feedback"
down_revision: str | Sequence[str] | None = "0003_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_examples",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("answered_entry_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("reporters", sa.JSON(), nullable=False),
        sa.Column("first_reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'rejected')",
                           name=op.f("ck_feedback_examples_status")),
        sa.CheckConstraint("verdict IN ('solved', 'wrong_match')", name=op.f("ck_feedback_examples_verdict")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_examples")),
        sa.UniqueConstraint("entry_id", "text_hash", name=op.f("uq_feedback_examples_entry_id_text_hash")),
    )
    op.create_index("ix_feedback_examples_status_entry_id", "feedback_examples", ["status", "entry_id"])


def downgrade() -> None:
    op.drop_index("ix_feedback_examples_status_entry_id", table_name="feedback_examples")
    op.drop_table("feedback_examples")
