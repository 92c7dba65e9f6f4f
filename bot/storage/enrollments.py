"""Enrolments of participants in courses, with a first-come waitlist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Row, Session, from_db_time, opt_time, to_db_time

ENROLLED = "enrolled"
WAITLISTED = "waitlisted"
CANCELLED = "cancelled"
# Set by staff once the course has run: the participant finished it, or dropped out along the way.
COMPLETED = "completed"
DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class Enrollment:
    id: int
    participant_id: int
    course_id: int
    status: str
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AttendanceAnswer:
    """The participant's answer to a session's reminder: "yes" I will attend, "no" I can't."""

    session_id: int
    intent: str
    answered_at: datetime


def _enrollment(row: Row) -> Enrollment:
    return Enrollment(
        id=row["id"],
        participant_id=row["participant_id"],
        course_id=row["course_id"],
        status=row["status"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        finished_at=opt_time(row["finished_at"]),
    )


class EnrollmentRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def get(self, enrollment_id: int) -> Enrollment | None:
        row = await self._s.fetchone("SELECT * FROM enrollments WHERE id = ?", (enrollment_id,))
        return None if row is None else _enrollment(row)

    async def live(self, participant_id: int) -> list[Enrollment]:
        """Enrolled or waiting, in courses not finished, oldest first."""
        rows = await self._s.fetchall(
            "SELECT e.* FROM enrollments e JOIN courses c ON c.id = e.course_id"
            " WHERE e.participant_id = ? AND e.status IN ('enrolled', 'waitlisted') AND c.status <> 'finished'"
            " ORDER BY e.id",
            (participant_id,),
        )
        return [_enrollment(row) for row in rows]

    async def count_enrolled(self, course_id: int) -> int:
        return int(
            await self._s.fetchval(
                "SELECT COUNT(*) FROM enrollments WHERE course_id = ? AND status = 'enrolled'", (course_id,)
            )
        )

    async def overlapping_courses(self, participant_id: int, course_id: int) -> list[int]:
        """Courses the person is enrolled in (or waiting for) whose sessions overlap a session of `course_id`."""
        rows = await self._s.fetchall(
            "SELECT DISTINCT e.course_id FROM enrollments e"
            " JOIN course_sessions theirs ON theirs.course_id = e.course_id"
            " JOIN course_sessions wanted ON wanted.course_id = ?"
            " WHERE e.participant_id = ? AND e.status IN ('enrolled', 'waitlisted') AND e.course_id <> ?"
            " AND wanted.starts_at < theirs.ends_at AND theirs.starts_at < wanted.ends_at",
            (course_id, participant_id, course_id),
        )
        return [int(row[0]) for row in rows]

    async def create(self, participant_id: int, course_id: int, status: str, now: datetime) -> Enrollment:
        row = await self._s.fetchone(
            "INSERT INTO enrollments (participant_id, course_id, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING *",
            (participant_id, course_id, status, to_db_time(now), to_db_time(now)),
        )
        assert row is not None
        return _enrollment(row)

    async def set_status(self, enrollment_id: int, status: str, now: datetime) -> None:
        await self._s.execute(
            "UPDATE enrollments SET status = ?, updated_at = ? WHERE id = ?", (status, to_db_time(now), enrollment_id)
        )

    async def finish(self, enrollment_id: int, status: str, now: datetime) -> None:
        """Completed or dropped out, as marked by staff."""
        if status not in (COMPLETED, DROPPED):
            raise ValueError(f"not a final status: {status}")
        await self._s.execute(
            "UPDATE enrollments SET status = ?, updated_at = ?, finished_at = ? WHERE id = ?",
            (status, to_db_time(now), to_db_time(now), enrollment_id),
        )

    async def in_course(self, course_id: int) -> list[Enrollment]:
        """Every enrolment of the course that got a seat (enrolled, completed, dropped), oldest first."""
        rows = await self._s.fetchall(
            "SELECT * FROM enrollments WHERE course_id = ? AND status IN ('enrolled', 'completed', 'dropped')"
            " ORDER BY id",
            (course_id,),
        )
        return [_enrollment(row) for row in rows]

    async def of_participant(self, participant_id: int) -> list[Enrollment]:
        """Every enrolment of the person, cancelled ones too, newest first (for staff lookup)."""
        rows = await self._s.fetchall(
            "SELECT * FROM enrollments WHERE participant_id = ? ORDER BY id DESC", (participant_id,)
        )
        return [_enrollment(row) for row in rows]

    async def attendance_counts(self, enrollment_id: int) -> dict[str, int]:
        """How many sessions the person said they will attend ("yes") or not ("no")."""
        rows = await self._s.fetchall(
            "SELECT intent, COUNT(*) FROM attendance WHERE enrollment_id = ? GROUP BY intent", (enrollment_id,)
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def attendance_of(self, enrollment_id: int) -> list[AttendanceAnswer]:
        """Every answer to the enrolment's reminders, session by session."""
        rows = await self._s.fetchall(
            "SELECT session_id, intent, answered_at FROM attendance WHERE enrollment_id = ? ORDER BY session_id",
            (enrollment_id,),
        )
        return [AttendanceAnswer(row["session_id"], row["intent"], from_db_time(row["answered_at"])) for row in rows]

    async def first_waiting(self, course_id: int) -> Enrollment | None:
        """The longest-waiting person on the course's waitlist (ids grow with time)."""
        row = await self._s.fetchone(
            "SELECT * FROM enrollments WHERE course_id = ? AND status = 'waitlisted' ORDER BY id LIMIT 1",
            (course_id,),
        )
        return None if row is None else _enrollment(row)

    async def enrolled_in(self, course_id: int) -> list[Enrollment]:
        rows = await self._s.fetchall(
            "SELECT * FROM enrollments WHERE course_id = ? AND status = 'enrolled' ORDER BY id", (course_id,)
        )
        return [_enrollment(row) for row in rows]

    async def record_attendance(self, enrollment_id: int, session_id: int, intent: str, now: datetime) -> None:
        """The participant's answer to a reminder ("yes" I will attend / "no" I can't); a new answer replaces it."""
        await self._s.execute(
            "INSERT INTO attendance (enrollment_id, session_id, intent, answered_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (enrollment_id, session_id) DO UPDATE SET intent = excluded.intent,"
            " answered_at = excluded.answered_at",
            (enrollment_id, session_id, intent, to_db_time(now)),
        )
