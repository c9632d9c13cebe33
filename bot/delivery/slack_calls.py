"""The Slack call each outbox job makes, and the look-back that keeps a retried post from doubling.

Every message posted carries metadata naming its outbox job. When an earlier attempt may have
reached Slack (the process died mid-call, the answer timed out), the next attempt first reads the
channel (or the thread) back to a little before the job was queued, every page of it, for a message
with that metadata and, if it is there, takes its ts instead of posting again. Every call goes to the
channel's id (a route's `#name` is resolved once): Slack's history, join and edit take ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.alerts.records import AlertRecord
from bot.alerts.storm import StormCounts, storm_facets
from bot.alerts.text import alert_entities, alert_text
from bot.alerts.views import AlertMessages, with_entities
from bot.db.alert_groups import AlertGroup
from bot.db.outbox import OutboxJob
from bot.delivery.channels import ChannelDirectory, ChannelNotFound
from bot.delivery.outcome import Outcome, failure
from bot.engine.diagnose import diagnose
from bot.engine.index import KnowledgeIndex
from bot.engine.model import Diagnosis
from bot.replies.render import Renderer

log = logging.getLogger(__name__)
EVENT_TYPE = "tsgbot_alert"
LOOK_BACK = timedelta(minutes=5)  # how far before a job was queued its message may be (clock skew)
LOOK_BACK_PAGE = 200  # messages per page of the look-back (Slack's advice for history and replies)
LOOK_BACK_PAGES = 100  # 20,000 later messages; a channel busier than that since the job was queued posts again


@dataclass(frozen=True)
class Sent:
    """What the worker stores after a job went out."""

    outcome: Outcome
    diagnosis: Diagnosis | None = None  # the diagnosis a new message showed (recorded with it)
    channel: str | None = None  # the channel id Slack posted a new message in (a route may name "#channel")
    facets: dict[str, str] | None = None  # what a message posted into a storm's thread counts as there


@dataclass(frozen=True)
class _JobView:
    """The knowledge one job renders with."""

    index: KnowledgeIndex
    messages: AlertMessages
    lang: str

    def diagnose(self, record: AlertRecord) -> Diagnosis:
        alert = record.alert
        diagnosis = diagnose(alert_text(alert), self.index, lang=self.lang)
        return with_entities(diagnosis, alert_entities(alert))


class KnowledgeSnapshot(Protocol):
    """What one job reads once: the index to diagnose with and the renderer that knows its guides."""

    index: KnowledgeIndex
    renderer: Renderer


class SlackCalls:
    def __init__(self, client: WebClient, knowledge: Callable[[], KnowledgeSnapshot], *, lang: str = "en",
                 channels: ChannelDirectory | None = None) -> None:
        self.client = client
        self.knowledge = knowledge
        self.lang = lang
        self.channels = channels or ChannelDirectory(client)

    def channel_id(self, channel: str) -> str:
        """The id of a job's channel (routes may name "#channel"); ChannelNotFound when there is none."""
        return self.channels.resolve(channel)

    def send(self, job: OutboxJob, record: AlertRecord, previous: AlertRecord | None, *, now: datetime,
             storm: AlertGroup | None = None) -> Sent:
        """Make `job`'s call; `previous` is the alert's earlier message (for a re-fire); a new message goes
        into `storm`'s thread when there is one."""
        snapshot = self.knowledge()  # one knowledge-base version for the whole job
        job_view = _JobView(snapshot.index, AlertMessages(snapshot.renderer, lang=self.lang), self.lang)
        try:
            return self._send(job, record, previous, now, job_view, storm)
        except ChannelNotFound as exc:  # a route naming a channel that is not there: no retry changes that
            log.error("alert %s: %s (outbox %s) cannot be sent: %s", record.id, job.kind, job.id, exc)
            return Sent(Outcome("dead", error=f"channel_not_found: {exc}"))
        except Exception as exc:  # classified: retry later, or give up for good
            outcome = failure(exc, attempt=job.attempts + 1)
            (log.error if outcome.status == "dead" else log.warning)(
                "alert %s: %s (outbox %s, attempt %d) failed: %s", record.id, job.kind, job.id, job.attempts + 1,
                outcome.error)
            return Sent(outcome)

    def _send(self, job: OutboxJob, record: AlertRecord, previous: AlertRecord | None, now: datetime,
              view: _JobView, storm: AlertGroup | None) -> Sent:
        if job.kind == "post":
            channel = self.channel_id(job.channel)
            thread_ts = storm.message_ts if storm is not None else None
            diagnosis = view.diagnose(record)
            facets = (storm_facets(record.alert, endpoint=diagnosis.extraction.entities.get("endpoint-name"),
                                   diagnosis=view.messages.top_title(diagnosis)) if thread_ts else None)
            found = self._already_posted(job, channel=channel, thread_ts=thread_ts)
            if not found and thread_ts:  # an attempt before the storm began may have posted it on its own
                found = self._already_posted(job, channel=channel, thread_ts=None)
            if found:
                return Sent(Outcome.sent(found), channel=channel, facets=facets)
            earlier = self._permalink(previous.channel, previous.message_ts) if previous else None
            reply = view.messages.message(record, diagnosis, earlier_link=earlier)
            answer = self._join_if_needed(channel, lambda: self.client.chat_postMessage(
                channel=channel, text=reply.text, blocks=reply.blocks, metadata=self._metadata(job),
                unfurl_links=False, unfurl_media=False, **({"thread_ts": thread_ts} if thread_ts else {})))
            return Sent(Outcome.sent(answer.get("ts")), diagnosis, answer.get("channel") or channel, facets)
        if job.kind in ("note", "resolved") and record.group_id is not None:
            # In a storm's thread: the edit shows the count and the resolution; a reply each would bury it.
            return Sent(Outcome.sent(None))
        if job.kind == "refired":
            if previous is None or not previous.message_ts or not previous.channel or previous.group_id:
                return Sent(Outcome.sent(None))  # nothing to link from: the new message says enough
            link = (self._permalink(self.channel_id(record.channel), record.message_ts)
                    if record.message_ts and record.channel else None)
            return Sent(self._reply(job, self.channel_id(previous.channel), previous.message_ts,
                                    view.messages.refired(link)))
        if job.kind not in ("update", "note", "resolved"):
            return Sent(Outcome("dead", error=f"unknown outbox kind {job.kind!r}"))
        if not record.message_ts or not record.channel:
            return Sent(Outcome("dead", error="the alert's message was never posted"))
        channel = self.channel_id(record.channel)
        if job.kind == "update":
            reply = view.messages.message(record, view.diagnose(record), earlier_link=None)
            self.client.chat_update(channel=channel, ts=record.message_ts, text=reply.text, blocks=reply.blocks)
            return Sent(Outcome.sent(record.message_ts))
        text = (view.messages.still_firing(record) if job.kind == "note"
                else view.messages.resolved(record, now=now))
        return Sent(self._reply(job, channel, record.message_ts, text))

    def _join_if_needed(self, channel: str, post: Callable[[], dict]):
        """Post; when the bot is not in the (public) channel yet, join it and post again."""
        try:
            return post()
        except SlackApiError as exc:
            if exc.response.get("error") != "not_in_channel":
                raise
        log.info("joining %s to post alerts there", channel)
        self.client.conversations_join(channel=channel)
        return post()

    def _reply(self, job: OutboxJob, channel: str, thread_ts: str, text: str) -> Outcome:
        found = self._already_posted(job, channel=channel, thread_ts=thread_ts)
        if found:
            return Outcome.sent(found)
        answer = self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text,
                                              metadata=self._metadata(job), unfurl_links=False, unfurl_media=False)
        return Outcome.sent(answer.get("ts"))

    def post_storm(self, storm: AlertGroup, counts: StormCounts) -> Outcome:
        """Post a storm's summary message (once: a retry after a lost answer looks for it first)."""
        messages = AlertMessages(self.knowledge().renderer, lang=self.lang)
        try:
            channel = self.channel_id(storm.channel)
            if storm.attempts:
                found = self._look_back(("storm_id", storm.id), storm.opened_at, channel=channel, thread_ts=None)
                if found:
                    return Outcome.sent(found)
            reply = messages.storm_summary(counts, since=storm.opened_at)
            answer = self._join_if_needed(channel, lambda: self.client.chat_postMessage(
                channel=channel, text=reply.text, blocks=reply.blocks, unfurl_links=False, unfurl_media=False,
                metadata={"event_type": EVENT_TYPE, "event_payload": {"storm_id": storm.id}}))
            return Outcome.sent(answer.get("ts"))
        except ChannelNotFound as exc:
            return Outcome("dead", error=f"channel_not_found: {exc}")
        except Exception as exc:
            outcome = failure(exc, attempt=storm.attempts + 1)
            log.warning("alert storm %s: the summary could not be posted: %s", storm.id, outcome.error)
            return outcome

    def edit_storm(self, storm: AlertGroup, counts: StormCounts) -> bool:
        """Show a storm's summary as it stands now; False when Slack did not take the edit (tried again later)."""
        if not storm.message_ts:
            return False
        reply = AlertMessages(self.knowledge().renderer, lang=self.lang).storm_summary(counts, since=storm.opened_at)
        try:
            self.client.chat_update(channel=self.channel_id(storm.channel), ts=storm.message_ts, text=reply.text,
                                    blocks=reply.blocks)
            return True
        except Exception as exc:  # a summary lagging behind is no loss: the next edit catches up
            log.warning("alert storm %s: the summary could not be edited: %s", storm.id, exc)
            return False

    @staticmethod
    def _metadata(job: OutboxJob) -> dict:
        return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": job.id, "alert_id": job.alert_id}}

    def _already_posted(self, job: OutboxJob, *, channel: str, thread_ts: str | None) -> str | None:
        """The ts of this job's message when an earlier attempt may have posted it and did."""
        if not job.in_doubt:
            return None
        return self._look_back(("outbox_id", job.id), job.created_at, channel=channel, thread_ts=thread_ts)

    def _look_back(self, marker: tuple[str, int], since: datetime, *, channel: str,
                   thread_ts: str | None) -> str | None:
        """The ts of the message whose metadata carries `marker`, posted in the channel (or thread) since
        a little before `since`; None when there is none."""
        key, value = marker
        oldest = f"{(since - LOOK_BACK).timestamp():.6f}"
        cursor = None
        for _ in range(LOOK_BACK_PAGES):
            # Every page back to `oldest`: a busy channel has more later messages than one page holds.
            paging = {"cursor": cursor} if cursor else {}
            try:
                if thread_ts:
                    answer = self.client.conversations_replies(channel=channel, ts=thread_ts, oldest=oldest,
                                                               include_all_metadata=True, limit=LOOK_BACK_PAGE,
                                                               **paging)
                else:
                    answer = self.client.conversations_history(channel=channel, oldest=oldest,
                                                               include_all_metadata=True, limit=LOOK_BACK_PAGE,
                                                               **paging)
            except SlackApiError as exc:
                status = getattr(exc.response, "status_code", 0)
                if status == 429 or status >= 500:
                    raise  # Slack is busy or down: try the whole job again later
                # Refused for good (a missing history scope): posting again beats never posting.
                log.warning("cannot look for %s %s in %s (%s): posting it", key, value, channel,
                            exc.response.get("error"))
                return None
            for message in answer.get("messages") or ():
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == EVENT_TYPE and payload.get(key) == value:
                    log.info("%s %s was posted by an earlier attempt (ts %s): not posting again", key, value,
                             message.get("ts"))
                    return message.get("ts")
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        log.warning("%s %s: more than %d messages since it was queued; posting it", key, value,
                    LOOK_BACK_PAGE * LOOK_BACK_PAGES)
        return None

    def _permalink(self, channel: str | None, ts: str | None) -> str | None:
        if not channel or not ts:
            return None
        try:
            return self.client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
        except Exception:  # a link is a courtesy: the message goes out without it
            log.warning("no permalink for %s/%s", channel, ts, exc_info=True)
            return None
