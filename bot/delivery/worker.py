"""The delivery worker: takes due outbox jobs, makes their Slack calls, records what happened.

Runs as a thread inside `serve` and alone as `python app.py worker`; any number of them may share one
database (see bot.db.outbox for how a job goes to exactly one). A channel gets at most
`per_channel_rate` messages per second (Slack's guidance is one) however many workers run: a worker
claims a batch of a channel's jobs together with the channel's turn, sends them one after another at
their slots (the next message `1/rate` seconds after the one before started), and hands the turn and
the pace back. Retry-After is honoured, other failures back off exponentially. A Slack outage only
delays jobs; none is dropped.

Storms: when more than `storm_threshold` new-alert messages wait for one channel, the worker opens
an alert storm there (bot.alerts.storm): it posts one summary message and every new alert of the
channel goes into its thread until none has come for `storm_quiet`; the summary is edited as its
counts change, at most every `SUMMARY_EDIT_SECONDS` (and once more when they settle).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_all
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.alerts.storm import StormCounts
from bot.db.alert_groups import AlertGroup, AlertGroups
from bot.db.alerts import AlertStore
from bot.db.diagnoses import DiagnosisLog, record_from_diagnosis
from bot.db.outbox import Outbox, OutboxJob
from bot.db.tables import utcnow
from bot.delivery.slack_calls import SlackCalls

log = logging.getLogger(__name__)
DEFAULT_LEASE = timedelta(seconds=60)
IDLE_SECONDS = 1.0  # how often an idle worker looks for jobs queued by other processes
WAKE_GAP = 0.05  # after a wake-up by new alerts: let a burst of requests gather before one look at the outbox
BATCH_SECONDS = 1.0  # a batch holds about this much of a channel's sending at its rate
MAX_BATCH = 50  # jobs of one channel per batch (the unpaced case, and fast rates)
CHANNELS_PER_BATCH = 8
SUMMARY_EDIT_SECONDS = 3.0  # a storm's summary is edited at most this often (Slack's chat.update limits)
DEFAULT_STORM_QUIET = timedelta(minutes=10)


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DeliveryWorker:
    def __init__(self, sessions: sessionmaker[Session], calls: SlackCalls, *, lease: timedelta = DEFAULT_LEASE,
                 per_channel_rate: float = 1.0, idle_seconds: float = IDLE_SECONDS, name: str | None = None,
                 on_outcome: Callable[[OutboxJob, str], None] | None = None, senders: int = 1,
                 storm_threshold: int = 0, storm_quiet: timedelta = DEFAULT_STORM_QUIET,
                 summary_every: float = SUMMARY_EDIT_SECONDS) -> None:
        self.sessions = sessions
        self.calls = calls
        self.lease = lease
        self.spacing = 1.0 / per_channel_rate if per_channel_rate > 0 else 0.0
        # Sending a batch must end well within the lease, or another worker could take its jobs meanwhile.
        window = min(BATCH_SECONDS, lease.total_seconds() / 4)
        self.per_channel = MAX_BATCH if not per_channel_rate else max(1, min(MAX_BATCH, int(per_channel_rate * window)))
        self.idle_seconds = idle_seconds
        self.name = name or worker_name()
        self.on_outcome = on_outcome
        self.storm_threshold = storm_threshold  # 0: never coalesce
        self.storm_quiet = storm_quiet
        self.summary_every = summary_every
        self._summaries_due: dict[int, float] = {}  # storm id -> unix time its summary may be edited
        # Calls in flight at once: at fast rates one call's round trip is longer than a slot.
        self._senders = ThreadPoolExecutor(senders, thread_name_prefix="alert-send") if senders > 1 else None
        self._free_at: dict[str, float] = {}  # channel -> unix time its next message may go (as far as we know)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> DeliveryWorker:
        self._thread = threading.Thread(target=self.run, name="alert-delivery", daemon=True)
        self._thread.start()
        return self

    def wake(self, channels: Iterable[str] | None = None) -> None:
        """New jobs were queued in this process (for `channels`, when known): look now rather than at the
        next idle tick, unless every one of those channels must wait anyway."""
        if channels is not None:
            now = time.time()
            free_at = dict(self._free_at)  # a copy: the worker thread replaces entries meanwhile
            if all(free_at.get(channel, 0.0) > now for channel in channels):
                return  # the worker wakes for these channels when their turn comes
        self._wake.set()

    def stop(self, timeout: float = 15.0) -> None:
        """Finish the call under way (if any) and stop; jobs left are taken up by the next worker."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._senders is not None:
            self._senders.shutdown(wait=True)

    def run(self) -> None:
        log.info("alert delivery worker %s started", self.name)
        while not self._stop.is_set():
            try:
                handled = self.run_once()
            except Exception:  # the database went away, say: wait and try again, never die
                log.exception("alert delivery: could not read the outbox")
                handled = 0
                self._stop.wait(self.idle_seconds)
            if not handled:
                woken = self._wake.wait(self._idle_wait())
                self._wake.clear()
                if woken:
                    # Every accepted alert wakes the worker: during a storm, look at most every WAKE_GAP
                    # instead of once per request (a look scans the due jobs). A channel whose turn has
                    # come is looked at at once.
                    self._stop.wait(WAKE_GAP)
        log.info("alert delivery worker %s stopped", self.name)

    # -- one round --------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Claim and deliver a batch of due jobs of channels free to take messages; returns how many."""
        now = time.time()
        self._free_at = {c: at for c, at in self._free_at.items() if at > now}
        # A channel whose next slot is beyond this batch (Slack said wait) is left to a later look.
        paced = frozenset(c for c, at in self._free_at.items() if at > now + BATCH_SECONDS)
        with self.sessions.begin() as session:
            outbox = Outbox(session)
            jobs = outbox.claim(self.name, now=utcnow(), lease=self.lease, per_channel=self.per_channel,
                                limit=self.per_channel * CHANNELS_PER_BATCH, skip_channels=paced)
            paces = dict(outbox.paces)
        for channel, at in paces.items():  # another worker may have sent to it last
            self._free_at[channel] = max(self._free_at.get(channel, 0.0), at)
        queues: dict[str, deque[OutboxJob]] = {}
        for job in jobs:
            queues.setdefault(job.channel, deque()).append(job)
        handled = 0
        sending: list[Future] = []
        storms: dict[str, AlertGroup | None] = {}
        try:
            self._edit_summaries()
            while queues and not self._stop.is_set():
                # The channel whose slot comes first; jobs of one channel keep their order.
                channel = min(queues, key=lambda c: self._free_at.get(c, 0.0))
                wait = self._free_at.get(channel, 0.0) - time.time()
                if wait > BATCH_SECONDS * 2:
                    break  # Slack asked this channel to wait: the rest go back (below)
                if wait > 0 and self._stop.wait(wait):
                    break  # stopping: what is left goes back to the outbox
                if queues[channel][0].kind == "post" and channel not in storms:
                    storms[channel], posted = self._storm(channel)
                    if posted:  # the summary took this slot
                        if self.spacing:
                            self._free_at[channel] = time.time() + self.spacing
                        continue
                job = queues[channel].popleft()
                if not queues[channel]:
                    del queues[channel]
                if self.spacing:
                    self._free_at[channel] = time.time() + self.spacing
                storm = storms.get(channel) if job.kind == "post" else None
                if self._senders is None:
                    self._deliver(job, storm)
                else:  # the next slot need not wait for this call's answer (jobs of a batch are of distinct alerts)
                    sending.append(self._senders.submit(self._deliver, job, storm))
                handled += 1
        finally:
            wait_for_all(sending)  # every call answered before the turn (and the pace) goes back
            self._edit_summaries()
            with self.sessions.begin() as session:
                outbox = Outbox(session)
                for job in (j for left in queues.values() for j in left):
                    outbox.release(job, self.name)
                for channel in paces:
                    outbox.end_turn(channel, self.name, next_at=self._free_at.get(channel, 0.0))
        for future in sending:
            future.result()  # a job that failed unexpectedly (the database went away) is reported here
        return handled

    # -- storms ----------------------------------------------------------------------------------

    def _storm(self, channel: str) -> tuple[AlertGroup | None, bool]:
        """The storm new alerts of `channel` go into (None: post them on their own), and whether its
        summary was posted just now (which takes the channel's slot)."""
        if not self.storm_threshold:
            return None, False
        now = utcnow()
        with self.sessions.begin() as session:
            groups = AlertGroups(session)
            storm = groups.active(channel, now=now, quiet=self.storm_quiet)
            waiting = Outbox(session).waiting_posts(channel) if storm is None or not storm.message_ts else 0
            if storm is None:
                if waiting <= self.storm_threshold:
                    return None, False
                storm = groups.open(channel, now=now)
                log.info("alert storm %s in %s: more than %d alerts wait", storm.id, channel, self.storm_threshold)
            if storm.message_ts:
                return storm, False
            groups.summary_tried(storm.id)
            counts = groups.counts(storm.id)
            if not counts.total:  # nothing in its thread yet: the first summary counts what waits
                counts = StormCounts(total=waiting, resolved=0)
        outcome = self.calls.post_storm(storm, counts)
        if outcome.status != "sent" or not outcome.ts:
            if outcome.error == "ratelimited":
                self._free_at[channel] = time.time() + outcome.delay
            return None, True  # these alerts go out on their own; the next batch tries the summary again
        with self.sessions.begin() as session:
            AlertGroups(session).summary_posted(storm.id, outcome.ts, shown=counts.digest(), now=utcnow())
            storm = AlertGroups(session).get(storm.id)
        return storm, True

    def _edit_summaries(self) -> None:
        """Edit the summaries of storms whose counts changed, when their time has come (never failing the
        batch: a summary lagging behind loses nothing)."""
        try:
            self._edit_due_summaries()
        except Exception:
            log.exception("alert storms: the summaries could not be brought up to date")

    def _edit_due_summaries(self) -> None:
        now = time.time()
        for storm_id, due in list(self._summaries_due.items()):
            if due > now:
                continue
            with self.sessions() as session:
                groups = AlertGroups(session)
                storm = groups.get(storm_id)
                counts = groups.counts(storm_id) if storm is not None else None
            if storm is None or counts is None or counts.digest() == storm.shown:
                self._summaries_due.pop(storm_id, None)
                continue
            if self.calls.edit_storm(storm, counts):
                with self.sessions.begin() as session:
                    AlertGroups(session).summary_edited(storm_id, shown=counts.digest(), now=utcnow())
                self._summaries_due[storm_id] = now + self.summary_every  # looked at again: settled or not
            else:  # tried again when the storm next changes, not in a loop against a summary Slack refuses
                self._summaries_due.pop(storm_id, None)

    def _storm_changed(self, storm_id: int) -> None:
        self._summaries_due.setdefault(storm_id, time.time() + self.summary_every)

    def _deliver(self, job: OutboxJob, storm: AlertGroup | None = None) -> None:
        with self.sessions() as session:
            store = AlertStore(session)
            record = store.get(job.alert_id)
            previous = store.get(record.previous_id) if record and record.previous_id else None
        if record is None:
            with self.sessions.begin() as session:
                Outbox(session).dead(job.id, error="the alert is gone")
            return
        sent = self.calls.send(job, record, previous, now=utcnow(), storm=storm)
        outcome = sent.outcome
        with self.sessions.begin() as session:
            outbox = Outbox(session)
            if outcome.status == "sent":
                outbox.sent(job.id, now=utcnow(), ts=outcome.ts)
                if job.kind == "post" and outcome.ts:
                    store = AlertStore(session)
                    store.posted(record.id, outcome.ts, channel=sent.channel)
                    if sent.diagnosis is not None:
                        diagnosis_id = DiagnosisLog(session).add(record_from_diagnosis(
                            sent.diagnosis, surface="alert", channel_id=job.channel))
                        store.diagnosed(record.id, diagnosis_id)
                    if storm is not None and sent.facets is not None:
                        AlertGroups(session).add(storm.id, record.id, sent.facets, now=utcnow())
                        self._storm_changed(storm.id)
                elif job.kind == "update" and record.group_id is not None:
                    self._storm_changed(record.group_id)  # resolved alerts are counted in the summary
            elif outcome.status == "dead":
                outbox.dead(job.id, error=outcome.error)
            else:
                outbox.retry(job.id, at=utcnow() + timedelta(seconds=outcome.delay), error=outcome.error,
                             in_doubt=outcome.in_doubt)
                if outcome.error == "ratelimited":  # Slack asked this channel to wait
                    self._free_at[job.channel] = time.time() + outcome.delay
        if self.on_outcome is not None:
            self.on_outcome(job, outcome.status)

    def _idle_wait(self) -> float:
        waits = [self.idle_seconds]
        now = time.time()
        waits += [at - now for at in self._free_at.values() if at > now]
        waits += [at - now for at in list(self._summaries_due.values())]
        return max(0.01, min(waits))
