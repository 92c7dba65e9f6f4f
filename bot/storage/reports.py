"""The programme's figures, aggregated in SQL: registrations, enrolments, completions and check-ins.

Unit of analysis for outcomes: a completed enrolment (a participant who finished two courses counts twice), with
its check-in waves. Participants who erased their data stay in every count (their rows are kept anonymously).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Param, Row, Session, to_db_time
from bot.storage.vault import Vault

# The check-in answers that count as working again; the same list as bot/services/survey_catalog.py EMPLOYED.
_EMPLOYED_SQL = "('previous_employer', 'new_employer', 'own_business')"
# The participants' columns in the workbook's sheet (besides the NIK, masked or opened).
_PARTICIPANT_SHEET = (
    "p.id, p.full_name, p.gender, p.birth_year, p.province_code, p.regency, p.education, p.phk_date,"
    " p.needs_verification, p.registered_at, p.employment_status, p.employment_status_at, p.erased_at"
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which part of the programme a report covers; unset means all of it. The period is on completion (and on
    registration for the registration figures): from <= moment < until."""

    course_id: int | None = None
    province_code: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # Only these courses (an LPK member's institutes' courses; none at all when empty); None: every course.
    course_ids: tuple[int, ...] | None = None


def _courses_in(column: str, scope: Scope, params: list[Param]) -> list[str]:
    if scope.course_ids is None:
        return []
    if not scope.course_ids:
        return ["1 = 0"]
    params.extend(scope.course_ids)
    return [f"{column} IN ({', '.join('?' for _ in scope.course_ids)})"]


@dataclass(frozen=True, slots=True)
class Totals:
    registered: int
    eligible: int
    # Participants with a seat (enrolled, completed or dropped out) / who completed at least once / dropped out.
    enrolled: int
    completed: int
    dropped: int
    # Completed enrolments: the denominator of outcomes.
    completions: int


@dataclass(frozen=True, slots=True)
class WaveFigures:
    """One check-in wave (d30, d90, d180) over a group: asked (sent), answered, and answers by kind."""

    key: str
    wave: str
    asked: int
    answered: int
    employed: int
    recruiting: int


@dataclass(frozen=True, slots=True)
class GroupCompletions:
    key: str
    label: str
    enrolled: int
    completed: int
    dropped: int


@dataclass(frozen=True, slots=True)
class AttendanceFigures:
    """Real attendance over a group: seats times sessions counted, present, excused, and absent though the
    participant had answered the reminder "Saya akan hadir"."""

    key: str
    label: str
    expected: int
    present: int
    excused: int
    no_shows: int

    @property
    def rate(self) -> float | None:
        return None if self.expected == 0 else self.present / self.expected


def _period(column: str, scope: Scope, params: list[Param]) -> list[str]:
    where = []
    if scope.since is not None:
        where.append(f"{column} >= ?")
        params.append(to_db_time(scope.since))
    if scope.until is not None:
        where.append(f"{column} < ?")
        params.append(to_db_time(scope.until))
    return where


def _participant_scope(scope: Scope, params: list[Param]) -> list[str]:
    """Participants of the scope's province, and of its course (any enrolment in it)."""
    where = []
    if scope.province_code is not None:
        where.append("p.province_code = ?")
        params.append(scope.province_code)
    if scope.course_id is not None:
        where.append("EXISTS (SELECT 1 FROM enrollments e WHERE e.participant_id = p.id AND e.course_id = ?)")
        params.append(scope.course_id)
    if scope.course_ids is not None:
        among = _courses_in("e.course_id", scope, params)
        where.append(f"EXISTS (SELECT 1 FROM enrollments e WHERE e.participant_id = p.id AND {among[0]})")  # noqa: S608
    return where


def _participants_join(table: str, scope: Scope, key: str = "") -> str:
    """The join to `participants` for rows of `table` (e or r), only where the scope or the grouping reads it: the
    rows are wide (sealed values and their indexes), and the breakdowns by course or institute need none of them."""
    if scope.province_code is None and "p." not in key:
        return ""
    return f" JOIN participants p ON p.id = {table}.participant_id"


def _enrolment_scope(scope: Scope, params: list[Param]) -> list[str]:
    where = []
    if scope.course_id is not None:
        where.append("e.course_id = ?")
        params.append(scope.course_id)
    where += _courses_in("e.course_id", scope, params)
    if scope.province_code is not None:
        where.append("p.province_code = ?")
        params.append(scope.province_code)
    return where


# How outcomes are grouped for the breakdowns: (SQL key, SQL label) over e (enrollments), co (courses),
# i (institutes) and p (participants).
GROUPINGS: dict[str, tuple[str, str]] = {
    "all": ("'all'", "''"),
    "course": ("co.code", "co.title"),
    "institute": ("CAST(i.id AS TEXT)", "i.name"),
    "province": ("p.province_code", "p.province_code"),
}


class ReportRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def totals(self, scope: Scope) -> Totals:
        params: list[Param] = []
        where = ["1 = 1", *_participant_scope(scope, params), *_period("p.registered_at", scope, params)]
        row = await self._s.fetchone(
            "SELECT COUNT(*) AS registered, COALESCE(SUM(CASE WHEN p.needs_verification = 0 THEN 1 ELSE 0 END), 0)"  # noqa: S608 (fixed fragments)
            f" AS eligible FROM participants p WHERE {' AND '.join(where)}",
            params,
        )
        assert row is not None
        seat_params: list[Param] = []
        seat_where = ["e.status IN ('enrolled', 'completed', 'dropped')", *_enrolment_scope(scope, seat_params)]
        seat_where += _period("e.finished_at", scope, seat_params) if scope.since or scope.until else []
        seats = await self._s.fetchone(
            "SELECT COUNT(DISTINCT e.participant_id) AS enrolled,"  # noqa: S608 (fixed fragments)
            " COUNT(DISTINCT CASE WHEN e.status = 'completed' THEN e.participant_id END) AS completed,"
            " COUNT(DISTINCT CASE WHEN e.status = 'dropped' THEN e.participant_id END) AS dropped,"
            " COALESCE(SUM(CASE WHEN e.status = 'completed' THEN 1 ELSE 0 END), 0) AS completions"
            f" FROM enrollments e{_participants_join('e', scope)} WHERE {' AND '.join(seat_where)}",
            seat_params,
        )
        assert seats is not None
        return Totals(
            registered=int(row["registered"]),
            eligible=int(row["eligible"]),
            enrolled=int(seats["enrolled"]),
            completed=int(seats["completed"]),
            dropped=int(seats["dropped"]),
            completions=int(seats["completions"]),
        )

    async def completions(self, scope: Scope, grouping: str) -> list[GroupCompletions]:
        key, label = GROUPINGS[grouping]
        params: list[Param] = []
        where = ["e.status IN ('enrolled', 'completed', 'dropped')", *_enrolment_scope(scope, params)]
        where += _period("e.finished_at", scope, params) if scope.since or scope.until else []
        rows = await self._s.fetchall(
            f"SELECT {key} AS k, MIN({label}) AS label,"  # noqa: S608 (fixed fragments)
            " SUM(CASE WHEN e.status = 'enrolled' THEN 1 ELSE 0 END) AS enrolled,"
            " SUM(CASE WHEN e.status = 'completed' THEN 1 ELSE 0 END) AS completed,"
            " SUM(CASE WHEN e.status = 'dropped' THEN 1 ELSE 0 END) AS dropped"
            " FROM enrollments e JOIN courses co ON co.id = e.course_id JOIN institutes i ON i.id = co.institute_id"
            f"{_participants_join('e', scope, key)} WHERE {' AND '.join(where)} GROUP BY k ORDER BY k",
            params,
        )
        return [GroupCompletions(r["k"], r["label"] or "", r["enrolled"], r["completed"], r["dropped"]) for r in rows]

    async def waves(self, scope: Scope, grouping: str, waves: list[str]) -> list[WaveFigures]:
        """Check-ins sent by the bot after completion, by wave (and group): answered, working again, recruiting."""
        key, _ = GROUPINGS[grouping]
        params: list[Param] = list(waves)
        where = [
            "r.survey = 'employment'",
            f"r.wave IN ({', '.join('?' for _ in waves)})",
            "r.started_at IS NOT NULL",
            *_enrolment_scope(scope, params),
        ]
        where += _period("e.finished_at", scope, params)
        rows = await self._s.fetchall(
            f"SELECT {key} AS k, r.wave, COUNT(*) AS asked, COUNT(c.run_id) AS answered,"  # noqa: S608 (fixed fragments)
            f" COALESCE(SUM(CASE WHEN c.status IN {_EMPLOYED_SQL} THEN 1 ELSE 0 END), 0) AS employed,"
            " COALESCE(SUM(CASE WHEN c.status = 'recruiting' THEN 1 ELSE 0 END), 0) AS recruiting"
            " FROM survey_runs r JOIN enrollments e ON e.id = r.enrollment_id"
            " JOIN courses co ON co.id = e.course_id JOIN institutes i ON i.id = co.institute_id"
            f"{_participants_join('r', scope, key)}"
            " LEFT JOIN employment_checkins c ON c.run_id = r.id"
            f" WHERE {' AND '.join(where)} GROUP BY k, r.wave ORDER BY k, r.wave",
            params,
        )
        return [WaveFigures(r["k"], r["wave"], r["asked"], r["answered"], r["employed"], r["recruiting"]) for r in rows]

    # ------------------------------------------------------------------ rows for the workbook

    async def participant_rows(self, scope: Scope, unmask_with: Vault | None = None) -> AsyncIterator[dict[str, Any]]:
        """The participants' sheet: `nik` is the masked NIK, or the full one opened with `unmask_with` (admins).
        Only the columns the sheet shows are read (not the other sealed values, nor the NIK's token when masked)."""
        params: list[Param] = []
        where = ["1 = 1", *_participant_scope(scope, params)]
        nik = "p.nik_masked" if unmask_with is None else "p.nik"
        async for row in self._s.stream(
            f"SELECT {_PARTICIPANT_SHEET}, {nik} AS nik FROM participants p"  # noqa: S608 (fixed fragments)
            f" WHERE {' AND '.join(where)} ORDER BY p.id",
            params,
        ):
            values = dict(row)
            if unmask_with is not None:
                values["nik"] = unmask_with.open_opt(values["nik"], "nik")
            yield values

    async def enrollment_rows(self, scope: Scope) -> AsyncIterator[Row]:
        params: list[Param] = []
        where = ["1 = 1", *_enrolment_scope(scope, params)]
        async for row in self._s.stream(
            "SELECT e.id, e.participant_id, co.code, co.title, i.name AS institute, e.status, e.created_at,"  # noqa: S608
            " e.finished_at,"
            " (SELECT COUNT(*) FROM attendance a WHERE a.enrollment_id = e.id AND a.intent = 'yes') AS attending,"
            " (SELECT COUNT(*) FROM attendance a WHERE a.enrollment_id = e.id AND a.intent = 'no') AS absent"
            " FROM enrollments e JOIN courses co ON co.id = e.course_id JOIN institutes i ON i.id = co.institute_id"
            f" JOIN participants p ON p.id = e.participant_id WHERE {' AND '.join(where)} ORDER BY e.id",
            params,
        ):
            yield row

    async def checkin_rows(self, scope: Scope) -> AsyncIterator[Row]:
        params: list[Param] = []
        where = ["1 = 1", *_enrolment_scope(scope, params)]
        async for row in self._s.stream(
            "SELECT c.run_id, c.participant_id, co.code, c.wave, c.status, c.answered_at"  # noqa: S608
            " FROM employment_checkins c JOIN participants p ON p.id = c.participant_id"
            " LEFT JOIN enrollments e ON e.id = c.enrollment_id LEFT JOIN courses co ON co.id = e.course_id"
            f" WHERE {' AND '.join(where)} ORDER BY c.answered_at, c.run_id",
            params,
        ):
            yield row

    async def answer_rows(self, scope: Scope) -> AsyncIterator[Row]:
        """Survey answers, one row per answer, a survey's runs together and each run's answers in order."""
        params: list[Param] = []
        where = ["1 = 1", *_enrolment_scope(scope, params)]
        async for row in self._s.stream(
            "SELECT r.id AS run_id, r.participant_id, r.survey, r.wave, a.question, a.value, a.answered_at"  # noqa: S608
            " FROM survey_answers a JOIN survey_runs r ON r.id = a.run_id"
            " JOIN participants p ON p.id = r.participant_id LEFT JOIN enrollments e ON e.id = r.enrollment_id"
            f" WHERE {' AND '.join(where)} ORDER BY r.survey, r.id, a.answered_at",
            params,
        ):
            yield row

    async def broadcast_rows(self) -> list[dict[str, Any]]:
        rows = await self._s.fetchall(
            "SELECT b.id, b.created_by, b.created_at, b.send_at, b.content, b.status, b.recipients,"
            " (SELECT COUNT(*) FROM outbox o WHERE o.status = 'sent' AND o.subject = 'broadcast:' || b.id || ':')"
            " AS sent FROM broadcasts b WHERE b.status NOT IN ('draft', 'cancelled') ORDER BY b.id"
        )
        return [dict(row) for row in rows]

    async def course_codes(self) -> dict[str, int]:
        """Course ids by upper-case code (staff type codes in any case)."""
        rows = await self._s.fetchall("SELECT code, id FROM courses")
        return {str(row[0]).upper(): int(row[1]) for row in rows}

    async def course_institutes(self) -> list[tuple[int, str]]:
        """(course id, institute name) of every course, for an LPK member's scope."""
        rows = await self._s.fetchall(
            "SELECT c.id, i.name FROM courses c JOIN institutes i ON i.id = c.institute_id ORDER BY c.id"
        )
        return [(int(row[0]), str(row[1])) for row in rows]

    async def course_title(self, course_id: int) -> str:
        value = await self._s.fetchval("SELECT title FROM courses WHERE id = ?", (course_id,))
        return str(value) if value is not None else str(course_id)

    # ------------------------------------------------------------------ real attendance (session_presence)

    async def attendance(self, scope: Scope, grouping: str, now: datetime) -> list[AttendanceFigures]:
        """Real attendance over the sessions counted (begun by `now`, with attendance taken): expected (a seat
        times a session), present, excused, and no-shows who had told the reminder "hadir" (intent 'yes')."""
        key, label = GROUPINGS[grouping]
        params: list[Param] = [to_db_time(now)]
        where = ["e.status IN ('enrolled', 'completed', 'dropped')", *_enrolment_scope(scope, params)]
        where += _period("e.finished_at", scope, params) if scope.since or scope.until else []
        rows = await self._s.fetchall(
            f"SELECT {key} AS k, MIN({label}) AS label, COUNT(*) AS expected,"  # noqa: S608 (fixed fragments)
            " COALESCE(SUM(CASE WHEN sp.status = 'present' THEN 1 ELSE 0 END), 0) AS present,"
            " COALESCE(SUM(CASE WHEN sp.status = 'excused' THEN 1 ELSE 0 END), 0) AS excused,"
            " COALESCE(SUM(CASE WHEN a.intent = 'yes' AND (sp.status IS NULL OR sp.status = 'absent') THEN 1 ELSE 0"
            " END), 0) AS no_shows"
            " FROM enrollments e JOIN courses co ON co.id = e.course_id JOIN institutes i ON i.id = co.institute_id"
            f"{_participants_join('e', scope, key)} JOIN course_sessions s ON s.course_id = e.course_id"
            " LEFT JOIN session_presence sp ON sp.enrollment_id = e.id AND sp.session_id = s.id"
            " LEFT JOIN attendance a ON a.enrollment_id = e.id AND a.session_id = s.id"
            " WHERE s.starts_at <= ? AND EXISTS (SELECT 1 FROM session_presence t WHERE t.session_id = s.id)"
            f" AND {' AND '.join(where)} GROUP BY k ORDER BY k",
            params,
        )
        return [
            AttendanceFigures(r["k"], r["label"] or "", r["expected"], r["present"], r["excused"], r["no_shows"])
            for r in rows
        ]

    async def presence_rows(self, scope: Scope) -> AsyncIterator[Row]:
        """The workbook's attendance sheet: every enrolment and session begun, the intent and what was recorded."""
        params: list[Param] = []
        where = ["e.status IN ('enrolled', 'completed', 'dropped')", *_enrolment_scope(scope, params)]
        async for row in self._s.stream(
            "SELECT e.id AS enrollment, e.participant_id, co.code, s.position, s.starts_at, a.intent, sp.status,"  # noqa: S608
            " sp.source, sp.location, sp.recorded_at"
            " FROM enrollments e JOIN courses co ON co.id = e.course_id JOIN participants p ON p.id = e.participant_id"
            " JOIN course_sessions s ON s.course_id = e.course_id"
            " LEFT JOIN session_presence sp ON sp.enrollment_id = e.id AND sp.session_id = s.id"
            " LEFT JOIN attendance a ON a.enrollment_id = e.id AND a.session_id = s.id"
            f" WHERE (sp.status IS NOT NULL OR a.intent IS NOT NULL) AND {' AND '.join(where)}"
            " ORDER BY e.id, s.position",
            params,
        ):
            yield row
