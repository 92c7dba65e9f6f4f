"""Job vacancies, the categories they suit, and the applications ("Saya tertarik") to those applied for in the bot.

Nothing here is a participant's personal data: applications hold ids and times; the applicant list opens names
and phones through the participants repository (sealed columns).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.db import Param, Row, Session, from_db_time, opt_time, to_db_time

# How to apply (vacancies.apply_method).
APPLY_CONTACT = "contact"
APPLY_LINK = "link"
APPLY_BOT = "bot"
# An application's steps (vacancy_applications.status), in funnel order.
INTERESTED = "interested"
SENT = "sent"
INTERVIEW = "interview"
HIRED = "hired"
REJECTED = "rejected"
APPLICATION_STATUSES = (INTERESTED, SENT, INTERVIEW, HIRED, REJECTED)
# The column recording when each staff step was first reached.
_STEP_COLUMNS = {SENT: "sent_at", INTERVIEW: "interview_at", HIRED: "hired_at", REJECTED: "rejected_at"}


@dataclass(frozen=True, slots=True)
class VacancyFields:
    code: str
    position: str
    employer: str
    sector: str
    province_code: str | None  # None: all Indonesia
    regency: str | None
    salary_from: int | None
    salary_to: int | None
    requirements: str
    closes_on: date
    closes_at: datetime  # aware, UTC
    apply_method: str
    apply_detail: str
    published_by: int  # 0: the command line
    institute_key: str | None  # the LPK member's institute, when one published it


@dataclass(frozen=True, slots=True)
class Vacancy:
    id: int
    code: str
    position: str
    employer: str
    sector: str
    province_code: str | None
    regency: str | None
    salary_from: int | None
    salary_to: int | None
    requirements: str
    closes_on: date
    closes_at: datetime
    apply_method: str
    apply_detail: str
    published_by: int
    institute_key: str | None
    created_at: datetime
    updated_at: datetime
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Application:
    id: int
    vacancy_id: int
    participant_id: int
    consented_at: datetime
    consent_version: str
    withdrawn_at: datetime | None
    status: str
    status_at: datetime
    participant_erased_at: datetime | None

    @property
    def live(self) -> bool:
        """On the applicant list: consent not withdrawn, data not erased."""
        return self.withdrawn_at is None and self.participant_erased_at is None


def _vacancy(row: Row, categories: Sequence[str]) -> Vacancy:
    return Vacancy(
        id=row["id"],
        code=row["code"],
        position=row["position"],
        employer=row["employer"],
        sector=row["sector"],
        province_code=row["province_code"],
        regency=row["regency"],
        salary_from=row["salary_from"],
        salary_to=row["salary_to"],
        requirements=row["requirements"],
        closes_on=date.fromisoformat(row["closes_on"]),
        closes_at=from_db_time(row["closes_at"]),
        apply_method=row["apply_method"],
        apply_detail=row["apply_detail"],
        published_by=row["published_by"],
        institute_key=row["institute_key"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        categories=tuple(categories),
    )


def _application(row: Row) -> Application:
    return Application(
        id=row["id"],
        vacancy_id=row["vacancy_id"],
        participant_id=row["participant_id"],
        consented_at=from_db_time(row["consented_at"]),
        consent_version=row["consent_version"],
        withdrawn_at=opt_time(row["withdrawn_at"]),
        status=row["status"],
        status_at=from_db_time(row["status_at"]),
        participant_erased_at=opt_time(row["participant_erased_at"]),
    )


class VacancyRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    # ----------------------------------------------------------------- vacancies

    async def known_categories(self) -> list[str]:
        """Every course category of the catalogue (courses of any status), as the catalogue spells it."""
        rows = await self._s.fetchall("SELECT DISTINCT category FROM courses ORDER BY category")
        return [str(row[0]) for row in rows]

    async def _with_categories(self, rows: Sequence[Row]) -> list[Vacancy]:
        if not rows:
            return []
        ids = [int(row["id"]) for row in rows]
        marks = ", ".join("?" for _ in ids)
        found = await self._s.fetchall(
            f"SELECT vacancy_id, category FROM vacancy_categories WHERE vacancy_id IN ({marks})"  # noqa: S608
            " ORDER BY category",
            ids,
        )
        by_id: dict[int, list[str]] = {}
        for row in found:
            by_id.setdefault(int(row[0]), []).append(str(row[1]))
        return [_vacancy(row, by_id.get(int(row["id"]), ())) for row in rows]

    async def by_code(self, code: str) -> Vacancy | None:
        rows = await self._s.fetchall("SELECT * FROM vacancies WHERE code = ?", (code,))
        found = await self._with_categories(rows)
        return found[0] if found else None

    async def by_id(self, vacancy_id: int) -> Vacancy | None:
        rows = await self._s.fetchall("SELECT * FROM vacancies WHERE id = ?", (vacancy_id,))
        found = await self._with_categories(rows)
        return found[0] if found else None

    async def by_ids(self, vacancy_ids: Sequence[int]) -> list[Vacancy]:
        """These vacancies (those that still exist), in no particular order."""
        if not vacancy_ids:
            return []
        marks = ", ".join("?" for _ in vacancy_ids)
        rows = await self._s.fetchall(f"SELECT * FROM vacancies WHERE id IN ({marks})", list(vacancy_ids))  # noqa: S608
        return await self._with_categories(rows)

    async def upsert(self, fields: VacancyFields, categories: Sequence[str], now: datetime) -> tuple[int, bool]:
        """Insert or update the vacancy with this code (its categories replaced); returns its id and whether new."""
        existing = await self._s.fetchval("SELECT id FROM vacancies WHERE code = ?", (fields.code,))
        values: tuple[Param, ...] = (
            fields.position,
            fields.employer,
            fields.sector,
            fields.province_code,
            fields.regency,
            fields.salary_from,
            fields.salary_to,
            fields.requirements,
            fields.closes_on.isoformat(),
            to_db_time(fields.closes_at),
            fields.apply_method,
            fields.apply_detail,
            fields.published_by,
            fields.institute_key,
        )
        if existing is not None:
            vacancy_id, is_new = int(existing), False
            await self._s.execute(
                "UPDATE vacancies SET position = ?, employer = ?, sector = ?, province_code = ?, regency = ?,"
                " salary_from = ?, salary_to = ?, requirements = ?, closes_on = ?, closes_at = ?, apply_method = ?,"
                " apply_detail = ?, published_by = ?, institute_key = ?, updated_at = ? WHERE id = ?",
                (*values, to_db_time(now), vacancy_id),
            )
            await self._s.execute("DELETE FROM vacancy_categories WHERE vacancy_id = ?", (vacancy_id,))
        else:
            row = await self._s.fetchone(
                "INSERT INTO vacancies (position, employer, sector, province_code, regency, salary_from, salary_to,"
                " requirements, closes_on, closes_at, apply_method, apply_detail, published_by, institute_key, code,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (*values, fields.code, to_db_time(now), to_db_time(now)),
            )
            assert row is not None
            vacancy_id, is_new = int(row[0]), True
        await self._s.executemany(
            "INSERT INTO vacancy_categories (vacancy_id, category) VALUES (?, ?)",
            [(vacancy_id, category) for category in sorted(set(categories))],
        )
        return vacancy_id, is_new

    async def publishers(self, codes: Sequence[str]) -> dict[str, int]:
        """code -> who published it, for the codes that exist already (an LPK member updates only their own)."""
        if not codes:
            return {}
        marks = ", ".join("?" for _ in codes)
        rows = await self._s.fetchall(
            f"SELECT code, published_by FROM vacancies WHERE code IN ({marks})",  # noqa: S608 (placeholders only)
            list(codes),
        )
        return {str(row[0]): int(row[1]) for row in rows}

    # ----------------------------------------------------------------- applications

    async def application(self, vacancy_id: int, participant_id: int) -> Application | None:
        row = await self._s.fetchone(
            "SELECT * FROM vacancy_applications WHERE vacancy_id = ? AND participant_id = ?",
            (vacancy_id, participant_id),
        )
        return None if row is None else _application(row)

    async def apply(self, vacancy_id: int, participant_id: int, consent_version: str, now: datetime) -> Application:
        """Record the consent ("Saya tertarik"); after a withdrawal, given again, the application starts over."""
        row = await self._s.fetchone(
            "INSERT INTO vacancy_applications (vacancy_id, participant_id, consented_at, consent_version, status,"
            " status_at) VALUES (?, ?, ?, ?, 'interested', ?) ON CONFLICT (vacancy_id, participant_id) DO UPDATE"
            " SET consented_at = excluded.consented_at, consent_version = excluded.consent_version,"
            " withdrawn_at = NULL, status = 'interested', status_at = excluded.status_at, status_by = NULL,"
            " sent_at = NULL, interview_at = NULL, hired_at = NULL, rejected_at = NULL"
            " WHERE vacancy_applications.withdrawn_at IS NOT NULL"
            " AND vacancy_applications.participant_erased_at IS NULL RETURNING *",
            (vacancy_id, participant_id, to_db_time(now), consent_version, to_db_time(now)),
        )
        if row is None:  # already interested (a repeated tap): unchanged
            existing = await self.application(vacancy_id, participant_id)
            assert existing is not None
            return existing
        return _application(row)

    async def withdraw(self, vacancy_id: int, participant_id: int, now: datetime) -> bool:
        changed = await self._s.execute(
            "UPDATE vacancy_applications SET withdrawn_at = ? WHERE vacancy_id = ? AND participant_id = ?"
            " AND withdrawn_at IS NULL",
            (to_db_time(now), vacancy_id, participant_id),
        )
        return changed > 0

    async def applicants(self, vacancy_id: int) -> list[Application]:
        """The applicant list: consent given and not withdrawn, data not erased, in the order they applied."""
        rows = await self._s.fetchall(
            "SELECT * FROM vacancy_applications WHERE vacancy_id = ? AND withdrawn_at IS NULL"
            " AND participant_erased_at IS NULL ORDER BY consented_at, id",
            (vacancy_id,),
        )
        return [_application(row) for row in rows]

    async def set_status(self, application_id: int, status: str, actor: int, now: datetime) -> Application | None:
        """A staff step on a live application; None when it is no longer on the list."""
        if status not in _STEP_COLUMNS:
            raise ValueError(f"not a staff step: {status!r}")
        column = _STEP_COLUMNS[status]
        row = await self._s.fetchone(
            f"UPDATE vacancy_applications SET status = ?, status_at = ?, status_by = ?,"  # noqa: S608 (whitelisted)
            f" {column} = COALESCE({column}, ?) WHERE id = ? AND withdrawn_at IS NULL"
            " AND participant_erased_at IS NULL RETURNING *",
            (status, to_db_time(now), actor, to_db_time(now), application_id),
        )
        return None if row is None else _application(row)

    async def forget_participant(self, participant_id: int, now: datetime) -> int:
        """An erasure: the person is off every applicant list for good (consent withdrawn with it)."""
        return await self._s.execute(
            "UPDATE vacancy_applications SET participant_erased_at = ?, withdrawn_at = COALESCE(withdrawn_at, ?)"
            " WHERE participant_id = ? AND participant_erased_at IS NULL",
            (to_db_time(now), to_db_time(now), participant_id),
        )

    # ----------------------------------------------------------------- what a participant browses

    async def count_open(self, now: datetime, categories: Sequence[str] | None = None) -> int:
        """Open vacancies (closing after `now`), of any of `categories` when given."""
        where, params = _open_filter(now, categories)
        value = await self._s.fetchval(f"SELECT COUNT(*) FROM vacancies v WHERE {where}", params)  # noqa: S608
        return int(value or 0)

    async def open_page(
        self,
        now: datetime,
        *,
        categories: Sequence[str] | None,
        home_province: str | None,
        limit: int,
        offset: int,
    ) -> list[Vacancy]:
        """Open vacancies near the person first: their province, then all Indonesia, then the other provinces;
        within each, the soonest to close first."""
        where, params = _open_filter(now, categories)
        rows = await self._s.fetchall(
            f"SELECT v.* FROM vacancies v WHERE {where}"  # noqa: S608 (placeholders only)
            " ORDER BY CASE WHEN v.province_code = ? THEN 0 WHEN v.province_code IS NULL THEN 1 ELSE 2 END,"
            " v.closes_at, v.id LIMIT ? OFFSET ?",
            [*params, home_province or "", limit, offset],
        )
        return await self._with_categories(rows)

    async def open_categories(self, now: datetime) -> list[str]:
        """The categories of the open vacancies, for the filter."""
        rows = await self._s.fetchall(
            "SELECT DISTINCT c.category FROM vacancy_categories c JOIN vacancies v ON v.id = c.vacancy_id"
            " WHERE v.closes_at > ? ORDER BY c.category",
            (to_db_time(now),),
        )
        return [str(row[0]) for row in rows]

    async def course_categories(self, participant_id: int) -> list[str]:
        """The categories of the courses the participant enrolled in (a cancelled enrolment does not count)."""
        rows = await self._s.fetchall(
            "SELECT DISTINCT c.category FROM enrollments e JOIN courses c ON c.id = e.course_id"
            " WHERE e.participant_id = ? AND e.status <> 'cancelled' ORDER BY c.category",
            (participant_id,),
        )
        return [str(row[0]) for row in rows]

    async def looks_for_work(self, participant_id: int) -> bool:
        """Whether the vacancies are for this participant: they completed a course, asked for job information,
        or their latest employment check-in says they are not working."""
        value = await self._s.fetchval(
            "SELECT 1 FROM participants p WHERE p.id = ? AND (p.wants_vacancies = 1"
            " OR p.employment_status = 'not_working' OR EXISTS (SELECT 1 FROM enrollments e"
            " WHERE e.participant_id = p.id AND e.status = 'completed'))",
            (participant_id,),
        )
        return value is not None

    async def withdraw_unsent(self, vacancy_id: int, participant_id: int, now: datetime) -> bool:
        """The participant takes their interest back, only while staff have not passed it on ('interested')."""
        changed = await self._s.execute(
            "UPDATE vacancy_applications SET withdrawn_at = ? WHERE vacancy_id = ? AND participant_id = ?"
            " AND withdrawn_at IS NULL AND participant_erased_at IS NULL AND status = 'interested'",
            (to_db_time(now), vacancy_id, participant_id),
        )
        return changed > 0

    async def applications_of(self, participant_id: int) -> list[tuple[Application, str, str]]:
        """Every application of the participant, with the vacancy's code and employer (for /dataku), newest first."""
        rows = await self._s.fetchall(
            "SELECT a.*, v.code AS vacancy_code, v.employer AS vacancy_employer FROM vacancy_applications a"
            " JOIN vacancies v ON v.id = a.vacancy_id WHERE a.participant_id = ? ORDER BY a.consented_at DESC, a.id",
            (participant_id,),
        )
        return [(_application(row), str(row["vacancy_code"]), str(row["vacancy_employer"])) for row in rows]


def _open_filter(now: datetime, categories: Sequence[str] | None) -> tuple[str, list[Param]]:
    where = "v.closes_at > ?"
    params: list[Param] = [to_db_time(now)]
    if categories is not None:
        if not categories:
            return "1 = 0", []
        exists = "EXISTS (SELECT 1 FROM vacancy_categories c WHERE c.vacancy_id = v.id AND c.category IN ({}))"
        where += " AND " + exists.format(", ".join("?" for _ in categories))
        params += list(categories)
    return where, params
