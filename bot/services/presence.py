"""Real attendance: the venue's QR code, the participant's scan (and location), and staff's roll call.

A QR code is a deep link https://t.me/<bot>?start=h-<code>. Codes are random, belong to one session, and scanning
works only from CODE_OPENS_BEFORE before the session's start until its end. While the QR is shown the code is
replaced every ROTATE_EVERY (the message is edited with a new one); each code expires CODE_LIFETIME after it was
made, and a replaced one REPLACED_GRACE after its replacement (someone scanning at that very moment still gets
in), so a photo of it sent to a friend at home soon stops working, and a QR left on screen after a restart (the
rotation job lived in memory) stops on its own.

The scan checks, in order: registered; a known code; enrolled in the code's course; already present (the same
answer again, nothing new written); the window; the code replaced or expired. Each refusal is its own message key
and changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.clock import Clock
from bot.config import Settings
from bot.services.enrollment import Refusal
from bot.services.staff import StaffService
from bot.services.venue import distance_m
from bot.storage.catalogue import Course, CourseSession
from bot.storage.enrollments import COMPLETED, DROPPED, ENROLLED
from bot.storage.presence import (
    ABSENT,
    BY_STAFF,
    INSIDE,
    LOCATION_PENDING,
    NOT_CHECKED,
    PRESENT,
    QR,
    ROLL_CALL,
    STATUSES,
    Presence,
)
from bot.storage.store import Store, Unit

DEEP_LINK_PREFIX: Final = "h-"
CODE_OPENS_BEFORE: Final = timedelta(minutes=60)
ROTATE_EVERY: Final = timedelta(minutes=3)
CODE_LIFETIME: Final = ROTATE_EVERY + timedelta(minutes=2)
REPLACED_GRACE: Final = timedelta(seconds=60)
# /absen lists sessions that ended less than this long ago (a roll call after the end of the day's session) and
# those starting within UPCOMING.
RECENT: Final = timedelta(hours=24)
UPCOMING: Final = timedelta(days=14)
# Statuses of an enrolment that took a seat in the course (a participant marked completed may still scan late).
SEATED: Final = (ENROLLED, COMPLETED)


# The attempt name of the attendance buttons (registered with it in bot/handlers/routes.py): refusals of any of
# them, by role, by scope or for forged data, are audited as `refused:button:presence`.
BUTTONS_ATTEMPT: Final = "button:presence"


@dataclass(frozen=True, slots=True)
class SessionChoice:
    session: CourseSession
    course: Course

    @property
    def opens_at(self) -> datetime:
        return self.session.starts_at - CODE_OPENS_BEFORE


@dataclass(frozen=True, slots=True)
class IssuedCode:
    code: str
    choice: SessionChoice
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Recorded:
    """The participant is recorded present (now, or `already` earlier, with the time it was recorded)."""

    choice: SessionChoice
    at: datetime
    location: str
    already: bool = False


@dataclass(frozen=True, slots=True)
class AskLocation:
    """Scanned; with ATTENDANCE_REQUIRE_LOCATION the record stays absent until the location is shared."""

    choice: SessionChoice


@dataclass(frozen=True, slots=True)
class RollCallEntry:
    enrollment_id: int
    # None once the participant erased their data.
    name: str | None
    nik_masked: str | None
    status: str | None


@dataclass(frozen=True, slots=True)
class RollCall:
    choice: SessionChoice
    entries: list[RollCallEntry]

    def count(self, status: str | None) -> int:
        return sum(1 for entry in self.entries if entry.status == status)


class PresenceService:
    def __init__(self, store: Store, settings: Settings, clock: Clock, staff: StaffService) -> None:
        self._store = store
        self._clock = clock
        self._staff = staff
        self._require_location = settings.attendance_require_location
        self._radius_m = settings.attendance_radius_m

    # ----------------------------------------------------------------- staff: sessions and the QR

    async def sessions(self, actor: int) -> list[SessionChoice]:
        """Today's and upcoming sessions of the courses the staff member's scope covers, in time order."""
        now = self._clock.now()
        scope = await self._staff.scope(actor)
        async with self._store.read() as unit:
            found = await unit.presence.sessions_from(now - RECENT, now + UPCOMING)
            courses: dict[int, Course | None] = {}
            choices = []
            for session_id, course_id in found:
                if course_id not in courses:
                    courses[course_id] = await unit.catalogue.course(course_id)
                course = courses[course_id]
                session = await unit.catalogue.session(session_id)
                if course is not None and session is not None and scope.covers(course.institute_name):
                    choices.append(SessionChoice(session, course))
        return choices

    async def choice(self, actor: int, session_id: int, step: str) -> SessionChoice | Refusal:
        """A session the staff member may act on; another institute's is refused and audited as the attendance
        buttons' attempt (BUTTONS_ATTEMPT, `step` in the detail)."""
        async with self._store.read() as unit:
            choice = await _choice(unit, session_id)
        if choice is None:
            return Refusal("button-stale")
        detail = {"session": session_id, "step": step}
        if not await self._staff.covers(actor, choice.course.institute_name, BUTTONS_ATTEMPT, detail):
            return Refusal("button-stale")
        return choice

    async def issue_code(self, actor: int, session_id: int, replacing: str | None = None) -> IssuedCode | Refusal:
        """A new code for the session's QR (replacing the one shown before, if any); refused once it is over."""
        choice = await self.choice(actor, session_id, "qr")
        if isinstance(choice, Refusal):
            return choice
        now = self._clock.now()
        if now >= choice.session.ends_at:
            return Refusal("presence-qr-over", {"title": choice.course.title})
        code = secrets.token_urlsafe(9)
        expires_at = min(now + CODE_LIFETIME, choice.session.ends_at)
        async with self._store.write() as unit:
            if replacing is not None:
                await unit.presence.replace_code(replacing, now)
            await unit.presence.add_code(code, session_id, actor, now, expires_at)
            # Codes are of no use once expired; clearing them here keeps the table to what is being shown.
            await unit.presence.forget_codes(now - timedelta(days=1))
        return IssuedCode(code, choice, expires_at)

    async def retire_code(self, code: str) -> None:
        """The QR is no longer shown: its code stops working now."""
        async with self._store.write() as unit:
            await unit.presence.replace_code(code, self._clock.now() - REPLACED_GRACE)

    # ----------------------------------------------------------------- the participant's scan

    async def scan(self, telegram_user_id: int, code: str) -> Recorded | AskLocation | Refusal:
        now = self._clock.now()
        async with self._store.write() as unit:
            participant = await unit.participants.by_telegram_id(telegram_user_id)
            if participant is None:
                return Refusal("presence-register-first")
            found = await unit.presence.code(code)
            choice = None if found is None else await _choice(unit, found.session_id)
            if found is None or choice is None:
                return Refusal("presence-code-unknown")
            session, course = choice.session, choice.course
            enrollment = next(
                (
                    e
                    for e in await unit.enrollments.of_participant(participant.id)
                    if e.course_id == course.id and e.status in SEATED
                ),
                None,
            )
            if enrollment is None:
                return Refusal("presence-not-enrolled", {"title": course.title})
            earlier = await unit.presence.get(enrollment.id, session.id)
            if earlier is not None and earlier.status == PRESENT:
                return Recorded(choice, earlier.recorded_at, earlier.location, already=True)
            if now < choice.opens_at:
                return Refusal("presence-not-open", _when(choice, choice.opens_at))
            if now >= session.ends_at:
                return Refusal("presence-closed", {"title": course.title, "position": str(session.position)})
            replaced = found.replaced_at is not None and now > found.replaced_at + REPLACED_GRACE
            if replaced or now > found.expires_at:
                return Refusal("presence-code-replaced")
            if self._require_location and course.lat is not None and course.lon is not None:
                await unit.presence.record(
                    enrollment.id, session.id, status=ABSENT, source=QR, location=LOCATION_PENDING, now=now
                )
                return AskLocation(choice)
            await unit.presence.record(
                enrollment.id, session.id, status=PRESENT, source=QR, location=NOT_CHECKED, now=now
            )
            return Recorded(choice, now, NOT_CHECKED)

    async def location(self, telegram_user_id: int, lat: float, lon: float) -> Recorded | Refusal | None:
        """A shared location after a scan: present when within ATTENDANCE_RADIUS_M of the venue, otherwise the
        record stays absent (and may be tried again while the session lasts). None: no scan waits for one."""
        now = self._clock.now()
        async with self._store.write() as unit:
            participant = await unit.participants.by_telegram_id(telegram_user_id)
            waiting = None if participant is None else await unit.presence.awaiting_location(participant.id, now)
            choice = None if waiting is None else await _choice(unit, waiting.session_id)
            if waiting is None or choice is None:
                return None
            course = choice.course
            if course.lat is None or course.lon is None:  # the coordinates were taken out of the catalogue since
                await _record(unit, waiting, PRESENT, NOT_CHECKED, now)
                return Recorded(choice, now, NOT_CHECKED)
            distance = distance_m(lat, lon, course.lat, course.lon)
            if distance > self._radius_m:
                await _record(unit, waiting, ABSENT, LOCATION_PENDING, now)
                shown = {"distance": f"{distance:.0f}", "radius": f"{self._radius_m:.0f}"}
                return Refusal("presence-location-far", shown)
            await _record(unit, waiting, PRESENT, INSIDE, now)
            return Recorded(choice, now, INSIDE)

    async def waiting_location(self, telegram_user_id: int) -> bool:
        """Whether a scan of the person's waits for their location."""
        async with self._store.read() as unit:
            participant = await unit.participants.by_telegram_id(telegram_user_id)
            if participant is None:
                return False
            return await unit.presence.awaiting_location(participant.id, self._clock.now()) is not None

    # ----------------------------------------------------------------- staff: the roll call

    async def roll_call(self, actor: int, session_id: int) -> RollCall | Refusal:
        choice = await self.choice(actor, session_id, "rollcall")
        if isinstance(choice, Refusal):
            return choice
        async with self._store.read() as unit:
            return await _roll_call(unit, choice)

    async def mark(self, actor: int, session_id: int, enrollment_id: int, status: str) -> RollCall | Refusal:
        """Staff mark one participant present, absent or excused; an enrolment not in the session's course is
        forged data: refused and audited."""
        choice = await self.choice(actor, session_id, "mark")
        if isinstance(choice, Refusal):
            return choice
        now = self._clock.now()
        async with self._store.write() as unit:
            enrollment = await unit.enrollments.get(enrollment_id)
            if (
                status not in STATUSES
                or enrollment is None
                or enrollment.course_id != choice.course.id
                or enrollment.status not in (*SEATED, DROPPED)
            ):
                refused = True
            else:
                refused = False
                await unit.presence.record(
                    enrollment_id, session_id, status=status, source=ROLL_CALL, location=BY_STAFF, now=now, by=actor
                )
            roll = await _roll_call(unit, choice)
        if refused:
            await self._staff.audit(
                actor,
                f"refused:{BUTTONS_ATTEMPT}",
                {"session": session_id, "enrollment": enrollment_id, "step": "mark"},
                allowed=False,
            )
            return Refusal("button-stale")
        await self._staff.audit(actor, f"presence:{status}", {"session": session_id, "enrollment": enrollment_id})
        return roll

    # ----------------------------------------------------------------- the participant's own view

    async def of_enrollments(self, enrollment_ids: list[int]) -> dict[tuple[int, int], Presence]:
        async with self._store.read() as unit:
            found = await unit.presence.of_enrollments(enrollment_ids)
        return {(p.enrollment_id, p.session_id): p for p in found}


async def _choice(unit: Unit, session_id: int) -> SessionChoice | None:
    session = await unit.catalogue.session(session_id)
    course = None if session is None else await unit.catalogue.course(session.course_id)
    return None if session is None or course is None else SessionChoice(session, course)


async def _record(unit: Unit, waiting: Presence, status: str, location: str, now: datetime) -> None:
    await unit.presence.record(
        waiting.enrollment_id, waiting.session_id, status=status, source=QR, location=location, now=now
    )


async def _roll_call(unit: Unit, choice: SessionChoice) -> RollCall:
    marks = {p.enrollment_id: p.status for p in await unit.presence.of_session(choice.session.id)}
    entries = []
    for enrollment in await unit.enrollments.in_course(choice.course.id):
        participant = await unit.participants.by_id(enrollment.participant_id)
        name = None if participant is None else participant.full_name
        masked = None if participant is None else participant.nik_masked
        entries.append(RollCallEntry(enrollment.id, name, masked, marks.get(enrollment.id)))
    return RollCall(choice, entries)


def _when(choice: SessionChoice, moment: datetime) -> dict[str, str]:
    """Parameters naming a moment of the session; the handler formats it in the venue's zone."""
    return {"title": choice.course.title, "at": moment.isoformat(), "timezone": choice.course.timezone}
