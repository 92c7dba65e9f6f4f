"""Surveys asked of participants (runs), their answers, and employment check-ins."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Row, Session, from_db_time, opt_time, to_db_time

SCHEDULED = "scheduled"
ACTIVE = "active"
COMPLETED = "completed"
EXPIRED = "expired"
CANCELLED = "cancelled"
# The wave of a check-in the participant reported from the main menu.
SELF_REPORTED = "self"


@dataclass(frozen=True, slots=True)
class SurveyRun:
    id: int
    participant_id: int
    survey: str
    wave: str
    enrollment_id: int | None
    status: str
    due_at: datetime
    question: str | None
    selection: list[str]
    started_at: datetime | None
    expires_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewRun:
    participant_id: int
    survey: str
    wave: str
    enrollment_id: int | None
    due_at: datetime


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """One answer of a run: the question's id, its type, the value (decoded JSON; None when skipped)."""

    question: str
    kind: str
    value: Any
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class CheckIn:
    """An employment status the participant answered in a check-in (a wave after a course, or self-reported)."""

    run_id: int
    enrollment_id: int | None
    wave: str
    status: str
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class DueRun:
    """A participant's oldest due survey with what starting it needs: the recipient (None: erased), their province
    (their zone), the title of the course it follows and how many of its questions are answered (a paused run)."""

    run: SurveyRun
    telegram_user_id: int | None
    province_code: str
    course_title: str | None
    answered: int


def _run(row: Row) -> SurveyRun:
    return SurveyRun(
        id=row["id"],
        participant_id=row["participant_id"],
        survey=row["survey"],
        wave=row["wave"],
        enrollment_id=row["enrollment_id"],
        status=row["status"],
        due_at=from_db_time(row["due_at"]),
        question=row["question"],
        selection=json.loads(row["selection"]),
        started_at=opt_time(row["started_at"]),
        expires_at=opt_time(row["expires_at"]),
        finished_at=opt_time(row["finished_at"]),
    )


class SurveyRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def plan(self, runs: Sequence[NewRun], now: datetime) -> int:
        """Schedule surveys; a check-in wave already planned for the enrolment is left as it is."""
        return await self._s.executemany(
            "INSERT INTO survey_runs (participant_id, survey, wave, enrollment_id, status, due_at, created_at)"
            " VALUES (?, ?, ?, ?, 'scheduled', ?, ?) ON CONFLICT DO NOTHING",
            [
                (r.participant_id, r.survey, r.wave, r.enrollment_id, to_db_time(r.due_at), to_db_time(now))
                for r in runs
            ],
        )

    async def create(self, run: NewRun, now: datetime) -> SurveyRun:
        row = await self._s.fetchone(
            "INSERT INTO survey_runs (participant_id, survey, wave, enrollment_id, status, due_at, created_at)"
            " VALUES (?, ?, ?, ?, 'scheduled', ?, ?) RETURNING *",
            (run.participant_id, run.survey, run.wave, run.enrollment_id, to_db_time(run.due_at), to_db_time(now)),
        )
        assert row is not None
        return _run(row)

    async def get(self, run_id: int) -> SurveyRun | None:
        row = await self._s.fetchone("SELECT * FROM survey_runs WHERE id = ?", (run_id,))
        return None if row is None else _run(row)

    async def runs_of(self, participant_id: int) -> list[SurveyRun]:
        """Every survey the participant was or will be asked, oldest first."""
        rows = await self._s.fetchall(
            "SELECT * FROM survey_runs WHERE participant_id = ? ORDER BY id", (participant_id,)
        )
        return [_run(row) for row in rows]

    async def answers(self, run_id: int) -> list[StoredAnswer]:
        """The run's answers in the order they were given."""
        rows = await self._s.fetchall(
            "SELECT question, kind, value, answered_at FROM survey_answers WHERE run_id = ?"
            " ORDER BY answered_at, question",
            (run_id,),
        )
        return [
            StoredAnswer(
                row["question"],
                row["kind"],
                None if row["value"] is None else json.loads(row["value"]),
                from_db_time(row["answered_at"]),
            )
            for row in rows
        ]

    async def checkins_of(self, participant_id: int) -> list[CheckIn]:
        rows = await self._s.fetchall(
            "SELECT run_id, enrollment_id, wave, status, answered_at FROM employment_checkins"
            " WHERE participant_id = ? ORDER BY answered_at, run_id",
            (participant_id,),
        )
        return [
            CheckIn(row["run_id"], row["enrollment_id"], row["wave"], row["status"], from_db_time(row["answered_at"]))
            for row in rows
        ]

    async def active(self, participant_id: int) -> SurveyRun | None:
        row = await self._s.fetchone(
            "SELECT * FROM survey_runs WHERE participant_id = ? AND status = 'active'", (participant_id,)
        )
        return None if row is None else _run(row)

    async def next_due(self, participant_id: int, now: datetime) -> SurveyRun | None:
        """The participant's scheduled survey whose time has come, oldest first (surveys wait their turn)."""
        row = await self._s.fetchone(
            "SELECT * FROM survey_runs WHERE participant_id = ? AND status = 'scheduled' AND due_at <= ?"
            " ORDER BY due_at, id LIMIT 1",
            (participant_id, to_db_time(now)),
        )
        return None if row is None else _run(row)

    async def waiting_participants(self, now: datetime, limit: int) -> list[int]:
        """Participants with a survey due and none running."""
        rows = await self._s.fetchall(
            "SELECT DISTINCT r.participant_id FROM survey_runs r"
            " WHERE r.status = 'scheduled' AND r.due_at <= ?"
            " AND NOT EXISTS (SELECT 1 FROM survey_runs a WHERE a.participant_id = r.participant_id"
            " AND a.status = 'active') LIMIT ?",
            (to_db_time(now), limit),
        )
        return [int(row[0]) for row in rows]

    async def overdue(self, now: datetime, limit: int) -> list[SurveyRun]:
        """Running surveys past their expiry time."""
        rows = await self._s.fetchall(
            "SELECT * FROM survey_runs WHERE status = 'active' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
            (to_db_time(now), limit),
        )
        return [_run(row) for row in rows]

    async def expire_overdue(self, now: datetime, limit: int) -> list[tuple[int, int]]:
        """Expire up to `limit` running surveys past their expiry time, earliest first, in one statement; returns
        (run id, participant id) of each."""
        rows = await self._s.fetchall(
            "UPDATE survey_runs SET status = 'expired', question = NULL, selection = '[]', finished_at = ?"
            " WHERE id IN (SELECT id FROM survey_runs WHERE status = 'active' AND expires_at <= ?"
            " ORDER BY expires_at, id LIMIT ?) RETURNING id, participant_id",
            (to_db_time(now), to_db_time(now), limit),
        )
        return [(int(row[0]), int(row[1])) for row in rows]

    async def first_due(self, participant_ids: Sequence[int], now: datetime) -> list[DueRun]:
        """For each of the participants with no survey running: their oldest due survey (as `next_due`), read in
        one statement with its recipient, course title and answers so far."""
        if not participant_ids:
            return []
        marks = ", ".join("?" for _ in participant_ids)
        rows = await self._s.fetchall(
            "SELECT r.*, p.telegram_user_id AS recipient, p.province_code AS province, c.title AS course_title,"  # noqa: S608 (fixed text)
            " (SELECT COUNT(*) FROM survey_answers a WHERE a.run_id = r.id) AS answered"
            " FROM (SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.participant_id ORDER BY s.due_at, s.id) AS turn"
            " FROM survey_runs s WHERE s.status = 'scheduled' AND s.due_at <= ?"
            f" AND s.participant_id IN ({marks}) AND NOT EXISTS (SELECT 1 FROM survey_runs o"
            " WHERE o.participant_id = s.participant_id AND o.status = 'active')) r"
            " JOIN participants p ON p.id = r.participant_id"
            " LEFT JOIN enrollments e ON e.id = r.enrollment_id LEFT JOIN courses c ON c.id = e.course_id"
            " WHERE r.turn = 1 ORDER BY r.participant_id",
            (to_db_time(now), *participant_ids),
        )
        return [
            DueRun(_run(row), row["recipient"], row["province"], row["course_title"], int(row["answered"]))
            for row in rows
        ]

    async def start_many(self, starts: Sequence[tuple[int, str, datetime]], now: datetime) -> int:
        """`start` for several runs, (run id, question, expiry) each, in one round trip."""
        return await self._s.executemany(
            "UPDATE survey_runs SET status = 'active', question = ?, started_at = COALESCE(started_at, ?),"
            " expires_at = ? WHERE id = ?",
            [(question, to_db_time(now), to_db_time(expires_at), run_id) for run_id, question, expires_at in starts],
        )

    async def finish_many(self, run_ids: Sequence[int], status: str, now: datetime) -> int:
        """`finish` for several runs in one round trip."""
        return await self._s.executemany(
            "UPDATE survey_runs SET status = ?, question = NULL, selection = '[]', finished_at = ? WHERE id = ?",
            [(status, to_db_time(now), run_id) for run_id in run_ids],
        )

    async def start(self, run_id: int, question: str, now: datetime, expires_at: datetime) -> None:
        """Make the run the participant's active survey, at `question` (a paused run keeps its answers)."""
        await self._s.execute(
            "UPDATE survey_runs SET status = 'active', question = ?, started_at = COALESCE(started_at, ?),"
            " expires_at = ? WHERE id = ?",
            (question, to_db_time(now), to_db_time(expires_at), run_id),
        )

    async def pause(self, run_id: int) -> None:
        """Back to waiting its turn, where it was (another survey goes first)."""
        await self._s.execute("UPDATE survey_runs SET status = 'scheduled' WHERE id = ?", (run_id,))

    async def move_to(self, run_id: int, question: str) -> None:
        await self._s.execute("UPDATE survey_runs SET question = ?, selection = '[]' WHERE id = ?", (question, run_id))

    async def set_selection(self, run_id: int, selection: list[str]) -> None:
        await self._s.execute("UPDATE survey_runs SET selection = ? WHERE id = ?", (json.dumps(selection), run_id))

    async def finish(self, run_id: int, status: str, now: datetime) -> None:
        await self._s.execute(
            "UPDATE survey_runs SET status = ?, question = NULL, selection = '[]', finished_at = ? WHERE id = ?",
            (status, to_db_time(now), run_id),
        )

    async def cancel_open(self, participant_id: int, now: datetime) -> list[int]:
        """Cancel every survey of the participant not yet over (their data is being erased); returns the run ids."""
        rows = await self._s.fetchall(
            "UPDATE survey_runs SET status = 'cancelled', question = NULL, selection = '[]', finished_at = ?"
            " WHERE participant_id = ? AND status IN ('scheduled', 'active') RETURNING id",
            (to_db_time(now), participant_id),
        )
        return [int(row[0]) for row in rows]

    async def save_answer(self, run_id: int, question: str, kind: str, value: Any, now: datetime) -> None:
        """An answer (None when skipped); answering a question again replaces the earlier answer."""
        await self._s.execute(
            "INSERT INTO survey_answers (run_id, question, kind, value, answered_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (run_id, question) DO UPDATE SET kind = excluded.kind, value = excluded.value,"
            " answered_at = excluded.answered_at",
            (run_id, question, kind, None if value is None else json.dumps(value, ensure_ascii=False), to_db_time(now)),
        )

    async def answer_count(self, run_id: int) -> int:
        return int(await self._s.fetchval("SELECT COUNT(*) FROM survey_answers WHERE run_id = ?", (run_id,)))

    async def erase_free_text(self, participant_id: int) -> int:
        """Free-text answers may name people and places: they go when the participant erases their data."""
        return await self._s.execute(
            "DELETE FROM survey_answers WHERE kind = 'text'"
            " AND run_id IN (SELECT id FROM survey_runs WHERE participant_id = ?)",
            (participant_id,),
        )

    async def record_checkin(self, run: SurveyRun, status: str, now: datetime) -> None:
        """The employment status answered in a check-in; a corrected answer in the same run replaces it."""
        await self._s.execute(
            "INSERT INTO employment_checkins (run_id, participant_id, enrollment_id, wave, status, answered_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET status = excluded.status,"
            " answered_at = excluded.answered_at",
            (run.id, run.participant_id, run.enrollment_id, run.wave, status, to_db_time(now)),
        )
