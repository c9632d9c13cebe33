"""Slack: handled event ids (dedupe), feedback on diagnoses, and who asked where on each diagnosis.

Revision ID: 0002_slack
Revises: 0001_initial
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_slack"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite cannot alter a table in place beyond the simplest changes.
    with op.batch_alter_table("diagnoses") as batch:
        batch.add_column(sa.Column("user_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("channel_id", sa.String(length=64), nullable=True))
    op.create_index("ix_diagnoses_user_id_created_at", "diagnoses", ["user_id", "created_at"])
    op.create_table(
        "slack_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_slack_events")),
    )
    op.create_index("ix_slack_events_received_at", "slack_events", ["received_at"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("diagnosis_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("correct_entry_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("verdict IN ('solved', 'wrong_match')", name=op.f("ck_feedback_verdict")),
        sa.ForeignKeyConstraint(["diagnosis_id"], ["diagnoses.id"], name=op.f("fk_feedback_diagnosis_id_diagnoses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index("ix_feedback_diagnosis_id", "feedback", ["diagnosis_id"])


def downgrade() -> None:
    op.drop_index("ix_feedback_diagnosis_id", table_name="feedback")
    op.drop_table("feedback")
    op.drop_index("ix_slack_events_received_at", table_name="slack_events")
    op.drop_table("slack_events")
    op.drop_index("ix_diagnoses_user_id_created_at", table_name="diagnoses")
    with op.batch_alter_table("diagnoses") as batch:
        batch.drop_column("channel_id")
        batch.drop_column("user_id")
