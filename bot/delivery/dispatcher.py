"""The outbox dispatcher: sends due outbox rows. APScheduler (PTB's JobQueue) only wakes it.

Rows are claimed (status 'sending') in a transaction before they are sent and marked after, so a crash between
the two leaves them 'sending'; at start-up those go back to 'pending' and are sent again: at least once, with
duplicates only for sends that were in flight at the moment of the crash.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import JobQueue

from bot.clock import Clock
from bot.delivery.render import render
from bot.i18n import Translations
from bot.storage.outbox import OutboxMessage
from bot.storage.store import Store

log = logging.getLogger(__name__)

BATCH = 50
# A safety sweep in case a wake-up was missed (and for messages whose time has come).
SWEEP_INTERVAL_S = 30
MAX_ATTEMPTS = 8


class Dispatcher:
    def __init__(self, store: Store, bot: Bot, translations: Translations, clock: Clock) -> None:
        self._store = store
        self._bot = bot
        self._translations = translations
        self._clock = clock
        self._lock = asyncio.Lock()
        self._job_queue: JobQueue[Any] | None = None
        self._wake_pending = False

    async def start(self, job_queue: JobQueue[Any]) -> None:
        """Recover what a crash left half-sent, then send what is due and sweep periodically."""
        self._job_queue = job_queue
        async with self._store.write() as unit:
            released = await unit.outbox.release_claimed()
        if released:
            log.warning("%d outbox messages were being sent when the bot stopped; sending them again", released)
        job_queue.run_repeating(self._job, interval=SWEEP_INTERVAL_S, first=SWEEP_INTERVAL_S, name="outbox-sweep")
        self.wake()

    def wake(self) -> None:
        """Send due messages soon (called after a transaction queued some); one wake-up at a time is enough."""
        if self._job_queue is None or self._wake_pending:
            return
        self._wake_pending = True
        self._job_queue.run_once(self._woken, when=0, name="outbox-wake")

    async def _woken(self, _: object) -> None:
        # Cleared before sending, so rows queued while this run is busy get a wake-up of their own.
        self._wake_pending = False
        await self.run_once()

    async def _job(self, _: object) -> None:
        await self.run_once()

    async def run_once(self) -> int:
        """Send every message that is due now; returns how many were sent."""
        sent = 0
        async with self._lock:
            while True:
                async with self._store.write() as unit:
                    batch = await unit.outbox.claim_due(self._clock.now(), BATCH)
                if not batch:
                    return sent
                for message in batch:
                    sent += await self._send(message)

    async def _send(self, message: OutboxMessage) -> int:
        now = self._clock.now()
        async with self._store.read() as unit:
            language = await unit.preferences.language(message.telegram_user_id)
        t = self._translations.get(language)
        try:
            if message.expires_at is not None and message.expires_at <= now:
                async with self._store.write() as unit:
                    await unit.outbox.mark_failed(message.id, "expired before sending", status="expired")
                return 0
            rendered = render(t, message.message_key, message.params)
            sent = await self._bot.send_message(message.telegram_user_id, rendered.text, reply_markup=rendered.markup)
        except RetryAfter as error:
            await self._retry(message, _seconds(error.retry_after), "429 retry after")
            return 0
        except Forbidden as error:
            await self._fail(message, f"forbidden: {error.message}")
            return 0
        except BadRequest as error:
            await self._fail(message, f"bad request: {error.message}")
            return 0
        except NetworkError as error:
            await self._retry(message, min(600.0, 2.0**message.attempts), f"network: {type(error).__name__}")
            return 0
        async with self._store.write() as unit:
            await unit.outbox.mark_sent(message.id, sent.message_id, self._clock.now())
        return 1

    async def _retry(self, message: OutboxMessage, delay_s: float, error: str) -> None:
        if message.attempts >= MAX_ATTEMPTS:
            await self._fail(message, f"gave up after {message.attempts} attempts: {error}")
            return
        async with self._store.write() as unit:
            await unit.outbox.retry_at(message.id, self._clock.now() + timedelta(seconds=delay_s), error)
        if self._job_queue is not None:
            self._job_queue.run_once(self._job, when=delay_s, name="outbox-retry")

    async def _fail(self, message: OutboxMessage, error: str) -> None:
        log.warning("outbox message %d (%s) failed: %s", message.id, message.kind, error)
        async with self._store.write() as unit:
            await unit.outbox.mark_failed(message.id, error)


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
