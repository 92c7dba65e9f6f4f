"""Real attendance at sessions (session_presence) and the codes behind the venue's QR (attendance_codes).

Kept apart from `attendance` (bot/storage/enrollments.py), which holds the intent the reminder's buttons record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Row, Session, from_db_time, opt_time, to_db_time

PRESENT = "present"
ABSENT = "absent"
EXCUSED = "excused"
STATUSES = (PRESENT, ABSENT, EXCUSED)
QR = "qr"
ROLL_CALL = "roll_call"
# Whether the venue's location was checked (see the migration 0011_attendance.sql).
NOT_CHECKED = "not_checked"
LOCATION_PENDING = "pending"
INSIDE = "inside"
OUTSIDE = "outside"
BY_STAFF = "staff"


@dataclass(frozen=True, slots=True)
class Presence:
    enrollment_id: int
    session_id: int
    status: str
    source: str
    location: str
    recorded_at: datetime
    recorded_by: int | None


@dataclass(frozen=True, slots=True)
class AttendanceCode:
    code: str
    session_id: int
    created_by: int
    created_at: datetime
    expires_at: datetime
    replaced_at: datetime | None


def _presence(row: Row) -> Presence:
    return Presence(
        enrollment_id=row["enrollment_id"],
        session_id=row["session_id"],
        status=row["status"],
        source=row["source"],
        location=row["location"],
        recorded_at=from_db_time(row["recorded_at"]),
        recorded_by=row["recorded_by"],
    )


class PresenceRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    # ----------------------------------------------------------------- codes

    async def add_code(self, code: str, session_id: int, created_by: int, now: datetime, expires_at: datetime) -> None:
        await self._s.execute(
            "INSERT INTO attendance_codes (code, session_id, created_by, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (code, session_id, created_by, to_db_time(now), to_db_time(expires_at)),
        )

    async def replace_code(self, code: str, now: datetime) -> None:
        await self._s.execute(
            "UPDATE attendance_codes SET replaced_at = ? WHERE code = ? AND replaced_at IS NULL",
            (to_db_time(now), code),
        )

    async def code(self, code: str) -> AttendanceCode | None:
        row = await self._s.fetchone("SELECT * FROM attendance_codes WHERE code = ?", (code,))
        if row is None:
            return None
        return AttendanceCode(
            code=row["code"],
            session_id=row["session_id"],
            created_by=row["created_by"],
            created_at=from_db_time(row["created_at"]),
            expires_at=from_db_time(row["expires_at"]),
            replaced_at=opt_time(row["replaced_at"]),
        )

    async def forget_codes(self, before: datetime) -> int:
        """Codes that expired before this moment: nothing needs them any more."""
        return await self._s.execute("DELETE FROM attendance_codes WHERE expires_at < ?", (to_db_time(before),))

    # ----------------------------------------------------------------- presence

    async def get(self, enrollment_id: int, session_id: int) -> Presence | None:
        row = await self._s.fetchone(
            "SELECT * FROM session_presence WHERE enrollment_id = ? AND session_id = ?", (enrollment_id, session_id)
        )
        return None if row is None else _presence(row)

    async def record(
        self,
        enrollment_id: int,
        session_id: int,
        *,
        status: str,
        source: str,
        location: str,
        now: datetime,
        by: int | None = None,
    ) -> None:
        """Present, absent or excused; a later record replaces an earlier one (one row per enrolment and session)."""
        await self._s.execute(
            "INSERT INTO session_presence (enrollment_id, session_id, status, source, location, recorded_at,"
            " recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (enrollment_id, session_id) DO UPDATE SET"
            " status = excluded.status, source = excluded.source, location = excluded.location,"
            " recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by",
            (enrollment_id, session_id, status, source, location, to_db_time(now), by),
        )

    async def awaiting_location(self, participant_id: int, now: datetime) -> Presence | None:
        """The participant's latest scan still waiting for their location, in a session not over yet."""
        row = await self._s.fetchone(
            "SELECT sp.* FROM session_presence sp JOIN enrollments e ON e.id = sp.enrollment_id"
            " JOIN course_sessions s ON s.id = sp.session_id"
            " WHERE e.participant_id = ? AND sp.location = 'pending' AND s.ends_at > ?"
            " ORDER BY sp.recorded_at DESC LIMIT 1",
            (participant_id, to_db_time(now)),
        )
        return None if row is None else _presence(row)

    async def of_enrollments(self, enrollment_ids: Sequence[int]) -> list[Presence]:
        if not enrollment_ids:
            return []
        marks = ", ".join("?" for _ in enrollment_ids)
        rows = await self._s.fetchall(
            f"SELECT * FROM session_presence WHERE enrollment_id IN ({marks})",  # noqa: S608 (placeholders only)
            list(enrollment_ids),
        )
        return [_presence(row) for row in rows]

    async def of_session(self, session_id: int) -> list[Presence]:
        rows = await self._s.fetchall("SELECT * FROM session_presence WHERE session_id = ?", (session_id,))
        return [_presence(row) for row in rows]

    async def counted_sessions(self, course_id: int, now: datetime) -> list[int]:
        """The course's sessions that count for the attendance rule: begun by `now`, with attendance taken (anyone
        recorded, by QR or roll call). A session nobody recorded anything for was not checked, so it cannot count
        against anyone."""
        rows = await self._s.fetchall(
            "SELECT s.id FROM course_sessions s WHERE s.course_id = ? AND s.starts_at <= ?"
            " AND EXISTS (SELECT 1 FROM session_presence sp WHERE sp.session_id = s.id) ORDER BY s.position",
            (course_id, to_db_time(now)),
        )
        return [int(row[0]) for row in rows]

    async def sessions_from(self, since: datetime, until: datetime) -> list[tuple[int, int]]:
        """(session id, course id) of sessions ending after `since` and starting before `until`, in time order,
        of courses not finished."""
        rows = await self._s.fetchall(
            "SELECT s.id, s.course_id FROM course_sessions s JOIN courses c ON c.id = s.course_id"
            " WHERE s.ends_at > ? AND s.starts_at < ? AND c.status <> 'finished' ORDER BY s.starts_at, s.id",
            (to_db_time(since), to_db_time(until)),
        )
        return [(int(row[0]), int(row[1])) for row in rows]
