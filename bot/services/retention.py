"""Kept only as long as promised: the daily retention job.

The consent notice promises to keep a participant's data "selama Anda mengikuti program dan paling lama 2 tahun
setelah pelatihan selesai". A participant is due for erasure RETENTION_MONTHS after their last activity: the end of
the last session of a course they completed, any change of an enrolment (enrolling, being cancelled, completing),
or their registration, whichever is latest (bot/storage/retention.py). RETENTION_NOTICE_DAYS before that they get
one notice (bulk, at the end of the quiet hours in their zone) naming the date; on that date, if they are still
due, they are erased exactly as /hapusdata erases (bot/services/erasure.py). A new enrolment makes them active again
and resets the notice. Someone who never registered but left a language choice or help-desk tickets (with copies of
what they wrote in the staff's topics) is erased the same way once those are RETENTION_MONTHS old; there is nobody
registered to notify. The audit log is pruned after RETENTION_MONTHS, and every run writes one entry with its counts.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.logs import user_hash
from bot.services.dates import add_months
from bot.services.erasure import Eraser
from bot.services.reminders import ReminderPlanner
from bot.storage.db import to_db_time
from bot.storage.outbox import NewOutboxMessage
from bot.storage.retention import Inactive
from bot.storage.store import Store, Unit

log = logging.getLogger(__name__)

# The daily run: 01:00 WIB, within the quiet hours of every zone, so notices wait for the morning and an erasure
# date (midnight in the participant's zone) has begun for everyone when it runs.
RETENTION_AT: Final = time(1, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
NOTICE_KIND: Final = "retention_notice"
# Bulk: announcements and notices that can wait go after everything else.
NOTICE_PRIORITY: Final = 0
# The audit entry of each run is the bot's own: no staff member did it.
SYSTEM_ROLE: Final = "system"
RUN_ACTION: Final = "retention:run"
# Notices queued, and old audit entries pseudonymised, per transaction (short transactions keep the bot answering).
BATCH: Final = 200


@dataclass(frozen=True, slots=True)
class RetentionRun:
    """What one run did."""

    noticed: int = 0
    reset: int = 0
    erased: int = 0
    strangers: int = 0
    audit_pruned: int = 0


def plus_months(moment: datetime, months: int) -> datetime:
    """The same time of day, `months` calendar months later (or earlier); the 31st becomes the month's last day."""
    day = add_months(moment.date(), months)
    return moment.replace(year=day.year, month=day.month, day=day.day)


class RetentionService:
    def __init__(
        self, store: Store, settings: Settings, clock: Clock, planner: ReminderPlanner, eraser: Eraser
    ) -> None:
        self._store = store
        self._clock = clock
        self._planner = planner
        self._eraser = eraser
        self._months = settings.retention_months
        self._notice = timedelta(days=settings.retention_notice_days)
        self._keep = settings.admin_ids

    def due(self, last_active: datetime) -> datetime:
        """When a participant last active at `last_active` is to be erased (at the earliest)."""
        return plus_months(last_active, self._months)

    async def run(self) -> RetentionRun:
        """Notices, resets and erasures due now, old audit entries pruned; one audit entry with the counts."""
        now = self._clock.now()
        async with self._store.read() as unit:
            # Everyone due within the notice period, and everyone told before (some may be active again).
            found = await unit.retention.inactive(plus_months(now + self._notice, -self._months))
        noticed = reset = erased = 0
        for start in range(0, len(found), BATCH):
            batch = found[start : start + BATCH]
            again = [person.participant_id for person in batch if self._active_again(person, now)]
            to_tell = [person for person in batch if person.notice_at is None and not self._active_again(person, now)]
            async with self._store.write() as unit:  # a few statements per batch, whatever its size
                reset += await unit.retention.reset_many(again)
                noticed += await self._notify(unit, to_tell, now)
        for person in found:
            if person.notice_at is not None and not self._active_again(person, now):
                erased += await self._erase_if_due(person.participant_id, now)
        cutoff = plus_months(now, -self._months)
        strangers = 0
        async with self._store.read() as unit:
            candidates = await unit.retention.strangers(cutoff, self._keep)
        for who in candidates:
            async with self._store.write() as unit:
                if await unit.retention.strangers(cutoff, self._keep, who=who):  # still nobody's, still quiet
                    await self._eraser.erase(unit, who)
                    strangers += 1
        pruned = await self._prune_audit(cutoff)
        done = RetentionRun(noticed, reset, erased, strangers, pruned)
        async with self._store.write() as unit:
            await unit.staff.audit(0, SYSTEM_ROLE, RUN_ACTION, asdict(done), allowed=True, now=now)
        if noticed or erased or strangers:
            log.info("retention: %d told, %d erased, %d never registered erased", noticed, erased, strangers)
        return done

    def _active_again(self, person: Inactive, now: datetime) -> bool:
        """Told before, but no longer due within the notice period (a new enrolment, a longer RETENTION_MONTHS)."""
        return person.notice_at is not None and self.due(person.last_active) - self._notice > now

    async def _notify(self, unit: Unit, people: list[Inactive], now: datetime) -> int:
        """The one notice each: what goes and when (the first midnight in their zone that is both
        RETENTION_NOTICE_DAYS away and past their due moment), queued for the end of the quiet hours. Those erased
        since they were found get none. Returns how many were told."""
        reachable = await unit.retention.recipients([person.participant_id for person in people])
        notices: list[tuple[int, datetime]] = []
        messages: list[NewOutboxMessage] = []
        for person in people:
            if person.participant_id not in reachable:
                continue
            telegram_user_id, province_code = reachable[person.participant_id]
            zone = self._planner.zone_for(province_code)
            earliest = max(self.due(person.last_active), now + self._notice).astimezone(zone)
            day = earliest.date() if earliest.time() == time(0) else earliest.date() + timedelta(days=1)
            erase_at = datetime.combine(day, time(0), zone)
            notices.append((person.participant_id, erase_at))
            messages.append(
                NewOutboxMessage(
                    telegram_user_id=telegram_user_id,
                    kind=NOTICE_KIND,
                    message_key="retention-notice",
                    params={"erase_on": day.isoformat(), "months": self._months},
                    dedupe_key=f"retention-notice:{person.participant_id}:{to_db_time(now)}",
                    not_before=self._planner.quiet.next_allowed(now, zone),
                    expires_at=erase_at,
                    priority=NOTICE_PRIORITY,
                    subject=f"retention:{person.participant_id}",
                )
            )
        await unit.retention.noticed_many(notices, now)
        await unit.outbox.add_many(messages, now)
        return len(notices)

    async def _erase_if_due(self, participant_id: int, now: datetime) -> int:
        """Erase a participant who was told and whose date has come, checked again in the erasing transaction."""
        async with self._store.write() as unit:
            current = await unit.retention.inactive(now, participant_id)
            if not current:
                return 0
            person = current[0]
            if person.erase_at is None or person.erase_at > now or self.due(person.last_active) > now:
                return 0
            await self._eraser.erase(unit, person.telegram_user_id)
        return 1

    async def _prune_audit(self, cutoff: datetime) -> int:
        """Entries older than RETENTION_MONTHS go; entries written before pseudonyms (a participant's Telegram id
        on a refused attempt) get one."""
        async with self._store.write() as unit:
            pruned = await unit.staff.forget_before(cutoff)
        while True:
            async with self._store.write() as unit:
                legacy = await unit.staff.unpseudonymised(BATCH)
                if legacy:
                    await unit.staff.pseudonymise([(entry_id, user_hash(actor)) for entry_id, actor in legacy])
            if len(legacy) < BATCH:
                return pruned
