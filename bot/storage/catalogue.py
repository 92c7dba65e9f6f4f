"""Institutes, courses and their sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Param, Row, Session, from_db_time, to_db_time


@dataclass(frozen=True, slots=True)
class Course:
    id: int
    code: str
    title: str
    category: str
    description: str
    institute_name: str
    institute_city: str
    institute_contact: str
    regency: str
    province_code: str
    venue_address: str
    timezone: str
    capacity: int
    registration_deadline: datetime
    status: str
    enrolled: int
    waitlisted: int
    first_start: datetime | None
    last_end: datetime | None
    # The venue's coordinates (optional catalogue columns lat, lon), for the attendance location check.
    lat: float | None = None
    lon: float | None = None

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.enrolled)


@dataclass(frozen=True, slots=True)
class CourseSession:
    id: int
    course_id: int
    position: int
    starts_at: datetime
    ends_at: datetime
    topic: str
    venue_address: str | None


@dataclass(frozen=True, slots=True)
class NewSession:
    starts_at: datetime
    ends_at: datetime
    topic: str
    venue_address: str | None


@dataclass(frozen=True, slots=True)
class CourseFields:
    code: str
    title: str
    category: str
    description: str
    institute_id: int
    regency: str
    province_code: str
    venue_address: str
    timezone: str
    capacity: int
    registration_deadline: datetime
    status: str
    lat: float | None = None
    lon: float | None = None


_COURSE_SELECT = """
SELECT c.*, i.name AS institute_name, i.city AS institute_city, i.contact AS institute_contact,
    (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = c.id AND e.status = 'enrolled') AS enrolled,
    (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = c.id AND e.status = 'waitlisted') AS waitlisted,
    (SELECT MIN(s.starts_at) FROM course_sessions s WHERE s.course_id = c.id) AS first_start,
    (SELECT MAX(s.ends_at) FROM course_sessions s WHERE s.course_id = c.id) AS last_end
FROM courses c JOIN institutes i ON i.id = c.institute_id
"""

# Open for registration: status open and the deadline not passed.
_OPEN = "c.status = 'open' AND c.registration_deadline > ?"


def _course(row: Row) -> Course:
    return Course(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        category=row["category"],
        description=row["description"],
        institute_name=row["institute_name"],
        institute_city=row["institute_city"],
        institute_contact=row["institute_contact"],
        regency=row["regency"],
        province_code=row["province_code"],
        venue_address=row["venue_address"],
        timezone=row["timezone"],
        capacity=row["capacity"],
        registration_deadline=from_db_time(row["registration_deadline"]),
        status=row["status"],
        enrolled=row["enrolled"],
        waitlisted=row["waitlisted"],
        first_start=from_db_time(row["first_start"]) if row["first_start"] else None,
        last_end=from_db_time(row["last_end"]) if row["last_end"] else None,
        lat=None if row["lat"] is None else float(row["lat"]),
        lon=None if row["lon"] is None else float(row["lon"]),
    )


def _session(row: Row) -> CourseSession:
    return CourseSession(
        id=row["id"],
        course_id=row["course_id"],
        position=row["position"],
        starts_at=from_db_time(row["starts_at"]),
        ends_at=from_db_time(row["ends_at"]),
        topic=row["topic"],
        venue_address=row["venue_address"],
    )


class CatalogueRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    # ----------------------------------------------------------------- reading

    async def course(self, course_id: int) -> Course | None:
        row = await self._s.fetchone(_COURSE_SELECT + " WHERE c.id = ?", (course_id,))
        return None if row is None else _course(row)

    async def course_by_code(self, code: str) -> Course | None:
        row = await self._s.fetchone(_COURSE_SELECT + " WHERE c.code = ?", (code,))
        return None if row is None else _course(row)

    async def open_courses(
        self, now: datetime, *, category: str | None, provinces: Sequence[str], limit: int, offset: int
    ) -> list[Course]:
        """Courses open for registration: by the order of `provinces` (province codes, the person's own and the
        nearest first; courses elsewhere after them), then by first session and title.

        The page's ids are chosen first with a light query, then only those courses get their seat counts.
        """
        where = _OPEN + (" AND c.category = ?" if category is not None else "")
        params: list[Param] = [to_db_time(now)]
        if category is not None:
            params.append(category)
        rank = ""
        if provinces:
            whens = " ".join(f"WHEN ? THEN {i}" for i in range(len(provinces)))
            rank = f"CASE c.province_code {whens} ELSE ? END,"
            params.extend([*provinces, len(provinces)])
        ids = await self._s.fetchall(
            f"SELECT c.id FROM courses c WHERE {where}"  # noqa: S608 (fixed fragments only)
            f" ORDER BY {rank}"
            " (SELECT MIN(s.starts_at) FROM course_sessions s WHERE s.course_id = c.id), c.title, c.id"
            " LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        if not ids:
            return []
        page = [int(row[0]) for row in ids]
        marks = ", ".join("?" for _ in page)
        rows = await self._s.fetchall(_COURSE_SELECT + f" WHERE c.id IN ({marks})", page)
        by_id = {row["id"]: _course(row) for row in rows}
        return [by_id[course_id] for course_id in page]

    async def count_open(self, now: datetime, *, category: str | None, province: str | None = None) -> int:
        """Courses open for registration (of this category, in this province when given)."""
        where = _OPEN + (" AND c.category = ?" if category is not None else "")
        params: list[Param] = [to_db_time(now)]
        if category is not None:
            params.append(category)
        if province is not None:
            where += " AND c.province_code = ?"
            params.append(province)
        return int(await self._s.fetchval(f"SELECT COUNT(*) FROM courses c WHERE {where}", params))  # noqa: S608

    async def open_categories(self, now: datetime) -> list[str]:
        rows = await self._s.fetchall(
            f"SELECT DISTINCT c.category FROM courses c WHERE {_OPEN} ORDER BY c.category",  # noqa: S608
            (to_db_time(now),),
        )
        return [row[0] for row in rows]

    async def running_courses(self, now: datetime) -> list[Course]:
        """Courses that have begun and still have participants not yet marked completed or dropped out."""
        rows = await self._s.fetchall(
            _COURSE_SELECT + " WHERE EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = c.id"  # noqa: S608 (fixed fragments only)
            " AND e.status = 'enrolled') AND (SELECT MIN(s.starts_at) FROM course_sessions s"
            " WHERE s.course_id = c.id) <= ? ORDER BY last_end, c.title",
            (to_db_time(now),),
        )
        return [_course(row) for row in rows]

    async def session(self, session_id: int) -> CourseSession | None:
        row = await self._s.fetchone("SELECT * FROM course_sessions WHERE id = ?", (session_id,))
        return None if row is None else _session(row)

    async def sessions(self, course_id: int) -> list[CourseSession]:
        rows = await self._s.fetchall(
            "SELECT * FROM course_sessions WHERE course_id = ? ORDER BY position", (course_id,)
        )
        return [_session(row) for row in rows]

    # ----------------------------------------------------------------- writing (imports)

    async def set_status(self, course_id: int, status: str, now: datetime) -> None:
        await self._s.execute(
            "UPDATE courses SET status = ?, updated_at = ? WHERE id = ?", (status, to_db_time(now), course_id)
        )

    async def institute_names(self) -> list[str]:
        """Every training institute of the catalogue, by name."""
        return [str(row[0]) for row in await self._s.fetchall("SELECT name FROM institutes ORDER BY name")]

    async def upsert_institute(self, name: str, city: str, contact: str) -> int:
        row = await self._s.fetchone(
            "INSERT INTO institutes (name, city, contact) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET city = excluded.city, contact = excluded.contact RETURNING id",
            (name, city, contact),
        )
        assert row is not None
        return int(row[0])

    async def upsert_course(self, fields: CourseFields, now: datetime) -> tuple[int, bool]:
        """Insert or update the course with this code; returns its id and whether it is new."""
        existing = await self._s.fetchval("SELECT id FROM courses WHERE code = ?", (fields.code,))
        values = (
            fields.title,
            fields.category,
            fields.description,
            fields.institute_id,
            fields.regency,
            fields.province_code,
            fields.venue_address,
            fields.timezone,
            fields.capacity,
            to_db_time(fields.registration_deadline),
            fields.status,
            fields.lat,
            fields.lon,
        )
        if existing is not None:
            await self._s.execute(
                "UPDATE courses SET title = ?, category = ?, description = ?, institute_id = ?, regency = ?,"
                " province_code = ?, venue_address = ?, timezone = ?, capacity = ?, registration_deadline = ?,"
                " status = ?, lat = ?, lon = ?, updated_at = ? WHERE id = ?",
                (*values, to_db_time(now), existing),
            )
            return int(existing), False
        row = await self._s.fetchone(
            "INSERT INTO courses (title, category, description, institute_id, regency, province_code,"
            " venue_address, timezone, capacity, registration_deadline, status, lat, lon, code, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (*values, fields.code, to_db_time(now), to_db_time(now)),
        )
        assert row is not None
        return int(row[0]), True

    async def replace_sessions(self, course_id: int, sessions: Sequence[NewSession]) -> None:
        """Make the course's sessions exactly these, numbered 1.. in order (ids kept where the number stays)."""
        await self._s.execute(
            "DELETE FROM course_sessions WHERE course_id = ? AND position > ?", (course_id, len(sessions))
        )
        await self._s.executemany(
            "INSERT INTO course_sessions (course_id, position, starts_at, ends_at, topic, venue_address)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (course_id, position) DO UPDATE SET"
            " starts_at = excluded.starts_at, ends_at = excluded.ends_at, topic = excluded.topic,"
            " venue_address = excluded.venue_address",
            [
                (course_id, position, to_db_time(s.starts_at), to_db_time(s.ends_at), s.topic, s.venue_address)
                for position, s in enumerate(sessions, start=1)
            ],
        )
