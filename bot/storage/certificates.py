"""Certificates of completed enrolments (bot/services/certificates.py issues and verifies them).

A row holds the certificate's number, what it certifies (enrolment, course, the sessions attended and their
hours, the issue time and language) and whether it was revoked; never the holder's name, which is read from the
participant (and goes with their erasure).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Row, Session, from_db_time, opt_time, to_db_time


@dataclass(frozen=True, slots=True)
class AttendedSession:
    """A session as it was when the certificate was issued."""

    position: int
    topic: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class NewCertificate:
    number: str
    enrollment_id: int
    participant_id: int
    course_id: int
    issued_at: datetime
    sessions_total: int
    sessions: tuple[AttendedSession, ...]
    language: str

    @property
    def minutes(self) -> int:
        return sum(int((s.ends_at - s.starts_at).total_seconds() // 60) for s in self.sessions)


@dataclass(frozen=True, slots=True)
class Certificate:
    id: int
    number: str
    enrollment_id: int
    participant_id: int
    course_id: int
    issued_at: datetime
    sessions_attended: int
    sessions_total: int
    minutes_attended: int
    sessions: tuple[AttendedSession, ...]
    language: str
    revoked_at: datetime | None
    revoked_reason: str | None
    revoked_by: int | None
    participant_erased_at: datetime | None


def _certificate(row: Row) -> Certificate:
    return Certificate(
        id=row["id"],
        number=row["number"],
        enrollment_id=row["enrollment_id"],
        participant_id=row["participant_id"],
        course_id=row["course_id"],
        issued_at=from_db_time(row["issued_at"]),
        sessions_attended=row["sessions_attended"],
        sessions_total=row["sessions_total"],
        minutes_attended=row["minutes_attended"],
        sessions=tuple(
            AttendedSession(s["position"], s["topic"], from_db_time(s["starts_at"]), from_db_time(s["ends_at"]))
            for s in json.loads(row["sessions"])
        ),
        language=row["language"],
        revoked_at=opt_time(row["revoked_at"]),
        revoked_reason=row["revoked_reason"],
        revoked_by=row["revoked_by"],
        participant_erased_at=opt_time(row["participant_erased_at"]),
    )


class CertificateRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def create(self, new: NewCertificate) -> Certificate | None:
        """Store a certificate; None when its number is taken (draw another) or the enrolment already has one."""
        sessions = [
            {"position": s.position, "topic": s.topic, "starts_at": to_db_time(s.starts_at),
             "ends_at": to_db_time(s.ends_at)}
            for s in new.sessions
        ]  # fmt: skip
        row = await self._s.fetchone(
            "INSERT INTO certificates (number, enrollment_id, participant_id, course_id, issued_at,"
            " sessions_attended, sessions_total, minutes_attended, sessions, language)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *",
            (
                new.number,
                new.enrollment_id,
                new.participant_id,
                new.course_id,
                to_db_time(new.issued_at),
                len(new.sessions),
                new.sessions_total,
                new.minutes,
                json.dumps(sessions, ensure_ascii=False),
                new.language,
            ),
        )
        return None if row is None else _certificate(row)

    async def get(self, certificate_id: int) -> Certificate | None:
        row = await self._s.fetchone("SELECT * FROM certificates WHERE id = ?", (certificate_id,))
        return None if row is None else _certificate(row)

    async def by_number(self, number: str) -> Certificate | None:
        row = await self._s.fetchone("SELECT * FROM certificates WHERE number = ?", (number,))
        return None if row is None else _certificate(row)

    async def by_enrollment(self, enrollment_id: int) -> Certificate | None:
        row = await self._s.fetchone("SELECT * FROM certificates WHERE enrollment_id = ?", (enrollment_id,))
        return None if row is None else _certificate(row)

    async def of_participant(self, participant_id: int) -> list[Certificate]:
        rows = await self._s.fetchall(
            "SELECT * FROM certificates WHERE participant_id = ? ORDER BY issued_at, id", (participant_id,)
        )
        return [_certificate(row) for row in rows]

    async def revoke(self, certificate_id: int, reason: str, actor: int, now: datetime) -> bool:
        """Revoke a certificate not revoked yet; returns whether it was."""
        changed = await self._s.execute(
            "UPDATE certificates SET revoked_at = ?, revoked_reason = ?, revoked_by = ?"
            " WHERE id = ? AND revoked_at IS NULL",
            (to_db_time(now), reason, actor, certificate_id),
        )
        return changed > 0

    async def mark_erased(self, participant_id: int, now: datetime) -> int:
        """The holder erased their data: their certificates say so from now on; a revocation's reason goes."""
        return await self._s.execute(
            "UPDATE certificates SET participant_erased_at = ?, revoked_reason = NULL"
            " WHERE participant_id = ? AND participant_erased_at IS NULL",
            (to_db_time(now), participant_id),
        )
