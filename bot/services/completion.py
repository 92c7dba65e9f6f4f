"""The end of a course: staff mark it finished for everyone, or mark single participants completed or dropped out.

The attendance rule (MIN_ATTENDANCE): marking the whole course finished completes only those present at that
share of the sessions counted (begun, with attendance taken: see PresenceRepository.counted_sessions); the others
stay enrolled, marked "belum memenuhi kehadiran", until staff decide each one (complete anyway, or not completed).

Completing a participant withdraws their remaining reminders, congratulates them, starts the satisfaction survey,
plans the employment check-ins and issues their certificate (its PDF queued after the congratulation), all in the
transaction that records the completion.

Sessions not over yet (their end after the clock): staff who mark the whole course finished from the bot are
shown them first (SessionsAhead) and confirm; the confirmation names the last of them (SessionsAhead.token), so a
stale or forged one (the sessions moved, or another token) only shows the warning again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.services.certificates import CertificateService
from bot.services.enrollment import Refusal
from bot.services.reminders import ReminderPlanner
from bot.services.surveys import SurveyService
from bot.storage.catalogue import Course, CourseSession
from bot.storage.enrollments import CANCELLED, COMPLETED, DROPPED, ENROLLED, Enrollment
from bot.storage.presence import PRESENT
from bot.storage.store import Store, Unit


@dataclass(frozen=True, slots=True)
class RosterEntry:
    enrollment: Enrollment
    # None once the participant erased their data.
    name: str | None
    # Sessions present at, of those counted; below MIN_ATTENDANCE: "belum memenuhi kehadiran".
    attended: int = 0
    counted: int = 0
    short: bool = False


@dataclass(frozen=True, slots=True)
class Roster:
    course: Course
    entries: list[RosterEntry]

    def count(self, status: str) -> int:
        return sum(1 for entry in self.entries if entry.enrollment.status == status)


@dataclass(frozen=True, slots=True)
class CourseCompleted:
    course: Course
    # Marked completed now; marked completed or dropped out earlier, one by one.
    completed: int
    earlier_completed: int
    earlier_dropped: int
    # Left enrolled: below the attendance rule, for staff to decide one by one.
    short: tuple[RosterEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class SessionsAhead:
    """The course still has sessions not over: marking it finished waits for the staff's confirmation."""

    course: Course
    # In order; the first is the next (or the one under way).
    sessions: tuple[CourseSession, ...]

    @property
    def token(self) -> int:
        """What a confirmation names: the end of the last session ahead, in whole minutes since 1970 (UTC)."""
        return int(self.sessions[-1].ends_at.timestamp()) // 60


@dataclass(frozen=True, slots=True)
class Marked:
    course: Course
    name: str | None
    status: str


class CompletionService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        planner: ReminderPlanner,
        surveys: SurveyService,
        min_attendance: float = 0.0,
        *,
        certificates: CertificateService | None = None,
    ) -> None:
        self.min_attendance = min_attendance
        self._store = store
        # Each participant completed gets a certificate (None: tools that only close courses, e.g. benchmarks).
        self._certificates = certificates
        self._clock = clock
        self._planner = planner
        self._surveys = surveys

    async def running_courses(self) -> list[Course]:
        """Courses that have begun and have participants not yet marked: what staff may close."""
        async with self._store.read() as unit:
            return await unit.catalogue.running_courses(self._clock.now())

    async def roster(self, course_id: int) -> Roster | Refusal:
        async with self._store.read() as unit:
            course = await unit.catalogue.course(course_id)
            if course is None:
                return Refusal("button-stale")
            return await self._roster(unit, course)

    async def sessions_ahead(self, course_id: int) -> SessionsAhead | None:
        """The course's sessions not over yet, if it has any."""
        async with self._store.read() as unit:
            course = await unit.catalogue.course(course_id)
            return None if course is None else await self._ahead(unit, course, self._clock.now())

    async def complete_course(
        self,
        course_id: int | None = None,
        *,
        code: str | None = None,
        check_ahead: bool = False,
        confirmed: int | None = None,
    ) -> CourseCompleted | SessionsAhead | Refusal:
        """Mark everyone still enrolled as completed and the course as finished; the waitlist is closed.

        With `check_ahead` (staff in the bot), a course with sessions not over yet is left as it is and they are
        returned, unless `confirmed` is their token (the staff saw that warning and confirmed it).
        """
        now = self._clock.now()
        async with self._store.write() as unit:
            course = await (
                unit.catalogue.course(course_id) if course_id is not None else unit.catalogue.course_by_code(code or "")
            )
            if course is None:
                return Refusal("complete-unknown-course", {"code": code or "-"})
            refusal = self._not_started(course, now)
            if refusal is not None:
                return refusal
            if check_ahead and (ahead := await self._ahead(unit, course, now)) and ahead.token != confirmed:
                return ahead
            roster = await self._roster(unit, course)
            completed = 0
            for entry in roster.entries:
                if entry.enrollment.status == ENROLLED and not entry.short:
                    await self._complete(unit, entry.enrollment, course, now)
                    completed += 1
            while (waiting := await unit.enrollments.first_waiting(course.id)) is not None:
                await unit.enrollments.set_status(waiting.id, CANCELLED, now)
            await unit.catalogue.set_status(course.id, "finished", now)
            short = tuple(e for e in roster.entries if e.enrollment.status == ENROLLED and e.short)
            return CourseCompleted(course, completed, roster.count(COMPLETED), roster.count(DROPPED), short)

    async def mark(self, enrollment_id: int, status: str) -> Marked | Refusal:
        """One participant completed or dropped out (only while they are still marked enrolled)."""
        now = self._clock.now()
        async with self._store.write() as unit:
            enrollment = await unit.enrollments.get(enrollment_id)
            course = None if enrollment is None else await unit.catalogue.course(enrollment.course_id)
            if enrollment is None or course is None or status not in (COMPLETED, DROPPED):
                return Refusal("button-stale")
            participant = await unit.participants.by_id(enrollment.participant_id)
            name = None if participant is None else participant.full_name
            if enrollment.status != ENROLLED:
                return Refusal("complete-already-marked", {"name": name or "-"})
            refusal = self._not_started(course, now)
            if refusal is not None:
                return refusal
            if status == COMPLETED:
                await self._complete(unit, enrollment, course, now)
            else:
                await unit.enrollments.finish(enrollment.id, DROPPED, now)
                await self._planner.cancel(unit, enrollment.id)
            return Marked(course, name, status)

    async def _complete(self, unit: Unit, enrollment: Enrollment, course: Course, now: datetime) -> None:
        await unit.enrollments.finish(enrollment.id, COMPLETED, now)
        await self._planner.cancel(unit, enrollment.id)
        participant = await unit.participants.by_id(enrollment.participant_id)
        if participant is not None and participant.telegram_user_id is not None:
            await self._surveys.plan_completion(unit, participant, enrollment.id, course.title)
        if participant is not None and self._certificates is not None:
            await self._certificates.issue(unit, participant, enrollment, course)

    async def _roster(self, unit: Unit, course: Course) -> Roster:
        counted = await unit.presence.counted_sessions(course.id, self._clock.now())
        present: dict[int, int] = {}
        for session_id in counted:
            for presence in await unit.presence.of_session(session_id):
                if presence.status == PRESENT:
                    present[presence.enrollment_id] = present.get(presence.enrollment_id, 0) + 1
        entries = []
        for enrollment in await unit.enrollments.in_course(course.id):
            participant = await unit.participants.by_id(enrollment.participant_id)
            attended = present.get(enrollment.id, 0)
            # Sessions not held yet, or without attendance taken, do not count; with none counted nobody is short.
            short = bool(counted) and attended < self.min_attendance * len(counted)
            name = None if participant is None else participant.full_name
            entries.append(RosterEntry(enrollment, name, attended, len(counted), short))
        return Roster(course, entries)

    @staticmethod
    async def _ahead(unit: Unit, course: Course, now: datetime) -> SessionsAhead | None:
        # A session under way counts: its attendance is not taken yet, and its participants expect it.
        ahead = tuple(s for s in await unit.catalogue.sessions(course.id) if s.ends_at > now)
        return SessionsAhead(course, ahead) if ahead else None

    @staticmethod
    def _not_started(course: Course, now: datetime) -> Refusal | None:
        if course.first_start is None or course.first_start > now:
            return Refusal("complete-not-started", {"title": course.title})
        return None
