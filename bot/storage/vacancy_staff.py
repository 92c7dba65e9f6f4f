"""Staff following a vacancy's applicants: the open vacancies with their applicant counts, an application by id, the
courses and certificate numbers an applicant consented to pass on, and the employment check-in a hire records.

Nothing personal is read here: names and phones are opened through the participants repository (sealed columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.db import Session, to_db_time
from bot.storage.vacancies import Application, _application

# The wave of the check-in a staff member records by marking an applicant hired ("diterima"), and its source.
VACANCY_WAVE = "vacancy"
VACANCY_SOURCE = "vacancy"


@dataclass(frozen=True, slots=True)
class VacancyLine:
    """An open vacancy on the staff list, with its applicants still on the list (by status)."""

    id: int
    code: str
    position: str
    employer: str
    closes_on: date
    apply_method: str
    published_by: int
    institute_key: str | None
    counts: dict[str, int]

    @property
    def applicants(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class VacancyChoice:
    """A vacancy a participant received or applied for (the check-in asks whether the job came from one)."""

    id: int
    position: str
    employer: str


class VacancyStaffRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def open_vacancies(self, now: datetime) -> list[VacancyLine]:
        """Vacancies not yet closed, the soonest to close first, with their live applicants by status."""
        rows = await self._s.fetchall(
            "SELECT v.id, v.code, v.position, v.employer, v.closes_on, v.apply_method, v.published_by,"
            " v.institute_key, a.status, COUNT(a.id) AS n FROM vacancies v"
            " LEFT JOIN vacancy_applications a ON a.vacancy_id = v.id AND a.withdrawn_at IS NULL"
            " AND a.participant_erased_at IS NULL WHERE v.closes_at > ?"
            " GROUP BY v.id, v.code, v.position, v.employer, v.closes_on, v.apply_method, v.published_by,"
            " v.institute_key, a.status ORDER BY v.closes_on, v.code",
            (to_db_time(now),),
        )
        lines: dict[int, VacancyLine] = {}
        for row in rows:
            line = lines.get(int(row["id"]))
            if line is None:
                line = lines[int(row["id"])] = VacancyLine(
                    id=int(row["id"]),
                    code=row["code"],
                    position=row["position"],
                    employer=row["employer"],
                    closes_on=date.fromisoformat(row["closes_on"]),
                    apply_method=row["apply_method"],
                    published_by=int(row["published_by"]),
                    institute_key=row["institute_key"],
                    counts={},
                )
            if row["status"] is not None:
                line.counts[str(row["status"])] = int(row["n"])
        return list(lines.values())

    async def application_by_id(self, application_id: int) -> Application | None:
        row = await self._s.fetchone("SELECT * FROM vacancy_applications WHERE id = ?", (application_id,))
        return None if row is None else _application(row)

    async def courses_of(self, participant_id: int) -> list[tuple[str, str]]:
        """(code, title) of the courses the participant completed or is taking, in the order they enrolled."""
        rows = await self._s.fetchall(
            "SELECT co.code, co.title FROM enrollments e JOIN courses co ON co.id = e.course_id"
            " WHERE e.participant_id = ? AND e.status IN ('enrolled', 'completed') ORDER BY e.id",
            (participant_id,),
        )
        return [(str(row[0]), str(row[1])) for row in rows]

    async def certificate_numbers(self, participant_id: int) -> list[str]:
        """The participant's certificates still valid (not revoked)."""
        rows = await self._s.fetchall(
            "SELECT number FROM certificates WHERE participant_id = ? AND revoked_at IS NULL ORDER BY id",
            (participant_id,),
        )
        return [str(row[0]) for row in rows]

    async def record_hire(
        self, participant_id: int, vacancy_id: int, status: str, enrollment_id: int | None, now: datetime
    ) -> int:
        """A hire on a vacancy as a check-in answer: a finished employment run (wave VACANCY_WAVE) and its check-in
        (source VACANCY_SOURCE, the vacancy); returns the run's id."""
        stamp = to_db_time(now)
        row = await self._s.fetchone(
            "INSERT INTO survey_runs (participant_id, survey, wave, enrollment_id, status, due_at, started_at,"
            " finished_at, created_at) VALUES (?, 'employment', ?, ?, 'completed', ?, ?, ?, ?) RETURNING id",
            (participant_id, VACANCY_WAVE, enrollment_id, stamp, stamp, stamp, stamp),
        )
        assert row is not None
        run_id = int(row[0])
        await self._s.execute(
            "INSERT INTO employment_checkins (run_id, participant_id, enrollment_id, wave, status, answered_at,"
            " source, vacancy_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, participant_id, enrollment_id, VACANCY_WAVE, status, stamp, VACANCY_SOURCE, vacancy_id),
        )
        return run_id

    async def latest_completed_enrollment(self, participant_id: int) -> int | None:
        value = await self._s.fetchval(
            "SELECT MAX(id) FROM enrollments WHERE participant_id = ? AND status = 'completed'", (participant_id,)
        )
        return None if value is None else int(value)

    # ------------------------------------------------------------------ the check-in's question

    async def choices_for(self, participant_id: int, limit: int) -> list[VacancyChoice]:
        """The vacancies the participant received (a digest, a publication) or applied for, the latest first."""
        rows = await self._s.fetchall(
            "SELECT v.id, v.position, v.employer, MAX(x.at) AS at FROM vacancies v JOIN ("
            " SELECT vacancy_id, delivered_at AS at FROM vacancy_deliveries WHERE participant_id = ?"
            " UNION ALL SELECT vacancy_id, consented_at AS at FROM vacancy_applications WHERE participant_id = ?"
            ") x ON x.vacancy_id = v.id GROUP BY v.id, v.position, v.employer ORDER BY at DESC, v.id DESC LIMIT ?",
            (participant_id, participant_id, limit),
        )
        return [VacancyChoice(int(row["id"]), row["position"], row["employer"]) for row in rows]

    async def set_checkin_source(self, run_id: int, source: str | None, vacancy_id: int | None) -> int:
        """Where the job of the run's check-in came from (the question after "working again")."""
        return await self._s.execute(
            "UPDATE employment_checkins SET source = ?, vacancy_id = ? WHERE run_id = ?", (source, vacancy_id, run_id)
        )
