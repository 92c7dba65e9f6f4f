"""The outbox dispatcher: sends due outbox rows. APScheduler (PTB's JobQueue) only wakes it.

Rows are claimed (status 'sending') in one transaction, sent concurrently, and marked together in another.
A crash in between leaves them 'sending'; at start-up those go back to 'pending' and are sent again. Delivery is
therefore at least once, and a duplicate can only be a message that was being sent when the process died: at
most `concurrency` of them (one claimed batch), never more.

Sends go through the bot's one rate limiter at bulk priority, so people chatting with the bot are answered
first. 429s are waited out by the rate limiter; 403 and "chat not found" mark the participant unreachable and
withdraw what was waiting for them; network errors and 5xx are retried with backoff, then the row fails.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot, JobQueue

from bot.clock import Clock
from bot.delivery import helpdesk
from bot.delivery.certificates import CertificateSender
from bot.delivery.ratelimit import BULK, INTERACTIVE, RateLimiterClosed, Withdrawn
from bot.delivery.render import render
from bot.delivery.vacancies import VacancySender
from bot.delivery.wanted import StillWanted
from bot.i18n import Translations
from bot.services.certificates import CERTIFICATE_KIND
from bot.services.helpdesk import ANSWER_KIND, ANSWER_PRIORITY
from bot.services.helpdesk_staff import HelpdeskStaffService
from bot.services.survey_catalog import SurveyCatalog
from bot.storage.broadcasts import BROADCAST_KIND
from bot.storage.db import Leadership
from bot.storage.outbox import OutboxMessage
from bot.storage.store import Store, Unit
from bot.storage.vacancy_matching import VACANCY_KIND

log = logging.getLogger(__name__)

# A safety sweep in case a wake-up was missed (and for messages whose time has come).
SWEEP_INTERVAL_S = 30
MAX_ATTEMPTS = 8
UNREACHABLE = "recipient unreachable"
WITHDRAWN = "withdrawn while waiting to be sent"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one claimed row, applied to the database with the rest of its batch."""

    message: OutboxMessage
    telegram_message_id: int | None = None
    retry_in_s: float | None = None
    error: str | None = None
    status: str | None = None  # "failed" / "expired" when not sent and not retried
    unreachable: bool = False
    # A helpdesk group's row Telegram refused because the group ('group') or the ticket's topic ('topic') is gone.
    lost: str | None = None


class Dispatcher:
    def __init__(
        self,
        store: Store,
        bot: ExtBot[Any],
        translations: Translations,
        surveys: SurveyCatalog,
        clock: Clock,
        *,
        concurrency: int = 32,
        paid_broadcasts: bool = False,
        leadership: Leadership | None = None,
        helpdesk_staff: HelpdeskStaffService | None = None,
        certificates: CertificateSender | None = None,
        vacancies: VacancySender | None = None,
    ) -> None:
        self._store = store
        self._bot = bot
        self._translations = translations
        self._surveys = surveys
        self._paid_broadcasts = paid_broadcasts
        self._clock = clock
        self.concurrency = concurrency
        self._lock = asyncio.Lock()
        # Answers to people waiting for them have a lane of their own: never behind a batch that waits for a
        # group's budget (bot/services/helpdesk.py ANSWER_PRIORITY).
        self._urgent_lock = asyncio.Lock()
        self._rerun = False
        self._job_queue: JobQueue[Any] | None = None
        self._wake_pending = False
        self.unreachable: set[int] = set()
        # Several instances on one database (PostgreSQL): only the elected one sends; None: this one always does.
        self._leadership = leadership
        self._notifying: set[asyncio.Task[None]] = set()
        self._helpdesk_staff = helpdesk_staff
        self._helpdesk = None if helpdesk_staff is None else helpdesk.HelpdeskSender(bot, translations, helpdesk_staff)
        self._certificates = certificates
        self._vacancies = vacancies
        self._still_wanted = StillWanted(store)

    async def start(self, job_queue: JobQueue[Any]) -> None:
        """Recover what a crash left half-sent, then send what is due and sweep periodically. With several
        instances, only the elected one does that; the others stand for election every few seconds."""
        self._job_queue = job_queue
        if self._leadership is None:
            await self._take_over()
        else:
            self._leadership.on_notify(self.wake)
            await self._elect()
            every = self._leadership.retry_s
            job_queue.run_repeating(self._election_job, interval=every, first=every, name="outbox-election")
        job_queue.run_repeating(self._job, interval=SWEEP_INTERVAL_S, first=SWEEP_INTERVAL_S, name="outbox-sweep")
        self.wake()

    @property
    def active(self) -> bool:
        """Whether this instance sends the outbox (and runs the bot's other periodic jobs)."""
        return self._leadership is None or self._leadership.held

    async def _take_over(self) -> None:
        """From now on this instance sends: what the previous sender left 'sending' (it stopped or died mid-batch)
        goes back to pending, so delivery stays at least once, with at most one batch sent twice."""
        async with self._store.write() as unit:
            released = await unit.outbox.release_claimed()
            self.unreachable = await unit.participants.unreachable_ids()
        if released:
            log.warning("%d outbox messages were being sent when their sender stopped; sending them again", released)

    async def _elect(self) -> None:
        assert self._leadership is not None
        was = self._leadership.held
        now = await self._leadership.try_acquire()
        if now and not was:
            log.info("this instance sends the outbox from now on")
            await self._take_over()
            self.wake()
        elif was and not now:
            log.warning("this instance no longer sends the outbox (its election connection was lost)")

    async def _election_job(self, _: object) -> None:
        await self._elect()

    def wake(self) -> None:
        """Send due messages soon (called after a transaction queued some); one wake-up at a time is enough.
        On an instance that does not send, the one that does is told (PostgreSQL NOTIFY)."""
        if self._leadership is not None and not self._leadership.held:
            task = asyncio.create_task(self._leadership.notify())
            self._notifying.add(task)
            task.add_done_callback(self._notifying.discard)
            return
        if self._job_queue is None or self._wake_pending:
            return
        self._wake_pending = True
        self._job_queue.run_once(self._woken, when=0, name="outbox-wake")

    async def _woken(self, _: object) -> None:
        # Cleared before sending, so rows queued while this run is busy get a wake-up of their own.
        self._wake_pending = False
        await self._job(None)

    async def run_urgent(self) -> int:
        """Send the answers that are due (priority ANSWER_PRIORITY and up) while another run is busy."""
        sent = 0
        async with self._urgent_lock:
            while self.active:
                async with self._store.write() as unit:
                    batch = await unit.outbox.claim_due(
                        self._clock.now(), self.concurrency, min_priority=ANSWER_PRIORITY
                    )
                if not batch:
                    return sent
                sent += await self._send_batch(batch)
        return sent

    async def _job(self, _: object) -> None:
        """A wake-up, the sweep, an alarm or a retry. While a run is busy (perhaps waiting for a group's budget) the
        answers go now and the rest when that run loops again, so no job waits on it."""
        if self._lock.locked():
            self._rerun = True
            await self.run_urgent()
            return
        await self.run_once()

    async def seen(self, telegram_user_id: int) -> None:
        """A person wrote to the bot: if they had blocked it, they can be reached again."""
        if self._leadership is not None and not self._leadership.held:
            # Another instance sends and keeps the list; the database says whether they were unreachable.
            async with self._store.read() as unit:
                participant = await unit.participants.by_telegram_id(telegram_user_id)
            if participant is not None and participant.unreachable_since is not None:
                async with self._store.write() as unit:
                    await unit.participants.mark_reachable(telegram_user_id)
            return
        if telegram_user_id not in self.unreachable:
            return
        self.unreachable.discard(telegram_user_id)
        async with self._store.write() as unit:
            await unit.participants.mark_reachable(telegram_user_id)
        log.info("a participant who was unreachable wrote again")

    async def run_once(self) -> int:
        """Send every message that is due now, then set an alarm for the next one; returns how many were sent."""
        sent = 0
        async with self._lock:
            if self._leadership is not None and self.active:
                # Another instance may have seen an unreachable participant write again.
                async with self._store.read() as unit:
                    self.unreachable = await unit.participants.unreachable_ids()
            while True:
                if not self.active:
                    return sent
                self._rerun = False
                async with self._store.write() as unit:
                    now = self._clock.now()
                    batch = await unit.outbox.claim_due(now, self.concurrency)
                    batch += await helpdesk.followers(unit, batch, now)
                    next_due = None if batch else await unit.outbox.next_due()
                if not batch:
                    if self._rerun:  # rows came while this run was busy and nobody else took them
                        continue
                    self._alarm(next_due)
                    return sent
                sent += await self._send_batch(batch)

    async def _send_batch(self, batch: list[OutboxMessage]) -> int:
        runs = await asyncio.gather(*(self._send_in_order(rows) for rows in helpdesk.in_order(batch)))
        outcomes = [outcome for run in runs for outcome in run]
        await self._record(outcomes)
        return sum(1 for o in outcomes if o.telegram_message_id is not None)

    async def _send_in_order(self, rows: list[OutboxMessage]) -> list[Outcome]:
        """Rows that must arrive in order (one ticket's, to one chat), one after the other; a run of copies as one
        call. After one is not sent, the rest wait for its retry (they keep their order)."""
        outcomes: list[Outcome] = []
        index = 0
        while index < len(rows):
            run = helpdesk.copy_run_of(rows, index)
            if len(run) > 1 and self._helpdesk is not None:
                sent = await self._send_copies(run)
            else:
                sent = [await self._send(rows[index])]
            outcomes += sent
            index += len(sent)
            if any(outcome.telegram_message_id is None for outcome in sent):
                delay = next((o.retry_in_s for o in sent if o.retry_in_s is not None), 1.0)
                outcomes += [Outcome(row, retry_in_s=delay, error="after an earlier message") for row in rows[index:]]
                break
        return outcomes

    async def _send_copies(self, run: list[OutboxMessage]) -> list[Outcome]:
        assert self._helpdesk is not None
        try:
            ids = await self._helpdesk.copy_run(run, {"priority": BULK})
        except Exception:
            return [await self._send(run[0])]
        return [Outcome(message, telegram_message_id=copied) for message, copied in zip(run, ids, strict=True)]

    async def _send(self, message: OutboxMessage) -> Outcome:
        now = self._clock.now()
        if message.expires_at is not None and message.expires_at <= now:
            return Outcome(message, error="expired before sending", status="expired")
        if message.telegram_user_id in self.unreachable:
            return Outcome(message, error=UNREACHABLE, status="cancelled")
        try:
            telegram_message_id = await self._deliver(message)
        except RetryAfter as error:  # the rate limiter already retried several times
            return self._retry(message, _seconds(error.retry_after), "429 retry after")
        except Forbidden as error:
            if message.telegram_user_id < 0:  # a helpdesk group: the bot was removed
                return Outcome(message, error=f"forbidden: {error.message}", status="cancelled", lost="group")
            return Outcome(message, error=f"forbidden: {error.message}", status="failed", unreachable=True)
        except BadRequest as error:
            if message.telegram_user_id < 0 and (lost := helpdesk.lost(error.message)) is not None:
                return Outcome(message, error=f"bad request: {error.message}", status="cancelled", lost=lost)
            gone = "chat not found" in error.message.lower()
            return Outcome(message, error=f"bad request: {error.message}", status="failed", unreachable=gone)
        except Withdrawn:  # cancelled while it waited for its turn (the row is already 'cancelled')
            return Outcome(message, error=WITHDRAWN, status="cancelled")
        except RateLimiterClosed:  # the bot is shutting down: it goes out after the restart
            return Outcome(message, retry_in_s=0.0, error="shutting down")
        except NetworkError as error:  # includes TimedOut and 5xx answers
            return self._retry(message, min(600.0, 2.0**message.attempts), f"network: {type(error).__name__}")
        return Outcome(message, telegram_message_id=telegram_message_id)

    async def _deliver(self, message: OutboxMessage) -> int:
        """One Bot API call at bulk priority: a copy of an existing message, or a text rendered now.

        When its turn comes the row is read once more: a message withdrawn meanwhile (a stopped broadcast, a
        finished survey's nudge) is not sent.
        """

        limit = {
            "priority": INTERACTIVE if message.priority >= ANSWER_PRIORITY else BULK,
            "still_wanted": functools.partial(self._still_wanted, message.id),  # one read for the turn's rows
        }
        if self._helpdesk is not None and message.kind in helpdesk.KINDS:
            return await self._helpdesk.send(message, limit)
        if self._certificates is not None and message.kind == CERTIFICATE_KIND:  # a PDF built now, off the loop
            return await self._certificates.send(message, limit)
        if self._vacancies is not None and message.kind == VACANCY_KIND:  # the vacancies as they are now
            return await self._vacancies.send(message, self._translations.get(message.language), limit)
        if message.copy_message_id is not None and message.copy_from_chat_id is not None:
            copied = await self._bot.copy_message(
                message.telegram_user_id,
                message.copy_from_chat_id,
                message.copy_message_id,
                allow_paid_broadcast=self._paid_broadcasts and message.kind == BROADCAST_KIND,
                rate_limit_args=limit,
            )
            return copied.message_id
        assert message.message_key is not None
        t = self._translations.get(message.language)
        rendered = render(t, message.message_key, message.params, self._surveys, self._clock.now())
        sent = await self._bot.send_message(
            message.telegram_user_id, rendered.text, reply_markup=rendered.markup, rate_limit_args=limit
        )
        return sent.message_id

    def _alarm(self, next_due: datetime | None) -> None:
        """Wake up when the next pending row comes due (one alarm, replaced after every run)."""
        if self._job_queue is None or next_due is None:
            return
        delay = (next_due - self._clock.now()).total_seconds()
        for job in self._job_queue.get_jobs_by_name("outbox-alarm"):
            job.schedule_removal()
        self._job_queue.run_once(self._job, when=max(delay, 0.0), name="outbox-alarm")

    def _retry(self, message: OutboxMessage, delay_s: float, error: str) -> Outcome:
        if message.attempts >= MAX_ATTEMPTS:
            return Outcome(message, error=f"gave up after {message.attempts} attempts: {error}", status="failed")
        return Outcome(message, retry_in_s=delay_s, error=error)

    async def _record(self, outcomes: list[Outcome]) -> None:
        """The batch's outcomes in one short transaction: one statement for the sent rows, one for the retries,
        one for the rest (nothing is sent or rendered inside it)."""
        now = self._clock.now()
        sent = [
            (o.message.id, o.telegram_message_id, o.message.kind == ANSWER_KIND)
            for o in outcomes
            if o.telegram_message_id is not None
        ]
        retries = [
            (o.message.id, now + timedelta(seconds=o.retry_in_s), o.error or "")
            for o in outcomes
            if o.telegram_message_id is None and o.retry_in_s is not None
        ]
        failed = [
            (o.message.id, o.error or "", o.status or "failed")
            for o in outcomes
            if o.telegram_message_id is None and o.retry_in_s is None
        ]
        retry_in = [o.retry_in_s for o in outcomes if o.telegram_message_id is None and o.retry_in_s is not None]
        async with self._store.write() as unit:
            await unit.outbox.mark_sent_many(sent, now)
            await unit.outbox.retry_many(retries)
            await unit.outbox.mark_failed_many(failed)
            for outcome in outcomes:
                message = outcome.message
                if outcome.unreachable:
                    self.unreachable.add(message.telegram_user_id)
                    await unit.participants.mark_unreachable(message.telegram_user_id, outcome.error or "", now)
                    await unit.outbox.cancel_for_recipient(message.telegram_user_id, UNREACHABLE)
                if outcome.lost is not None and self._helpdesk_staff is not None:
                    await self._lost(unit, outcome)
                if outcome.error == WITHDRAWN:
                    log.info("outbox message %d (%s) withdrawn before its turn", message.id, message.kind)
                elif outcome.status in ("failed", "cancelled") and not outcome.unreachable:
                    log.warning("outbox message %d (%s) not sent: %s", message.id, message.kind, outcome.error)
        if retry_in and self._job_queue is not None:
            self._job_queue.run_once(self._job, when=min(retry_in), name="outbox-retry")

    async def _lost(self, unit: Unit, outcome: Outcome) -> None:
        """A helpdesk group (or one ticket's topic) Telegram refused: its tickets go to the staff's private chats."""
        assert self._helpdesk_staff is not None
        message = outcome.message
        log.warning(
            "helpdesk %s of chat %d is gone; its tickets move to private chats", outcome.lost, message.telegram_user_id
        )
        if outcome.lost == "group":
            await self._helpdesk_staff.group_lost(unit, message.telegram_user_id, [message], outcome.error or "")
        else:
            ticket_id = int(message.params.get("ticket", 0))
            await self._helpdesk_staff.topic_lost(unit, ticket_id, message.telegram_user_id, [message])


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
