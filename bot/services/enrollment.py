"""Enrolment rules: who may join which course, the waitlist, cancelling, and "Jadwal Saya"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock
from bot.config import Settings
from bot.services.reminders import ReminderPlanner
from bot.storage.catalogue import Course, CourseSession
from bot.storage.enrollments import CANCELLED, ENROLLED, WAITLISTED, Enrollment
from bot.storage.participants import Participant
from bot.storage.store import Store, Unit


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the person cannot do this; nothing changed."""

    key: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Offer:
    """The person may enrol: confirm first. `full` means only the waitlist is left."""

    course: Course
    sessions: list[CourseSession]
    full: bool


@dataclass(frozen=True, slots=True)
class Enrolled:
    course: Course
    sessions: list[CourseSession]


@dataclass(frozen=True, slots=True)
class Waitlisted:
    course: Course
    position: int


@dataclass(frozen=True, slots=True)
class Full:
    """No seat left: the person may join the waitlist."""

    course: Course


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    enrollment: Enrollment
    course: Course
    sessions: list[CourseSession]


@dataclass(frozen=True, slots=True)
class Cancelled:
    course: Course


@dataclass(frozen=True, slots=True)
class AttendanceNoted:
    course: Course
    session: CourseSession
    attending: bool


class EnrollmentService:
    def __init__(self, store: Store, settings: Settings, clock: Clock, planner: ReminderPlanner) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self._planner = planner

    async def offer(self, user_id: int, course_id: int) -> Offer | Refusal:
        """Whether the person may enrol in the course, for the confirmation question."""
        async with self._store.read() as unit:
            checked = await self._check(unit, user_id, course_id)
            if isinstance(checked, Refusal):
                return checked
            _, course = checked
            return Offer(course, await unit.catalogue.sessions(course.id), course.seats_left == 0)

    async def enrol(self, user_id: int, course_id: int, *, waitlist: bool) -> Enrolled | Waitlisted | Full | Refusal:
        """Take a seat, or a place on the waitlist when the person agreed to wait.

        The rules are checked again inside the write transaction, which SQLite runs one at a time (BEGIN
        IMMEDIATE), so a hundred people pressing "Daftar" for the last seats can never overfill the course.
        """
        now = self._clock.now()
        async with self._store.write() as unit:
            checked = await self._check(unit, user_id, course_id)
            if isinstance(checked, Refusal):
                return checked
            participant, course = checked
            if await unit.enrollments.count_enrolled(course.id) < course.capacity:
                enrollment = await unit.enrollments.create(participant.id, course.id, ENROLLED, now)
                await self._planner.sync(unit, enrollment.id, participant, course, now)
                return Enrolled(course, await unit.catalogue.sessions(course.id))
            if not waitlist:
                return Full(course)
            await unit.enrollments.create(participant.id, course.id, WAITLISTED, now)
            refreshed = await unit.catalogue.course(course.id)
            return Waitlisted(course, refreshed.waitlisted if refreshed else 1)

    async def schedule(self, user_id: int) -> list[ScheduleEntry] | Refusal:
        """The person's live enrolments (enrolled or waiting) with their sessions."""
        async with self._store.read() as unit:
            participant = await unit.participants.by_telegram_id(user_id)
            if participant is None:
                return Refusal("not-registered")
            entries = []
            for enrollment in await unit.enrollments.live(participant.id):
                course = await unit.catalogue.course(enrollment.course_id)
                assert course is not None
                entries.append(ScheduleEntry(enrollment, course, await unit.catalogue.sessions(course.id)))
            return entries

    async def cancellable(self, user_id: int, enrollment_id: int) -> ScheduleEntry | Refusal:
        async with self._store.read() as unit:
            checked = await self._own_live(unit, user_id, enrollment_id)
            if isinstance(checked, Refusal):
                return checked
            enrollment, course = checked
            return ScheduleEntry(enrollment, course, await unit.catalogue.sessions(course.id))

    async def cancel(self, user_id: int, enrollment_id: int) -> Cancelled | Refusal:
        """Cancel before the course starts; a freed seat goes to the first person on the waitlist."""
        now = self._clock.now()
        async with self._store.write() as unit:
            checked = await self._own_live(unit, user_id, enrollment_id)
            if isinstance(checked, Refusal):
                return checked
            enrollment, course = checked
            await unit.enrollments.set_status(enrollment.id, CANCELLED, now)
            await self._planner.cancel(unit, enrollment.id)
            if enrollment.status == ENROLLED:
                await promote_waiting(unit, course.id, now, self._planner)
            return Cancelled(course)

    async def answer_attendance(
        self, user_id: int, enrollment_id: int, session_id: int, *, attending: bool
    ) -> AttendanceNoted | Refusal:
        """ "Saya akan hadir" / "Tidak bisa hadir" under a reminder, until the session ends."""
        now = self._clock.now()
        async with self._store.write() as unit:
            participant = await unit.participants.by_telegram_id(user_id)
            enrollment = await unit.enrollments.get(enrollment_id)
            session = await unit.catalogue.session(session_id)
            if (
                participant is None
                or enrollment is None
                or session is None
                or enrollment.participant_id != participant.id
                or enrollment.status != ENROLLED
                or session.course_id != enrollment.course_id
            ):
                return Refusal("button-stale")
            course = await unit.catalogue.course(session.course_id)
            assert course is not None
            if session.ends_at <= now:
                return Refusal("attendance-too-late", {"title": course.title})
            await unit.enrollments.record_attendance(enrollment_id, session_id, "yes" if attending else "no", now)
            return AttendanceNoted(course, session, attending)

    async def _check(self, unit: Unit, user_id: int, course_id: int) -> tuple[Participant, Course] | Refusal:
        participant = await unit.participants.by_telegram_id(user_id)
        if participant is None:
            return Refusal("not-registered")
        course = await unit.catalogue.course(course_id)
        if course is None:
            return Refusal("button-stale")
        now = self._clock.now()
        if course.status != "open":
            return Refusal("enrol-closed", {"title": course.title})
        if now >= course.registration_deadline:
            return Refusal("enrol-deadline-passed", {"title": course.title})
        live = await unit.enrollments.live(participant.id)
        for enrollment in live:
            if enrollment.course_id == course.id:
                key = "enrol-already-waiting" if enrollment.status == WAITLISTED else "enrol-already"
                return Refusal(key, {"title": course.title})
        if len(live) >= self._settings.max_active_enrollments:
            other = await unit.catalogue.course(live[0].course_id)
            return Refusal("enrol-limit", {"title": other.title if other else "-"})
        overlapping = await unit.enrollments.overlapping_courses(participant.id, course.id)
        if overlapping:
            other = await unit.catalogue.course(overlapping[0])
            return Refusal("enrol-overlap", {"title": other.title if other else "-"})
        return participant, course

    async def _own_live(self, unit: Unit, user_id: int, enrollment_id: int) -> tuple[Enrollment, Course] | Refusal:
        """The person's own live enrolment, if it can still be cancelled (another person's id is refused)."""
        participant = await unit.participants.by_telegram_id(user_id)
        enrollment = await unit.enrollments.get(enrollment_id)
        if (
            participant is None
            or enrollment is None
            or enrollment.participant_id != participant.id
            or enrollment.status not in (ENROLLED, WAITLISTED)
        ):
            return Refusal("button-stale")
        course = await unit.catalogue.course(enrollment.course_id)
        assert course is not None
        if course.first_start is not None and course.first_start <= self._clock.now():
            return Refusal("cancel-started", {"title": course.title})
        return enrollment, course


async def promote_waiting(unit: Unit, course_id: int, now: datetime, planner: ReminderPlanner) -> list[int]:
    """Give free seats to the waitlist in order; each person promoted gets their reminders and is told.

    Only while the course is open and has not started: a seat freed after the start stays empty.
    Returns the ids of the enrolments promoted.
    """
    course = await unit.catalogue.course(course_id)
    if course is None or course.status != "open" or (course.first_start is not None and course.first_start <= now):
        return []
    promoted: list[int] = []
    free = course.capacity - await unit.enrollments.count_enrolled(course_id)
    while free > 0:
        waiting = await unit.enrollments.first_waiting(course_id)
        if waiting is None:
            break
        await unit.enrollments.set_status(waiting.id, ENROLLED, now)
        promoted.append(waiting.id)
        free -= 1
        participant = await unit.participants.by_id(waiting.participant_id)
        if participant is None or participant.telegram_user_id is None:
            continue
        await planner.sync(unit, waiting.id, participant, course, now)
        first = course.first_start
        await unit.outbox.add(
            telegram_user_id=participant.telegram_user_id,
            kind="waitlist_promoted",
            message_key="waitlist-promoted",
            params={
                "title": course.title,
                "timezone": course.timezone,
                "first_start": None if first is None else first.isoformat(),
            },
            dedupe_key=f"waitlist-promoted:{waiting.id}",
            not_before=planner.quiet.next_allowed(now, planner.zone_of(participant)),
            now=now,
            priority=5,
        )
    return promoted


async def release_seats(unit: Unit, participant_id: int, now: datetime, planner: ReminderPlanner) -> None:
    """Cancel every live enrolment of a person (their data is being erased), passing seats on."""
    for enrollment in await unit.enrollments.live(participant_id):
        await unit.enrollments.set_status(enrollment.id, CANCELLED, now)
        await planner.cancel(unit, enrollment.id)
        if enrollment.status == ENROLLED:
            await promote_waiting(unit, enrollment.course_id, now, planner)
