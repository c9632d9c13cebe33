"""The tables. Every change to them goes through an Alembic revision in `migrations/`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Named constraints, so SQLite batch migrations can find and alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
STATE_ID = 1  # kb_state holds exactly one row
VERDICTS = ("solved", "wrong_match")  # what feedback may say
ALERT_STATES = ("firing", "resolved")
# What the delivery worker sends for an alert: the message, edits of it, notes and replies in its thread.
OUTBOX_KINDS = ("post", "update", "note", "resolved", "refired")
OUTBOX_STATES = ("pending", "sent", "dead")
# A candidate example waits for review; accepted ones are learned from, rejected ones never return.
EXAMPLE_STATES = ("pending", "accepted", "rejected")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive text, PostgreSQL timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class GuideRow(Base):
    """A troubleshooting guide; `document` is the whole guide (markers and foreign words included)."""

    __tablename__ = "guides"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    title_en: Mapped[str] = mapped_column(Text)
    title_de: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text)
    document: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))


class EntryRow(Base):
    """A knowledge-base entry; `document` is `bot.kb.codec.entry_to_dict(entry)`, the rest is for people."""

    __tablename__ = "kb_entries"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # No foreign key to guides: entries and guides are synced from files that may be edited apart.
    guide: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    anchor: Mapped[str] = mapped_column(String(255))
    title_en: Mapped[str] = mapped_column(Text)
    document: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KbStateRow(Base):
    """The knowledge-base version, bumped by every sync that changes an entry or a guide."""

    __tablename__ = "kb_state"
    __table_args__ = (CheckConstraint(f"id = {STATE_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DiagnosisRow(Base):
    """One answered request: what was asked (redacted, cut) and what the bot decided."""

    __tablename__ = "diagnoses"
    __table_args__ = (
        Index("ix_diagnoses_created_at", "created_at"),
        Index("ix_diagnoses_top_entry_id", "top_entry_id"),
        Index("ix_diagnoses_surface_created_at", "surface", "created_at"),
        Index("ix_diagnoses_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    surface: Mapped[str] = mapped_column(String(32))
    excerpt: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    decision: Mapped[str] = mapped_column(String(16))
    top_entry_id: Mapped[str | None] = mapped_column(String(64))
    top_score: Mapped[float | None] = mapped_column(Float)
    matches: Mapped[list] = mapped_column(JSON)  # [{"id": entry id, "score": float}, ...], best first
    elapsed_ms: Mapped[float] = mapped_column(Float)
    # Who asked and where (Slack ids); None for the CLI, batches and alerts.
    user_id: Mapped[str | None] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(64))


class SlackEventRow(Base):
    """A Slack event already handled: the primary key makes a retried or twice-delivered event fail to insert."""

    __tablename__ = "slack_events"
    __table_args__ = (Index("ix_slack_events_received_at", "received_at"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackRow(Base):
    """What a person said about a diagnosis: 'solved' or 'wrong_match' (and, maybe, the right entry)."""

    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_diagnosis_id", "diagnosis_id"),
        CheckConstraint(f"verdict IN {VERDICTS!r}", name="verdict"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    diagnosis_id: Mapped[int] = mapped_column(ForeignKey("diagnoses.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))
    # No foreign key: entries come and go with kb syncs, the feedback stays.
    correct_entry_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackExampleRow(Base):
    """A candidate example from feedback: a (redacted) paste and the entry people say it belongs to.

    The same paste reported for the same entry again is one row with a higher `count`. Only a
    maintainer's accept makes it `accepted`, and only accepted rows reach the index.
    """

    __tablename__ = "feedback_examples"
    __table_args__ = (
        UniqueConstraint("entry_id", "text_hash"),
        Index("ix_feedback_examples_status_entry_id", "status", "entry_id"),
        CheckConstraint(f"status IN {EXAMPLE_STATES!r}", name="status"),
        CheckConstraint(f"verdict IN {VERDICTS!r}", name="verdict"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # No foreign key: entries come and go with kb syncs; accepting checks the entry still exists.
    entry_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)  # redacted, white space folded, capped
    text_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the case-folded text
    verdict: Mapped[str] = mapped_column(String(16))  # how it was first reported: solved | wrong_match
    answered_entry_id: Mapped[str | None] = mapped_column(String(64))  # what the bot answered then
    status: Mapped[str] = mapped_column(String(16), default="pending")
    count: Mapped[int] = mapped_column(Integer, default=1)
    reporters: Mapped[list] = mapped_column(JSON)  # distinct Slack user ids, first ones kept
    first_reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlertRow(Base):
    """One Slack message about one alert: its first firing up to its resolution.

    `key` is the alert's identity (source, group key, fingerprint); `generation` counts the times it
    fired again after a resolve, each with a message of its own linked to the one before (`previous_id`).
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("key", "generation"),
        CheckConstraint(f"status IN {ALERT_STATES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(16))
    # The alert as it last fired (values, labels, links); a resolve keeps them and sets `ends_at` only.
    document: Mapped[dict] = mapped_column(JSON)
    channel: Mapped[str | None] = mapped_column(String(64))  # None: no route, stored but not posted
    route: Mapped[str] = mapped_column(String(64))
    mentions: Mapped[list] = mapped_column(JSON)
    message_ts: Mapped[str | None] = mapped_column(String(32))  # set once the message is posted
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    count: Mapped[int] = mapped_column(Integer)  # firing notifications received
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    noted_at: Mapped[datetime] = mapped_column(UTCDateTime)  # last "still firing" thread note (or first_seen)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_by: Mapped[str | None] = mapped_column(String(64))
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    diagnosis_id: Mapped[int | None] = mapped_column(ForeignKey("diagnoses.id", ondelete="SET NULL"))
    # In a storm the message is a reply in the storm's summary thread (see AlertGroupRow).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("alert_groups.id", ondelete="SET NULL"), index=True)


class AlertGroupRow(Base):
    """An alert storm in one channel: one summary message, its single alerts as replies in its thread.

    Opened when more new-alert messages wait for the channel than ALERT_STORM_THRESHOLD; alerts go into
    it while they keep coming (`last_at` within ALERT_STORM_QUIET_SECONDS). The summary is edited in
    place; `shown` is what it showed last, so it is edited only when that changes.
    """

    __tablename__ = "alert_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(64), index=True)
    message_ts: Mapped[str | None] = mapped_column(String(32))  # the summary, once posted
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # posts of the summary tried (look before the next)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shown: Mapped[str | None] = mapped_column(Text)


class AlertGroupCountRow(Base):
    """How many alerts of a storm share one rule, endpoint or diagnosis (counted as they are posted)."""

    __tablename__ = "alert_group_counts"

    group_id: Mapped[int] = mapped_column(ForeignKey("alert_groups.id", ondelete="CASCADE"), primary_key=True)
    facet: Mapped[str] = mapped_column(String(16), primary_key=True)  # rule | endpoint | diagnosis
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class OutboxRow(Base):
    """A Slack call still to make (or made) for an alert, stored with the alert in one transaction.

    The delivery worker claims a row for `lease` seconds (`claimed_by`, `claimed_until`), calls Slack,
    and marks it sent; a worker that dies leaves a claim that expires. `in_doubt` says a call may have
    reached Slack without its answer reaching us, so the next attempt looks before posting again.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_alert_id_id", "alert_id", "id"),
        Index("ix_outbox_channel_status_id", "channel", "status", "id"),  # a channel's batch, oldest first
        CheckConstraint(f"kind IN {OUTBOX_KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {OUTBOX_STATES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    in_doubt: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_ts: Mapped[str | None] = mapped_column(String(32))  # the ts of the message it posted
    last_error: Mapped[str | None] = mapped_column(Text)


class ChannelPacingRow(Base):
    """Whose turn it is to send to a channel, and when its next message may go.

    One delivery worker at a time holds a channel's turn (for at most `held_until`), so
    ALERT_CHANNEL_RATE holds for the channel across every server and worker process, not per process;
    `next_at` (unix seconds) hands the pace on to whichever worker takes the turn next.
    """

    __tablename__ = "channel_pacing"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_at: Mapped[float] = mapped_column(Float, default=0.0)
