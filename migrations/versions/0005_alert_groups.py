"""Alert storms and delivery at pace across processes: `alert_groups` (a storm's summary message in one
channel), `alert_group_counts` (its alerts by rule, endpoint and diagnosis), `alerts.group_id`, and
`channel_pacing` (whose turn it is to send to a channel, and when its next message may go), and an index
for a channel's next batch of outbox jobs.

Revision ID: 0005_alert_groups
Revises: 0004_feedback
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_alert_groups"
down_revision: str | Sequence[str] | None = "0004_feedback"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_pacing",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_channel_pacing")),
    )
    op.create_index("ix_outbox_channel_status_id", "outbox", ["channel", "status", "id"])
    op.create_table(
        "alert_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shown", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_groups")),
    )
    op.create_index(op.f("ix_alert_groups_channel"), "alert_groups", ["channel"])
    op.create_table(
        "alert_group_counts",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("facet", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["alert_groups.id"],
                                name=op.f("fk_alert_group_counts_group_id_alert_groups"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "facet", "value", name=op.f("pk_alert_group_counts")),
    )
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_alerts_group_id"), ["group_id"])
        batch.create_foreign_key(batch.f("fk_alerts_group_id_alert_groups"), "alert_groups", ["group_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint(batch.f("fk_alerts_group_id_alert_groups"), type_="foreignkey")
        batch.drop_index(batch.f("ix_alerts_group_id"))
        batch.drop_column("group_id")
    op.drop_table("alert_group_counts")
    op.drop_index(op.f("ix_alert_groups_channel"), table_name="alert_groups")
    op.drop_table("alert_groups")
    op.drop_index("ix_outbox_channel_status_id", table_name="outbox")
    op.drop_table("channel_pacing")
