"""The vacancies' figures, aggregated in SQL: published, matched (sent to participants), and the applications'
funnel (interested, sent to the employer, interview, hired), by course category, province and LPK; and how many of
the people working again found the job through a vacancy of the bot.

A step counts everyone who got there, whatever came after (the first time each step was reached is kept), and a
later step implies the earlier ones: someone hired without a recorded interview was still sent to the employer.
Withdrawn and erased applications stay in the counts (their rows hold ids and times only).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Param, Row, Session, to_db_time

# The check-in answers that count as working again (bot/services/survey_catalog.py EMPLOYED).
_EMPLOYED_SQL = "('previous_employer', 'new_employer', 'own_business')"


@dataclass(frozen=True, slots=True)
class VacancyScope:
    """Which vacancies: those of an LPK member's institutes (institute keys; None: every vacancy), of a province
    (its own or open to all Indonesia), published (first imported) in the period: since <= created_at < until.
    `course_ids` limits the re-employment share to those courses' participants (an LPK member's)."""

    institutes: frozenset[str] | None = None
    province_code: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    course_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class FunnelFigures:
    key: str
    label: str
    published: int
    matched: int
    interested: int
    sent: int
    interview: int
    hired: int
    rejected: int


@dataclass(frozen=True, slots=True)
class Placements:
    """People working again (an employed check-in), and those of them who found the job through a bot vacancy."""

    working: int
    through_vacancies: int


# (SQL key, SQL label, extra join) per grouping, over v (vacancies).
GROUPINGS: dict[str, tuple[str, str, str]] = {
    "all": ("'all'", "''", ""),
    "category": ("vc.category", "vc.category", " JOIN vacancy_categories vc ON vc.vacancy_id = v.id"),
    "province": ("COALESCE(v.province_code, '')", "COALESCE(v.province_code, '')", ""),
    "institute": (
        "COALESCE(v.institute_key, '')",
        "(SELECT MIN(si.institute_name) FROM staff_institutes si WHERE si.institute_key = v.institute_key)",
        "",
    ),
}


def _where(scope: VacancyScope, params: list[Param]) -> str:
    where = ["1 = 1"]
    if scope.institutes is not None:
        if not scope.institutes:
            where.append("1 = 0")
        else:
            where.append(f"v.institute_key IN ({', '.join('?' for _ in scope.institutes)})")
            params.extend(sorted(scope.institutes))
    if scope.province_code is not None:
        where.append("(v.province_code = ? OR v.province_code IS NULL)")
        params.append(scope.province_code)
    if scope.since is not None:
        where.append("v.created_at >= ?")
        params.append(to_db_time(scope.since))
    if scope.until is not None:
        where.append("v.created_at < ?")
        params.append(to_db_time(scope.until))
    return " AND ".join(where)


# Per vacancy: participants it was sent to, and its applications by the furthest step reached.
_PER_VACANCY = (
    " LEFT JOIN (SELECT vacancy_id, COUNT(*) AS n FROM vacancy_deliveries GROUP BY vacancy_id) d"
    " ON d.vacancy_id = v.id"
    " LEFT JOIN (SELECT vacancy_id, COUNT(*) AS interested,"
    " COUNT(COALESCE(hired_at, interview_at, sent_at)) AS sent, COUNT(COALESCE(hired_at, interview_at)) AS interview,"
    " COUNT(hired_at) AS hired, COUNT(rejected_at) AS rejected FROM vacancy_applications GROUP BY vacancy_id) a"
    " ON a.vacancy_id = v.id"
)


class VacancyReportRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def funnel(self, scope: VacancyScope, grouping: str) -> list[FunnelFigures]:
        key, label, join = GROUPINGS[grouping]
        params: list[Param] = []
        where = _where(scope, params)
        rows = await self._s.fetchall(
            f"SELECT {key} AS k, MIN({label}) AS label, COUNT(*) AS published,"  # noqa: S608 (fixed fragments)
            " COALESCE(SUM(d.n), 0) AS matched, COALESCE(SUM(a.interested), 0) AS interested,"
            " COALESCE(SUM(a.sent), 0) AS sent, COALESCE(SUM(a.interview), 0) AS interview,"
            " COALESCE(SUM(a.hired), 0) AS hired, COALESCE(SUM(a.rejected), 0) AS rejected"
            f" FROM vacancies v{join}{_PER_VACANCY} WHERE {where} GROUP BY k ORDER BY k",
            params,
        )
        return [
            FunnelFigures(
                str(r["k"]),
                str(r["label"] or ""),
                *(int(r[c]) for c in ("published", "matched", "interested", "sent", "interview", "hired", "rejected")),
            )
            for r in rows
        ]

    async def matched_people(self, scope: VacancyScope) -> int:
        """Participants who got at least one of the vacancies (on publication or in a digest)."""
        params: list[Param] = []
        where = _where(scope, params)
        value = await self._s.fetchval(
            "SELECT COUNT(DISTINCT d.participant_id) FROM vacancy_deliveries d"  # noqa: S608 (fixed fragments)
            f" JOIN vacancies v ON v.id = d.vacancy_id WHERE {where}",
            params,
        )
        return int(value or 0)

    async def placements(self, scope: VacancyScope) -> Placements:
        """People with an employed check-in (of the scope's courses' participants, when limited), and those with
        one that came through a vacancy of the bot (a hire recorded by staff, or named in a check-in)."""
        params: list[Param] = []
        where = [f"c.status IN {_EMPLOYED_SQL}"]
        if scope.course_ids is not None:
            marks = ", ".join("?" for _ in scope.course_ids) or "NULL"
            where.append(
                "EXISTS (SELECT 1 FROM enrollments e WHERE e.participant_id = c.participant_id"  # noqa: S608 (marks)
                f" AND e.course_id IN ({marks}))"
            )
            params.extend(scope.course_ids)
        row = await self._s.fetchone(
            "SELECT COUNT(DISTINCT c.participant_id) AS working,"  # noqa: S608 (fixed fragments)
            " COUNT(DISTINCT CASE WHEN c.source = 'vacancy' THEN c.participant_id END) AS through"
            f" FROM employment_checkins c WHERE {' AND '.join(where)}",
            params,
        )
        assert row is not None
        return Placements(int(row["working"] or 0), int(row["through"] or 0))

    async def vacancy_rows(self, scope: VacancyScope) -> AsyncIterator[Row]:
        """The workbook's vacancy sheet: one row per vacancy with its funnel."""
        params: list[Param] = []
        where = _where(scope, params)
        async for row in self._s.stream(
            "SELECT v.code, v.position, v.employer, v.province_code, v.institute_key, v.closes_on, v.apply_method,"  # noqa: S608
            " COALESCE(d.n, 0) AS matched, COALESCE(a.interested, 0) AS interested, COALESCE(a.sent, 0) AS sent,"
            " COALESCE(a.interview, 0) AS interview, COALESCE(a.hired, 0) AS hired,"
            f" COALESCE(a.rejected, 0) AS rejected FROM vacancies v{_PER_VACANCY} WHERE {where} ORDER BY v.code",
            params,
        ):
            yield row
