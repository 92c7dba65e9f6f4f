"""Planning the messages that go out later: session reminders and quiet hours.

Every reminder is an outbox row written in the transaction that enrols (or re-plans) the participant, never a job
that exists only in APScheduler. Times are computed in the venue's zone (the day before at 18:00) and shifted by
quiet hours in the participant's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.services.provinces import ProvinceCatalog
from bot.storage.catalogue import Course, CourseSession
from bot.storage.db import to_db_time
from bot.storage.outbox import NewOutboxMessage
from bot.storage.participants import Participant
from bot.storage.store import Unit

# Where a participant is when their province is unknown (Indonesia's most populous zone).
DEFAULT_ZONE = ZoneInfo("Asia/Jakarta")
DAY_BEFORE = "day_before"
SOON = "soon"
# Reminders outrank bulk announcements in the outbox.
REMINDER_PRIORITY = 10


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A nightly window (e.g. 21:00-07:00) in which nothing that can wait is sent."""

    start: time
    end: time

    def contains(self, moment: datetime, zone: ZoneInfo) -> bool:
        local = moment.astimezone(zone).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """`moment`, or the end of the quiet hours it falls in (for messages that can wait until morning)."""
        if not self.contains(moment, zone):
            return moment
        local = moment.astimezone(zone)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end

    def last_before(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """`moment`, or one minute before the quiet hours it falls in began (for reminders, which must be early)."""
        if not self.contains(moment, zone):
            return moment
        local = moment.astimezone(zone)
        start = local.replace(hour=self.start.hour, minute=self.start.minute, second=0, microsecond=0)
        if start > local:
            start -= timedelta(days=1)
        return start - timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    kind: str
    message_key: str
    not_before: datetime
    expires_at: datetime | None
    dedupe_key: str
    subject: str
    params: dict[str, Any]


def enrollment_subject(enrollment_id: int) -> str:
    return f"enrollment:{enrollment_id}:"


class ReminderPlanner:
    def __init__(self, settings: Settings, provinces: ProvinceCatalog) -> None:
        self._provinces = provinces
        self._day_before_at = settings.reminder_day_before_at
        self._lead = timedelta(hours=settings.reminder_hours_before)
        self.quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)

    def plan(
        self, enrollment_id: int, course: Course, session: CourseSession, participant_zone: ZoneInfo, now: datetime
    ) -> list[PlannedMessage]:
        """The reminders still ahead for one session: the evening before and shortly before the start.

        A reminder that would fall in the participant's quiet hours moves earlier (never after the start); one
        that would then come no later than the evening-before reminder is dropped, and so is one already past.
        """
        venue = ZoneInfo(course.timezone)
        start = session.starts_at
        evening = datetime.combine(start.astimezone(venue).date() - timedelta(days=1), self._day_before_at, venue)
        times = {
            DAY_BEFORE: self.quiet.last_before(evening, participant_zone),
            SOON: self.quiet.last_before(start - self._lead, participant_zone),
        }
        if times[SOON] <= times[DAY_BEFORE]:
            del times[SOON]
        params = {
            "title": course.title,
            "topic": session.topic,
            "timezone": course.timezone,
            "starts_at": start.isoformat(),
            "ends_at": session.ends_at.isoformat(),
            "venue": session.venue_address or course.venue_address,
            "enrollment_id": enrollment_id,
            "session_id": session.id,
        }
        return [
            PlannedMessage(
                kind=f"reminder_{kind}",
                message_key=f"reminder-{kind.replace('_', '-')}",
                not_before=when,
                expires_at=start,
                # The start time is part of the key: a moved session gets new reminders, not the old ones.
                dedupe_key=f"reminder:{enrollment_id}:{session.id}:{kind}:{to_db_time(start)}",
                subject=f"{enrollment_subject(enrollment_id)}session:{session.id}",
                params=params,
            )
            for kind, when in times.items()
            if when > now and when < start
        ]

    def zone_of(self, participant: Participant) -> ZoneInfo:
        return self.zone_for(participant.province_code)

    def zone_for(self, province_code: str) -> ZoneInfo:
        """The zone of a province (the bot's default for an unknown code)."""
        province = self._provinces.get(province_code)
        return province.tzinfo if province is not None else DEFAULT_ZONE

    async def sync(
        self, unit: Unit, enrollment_id: int, participant: Participant, course: Course, now: datetime
    ) -> None:
        """Make the enrolment's pending reminders exactly the planned ones (after enrolling or a new schedule)."""
        if participant.telegram_user_id is None:
            await self.cancel(unit, enrollment_id)
            return
        zone = self.zone_of(participant)
        sessions = await unit.catalogue.sessions(course.id)
        planned = [m for s in sessions for m in self.plan(enrollment_id, course, s, zone, now)]
        await unit.outbox.cancel_pending(enrollment_subject(enrollment_id), keep={m.dedupe_key for m in planned})
        await unit.outbox.add_many(
            [
                NewOutboxMessage(
                    telegram_user_id=participant.telegram_user_id,
                    kind=m.kind,
                    dedupe_key=m.dedupe_key,
                    not_before=m.not_before,
                    message_key=m.message_key,
                    params=m.params,
                    priority=REMINDER_PRIORITY,
                    expires_at=m.expires_at,
                    subject=m.subject,
                )
                for m in planned
            ],
            now,
        )

    async def cancel(self, unit: Unit, enrollment_id: int) -> None:
        """Withdraw every reminder of an enrolment that has not gone out yet."""
        await unit.outbox.cancel_pending(enrollment_subject(enrollment_id), keep=set())
