"""Planning the messages that go out later: session reminders and quiet hours.

Every reminder is an outbox row written in the transaction that enrols (or re-plans) the participant, never a job
that exists only in APScheduler. Reminders are planned per session *day* (the venue's calendar day), not per
session, as a person would want them:

- **The evening before** (18:00 venue time, REMINDER_DAY_BEFORE_AT) of an *opening* day: the course's first day,
  or the first day after a day without a session (a weekend, a break). It says when ("besok pukul 08.00"), the
  course, the place, and asks "Apakah Anda akan hadir?" with the buttons: that is where the answer can differ.
  The days that follow an opening day without a break get no evening message and no question (the person was
  at the training that day and the LPK takes the real attendance).
- **On the day**, short and without a question: two hours before the start (REMINDER_HOURS_BEFORE), or, when
  that falls in the participant's quiet hours (an 08:00 session, 06:00), when the quiet hours end (07:00). So
  "hari ini pukul 13.00, 2 jam lagi" at 11:00, "hari ini pukul 08.00, 1 jam lagi" at 07:00, and for an evening
  session at 19:00 at 17:00. When no moment is left before the start (a session before the quiet hours end),
  the day-of reminder is not sent; a following day then gets its reminder the evening before instead, without
  the question.
- The evening reminder moves earlier when it would fall in the participant's quiet hours (never after the
  start); a day-of reminder that would then come no later than the evening one is dropped. Past ones are not
  planned. The answer buttons under the evening reminder record the answer for that day's first session
  (bot/handlers/attendance.py), as before.

Counts: a six-day course on consecutive days sends seven reminders (one evening question + six day-of ones);
Monday to Saturday with Sunday off and a second week is two questions (the Monday after the break is an opening
day again). Texts are rendered at send time (bot/delivery/render.py), so "besok"/"hari ini"/"2 jam lagi" are
true when the message goes out. The stored kinds keep their names (reminder_day_before, reminder_soon = the
day-of one) so rows already queued stay valid; their dedupe keys still hold the session and its start time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
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
SOON = "soon"  # the day-of reminder (the stored name of rows already queued)
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


@dataclass(frozen=True, slots=True)
class SessionDay:
    """The sessions of one calendar day at the venue; `opening` when the day before had none (or it is the first)."""

    sessions: list[CourseSession]
    number: int
    of: int
    opening: bool


def session_days(sessions: list[CourseSession], venue: ZoneInfo) -> list[SessionDay]:
    by_day: dict[date, list[CourseSession]] = {}
    for session in sorted(sessions, key=lambda s: s.starts_at):
        by_day.setdefault(session.starts_at.astimezone(venue).date(), []).append(session)
    days = sorted(by_day)
    return [
        SessionDay(by_day[day], number, len(days), number == 1 or days[number - 2] != day - timedelta(days=1))
        for number, day in enumerate(days, start=1)
    ]


def enrollment_subject(enrollment_id: int) -> str:
    return f"enrollment:{enrollment_id}:"


class ReminderPlanner:
    def __init__(self, settings: Settings, provinces: ProvinceCatalog) -> None:
        self._provinces = provinces
        self._day_before_at = settings.reminder_day_before_at
        self._lead = timedelta(hours=settings.reminder_hours_before)
        self.quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)

    def plan(
        self,
        enrollment_id: int,
        course: Course,
        sessions: list[CourseSession],
        participant_zone: ZoneInfo,
        now: datetime,
    ) -> list[PlannedMessage]:
        """The reminders still ahead for a course's sessions (see the module docstring for the design)."""
        planned: list[PlannedMessage] = []
        for day in session_days(sessions, ZoneInfo(course.timezone)):
            first = day.sessions[0]
            start = first.starts_at
            evening = self._evening_before(course, start, participant_zone)
            same_day = self._same_day(start, participant_zone)
            if same_day is not None and same_day <= evening:
                same_day = None
            times: dict[str, datetime] = {}
            if day.opening or same_day is None:
                times[DAY_BEFORE] = evening
            if same_day is not None:
                times[SOON] = same_day
            for kind, when in times.items():
                if not now < when < start:
                    continue
                ask = kind == DAY_BEFORE and day.opening
                params = {
                    "title": course.title,
                    "topic": first.topic,
                    "timezone": course.timezone,
                    "starts_at": start.isoformat(),
                    "ends_at": day.sessions[-1].ends_at.isoformat(),
                    "venue": first.venue_address or course.venue_address,
                    "enrollment_id": enrollment_id,
                    "session_id": first.id,
                    "course_id": course.id,
                    "day": day.number,
                    "days": day.of,
                    "ask": ask,
                }
                planned.append(
                    PlannedMessage(
                        kind=f"reminder_{kind}",
                        # The evening reminder of a following day (an early start) says when, without the question.
                        message_key="reminder-day-before" if ask else "reminder-soon",
                        not_before=when,
                        expires_at=start,
                        # The start time is part of the key: a moved session gets new reminders, not the old ones.
                        dedupe_key=f"reminder:{enrollment_id}:{first.id}:{kind}:{to_db_time(start)}",
                        subject=f"{enrollment_subject(enrollment_id)}session:{first.id}",
                        params=params,
                    )
                )
        return planned

    def _evening_before(self, course: Course, start: datetime, zone: ZoneInfo) -> datetime:
        venue = ZoneInfo(course.timezone)
        evening = datetime.combine(start.astimezone(venue).date() - timedelta(days=1), self._day_before_at, venue)
        return self.quiet.last_before(evening, zone)

    def _same_day(self, start: datetime, zone: ZoneInfo) -> datetime | None:
        """REMINDER_HOURS_BEFORE before the start, or the end of the quiet hours it falls in; None if that is not
        before the start (a session that begins in, or right at the end of, the participant's night)."""
        when = self.quiet.next_allowed(start - self._lead, zone)
        return when if when < start else None

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
        planned = self.plan(enrollment_id, course, sessions, zone, now)
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
