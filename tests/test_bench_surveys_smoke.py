"""The surveys benchmark runs end to end with a few small courses (structure and counts only; no timings)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bench.surveys import BenchFailure, check_database, run

SCHEDULING_KEYS = [
    "bench",
    "participants",
    "courses",
    "complete_course_s",
    "complete_course_p50_ms",
    "complete_course_p95_ms",
    "tick_s",
    "tick_batch",
    "tick_transactions",
    "tick_transaction_p50_ms",
    "tick_transaction_max_ms",
    "chat_messages",
    "chat_p50_ms",
    "chat_p95_ms",
    "chat_max_ms",
    "checkins_started",
    "outbox_pending",
]
ANSWER_KEYS = ["bench", "answers", "answer_calls", "answers_per_s", "p50_ms", "p95_ms", "p99_ms"]


async def test_surveys_benchmark_smoke(tmp_path: Path) -> None:
    participants, course_size, answers = 60, 20, 10
    lines = await run(participants, course_size, answers, workdir=tmp_path)

    scheduling, answering, machine = lines
    assert list(scheduling) == SCHEDULING_KEYS
    assert scheduling["bench"] == "surveys"
    assert scheduling["participants"] == participants
    assert scheduling["courses"] == participants // course_size
    for key in ("complete_course_s", "complete_course_p50_ms", "complete_course_p95_ms", "tick_s"):
        assert isinstance(scheduling[key], float)
    assert scheduling["checkins_started"] == participants
    # The tick's transactions were timed, and a person chatted meanwhile.
    assert scheduling["tick_transactions"] >= 1
    assert scheduling["chat_messages"] >= 1
    for key in ("tick_transaction_p50_ms", "tick_transaction_max_ms", "chat_p50_ms", "chat_p95_ms", "chat_max_ms"):
        assert isinstance(scheduling[key], float)
    # Each check-in started by the tick queues its first question and a nudge.
    assert scheduling["outbox_pending"] == 2 * participants
    assert list(answering) == ANSWER_KEYS
    assert answering["bench"] == "surveys"
    assert answering["answers"] == answers
    assert answering["answer_calls"] == 2 * answers
    for key in ("answers_per_s", "p50_ms", "p95_ms", "p99_ms"):
        assert isinstance(answering[key], float)
    assert machine["bench"] == "surveys"
    assert set(machine["machine"]) >= {"platform", "python", "cpu_count"}
    for line in lines:
        assert json.loads(json.dumps(line)) == line

    # The database is kept in the work directory, with what the steps left behind.
    db_path = tmp_path / "bench.db"
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM participants").fetchone() == (participants,)
        assert conn.execute("SELECT status, COUNT(*) FROM courses GROUP BY status").fetchall() == [
            ("finished", participants // course_size)
        ]
        assert conn.execute("SELECT status, COUNT(*) FROM enrollments GROUP BY status").fetchall() == [
            ("completed", participants)
        ]
        # Per participant: the satisfaction survey (expired unanswered) and the d30, d90 and d180 check-ins.
        assert dict(conn.execute("SELECT wave, COUNT(*) FROM survey_runs GROUP BY wave").fetchall()) == {
            "completion": participants,
            "d30": participants,
            "d90": participants,
            "d180": participants,
        }
        assert conn.execute(
            "SELECT COUNT(*) FROM survey_runs WHERE wave = 'completion' AND status = 'expired'"
        ).fetchone() == (participants,)
        assert conn.execute(
            "SELECT COUNT(*) FROM survey_runs WHERE wave = 'd30' AND status IN ('active', 'completed')"
        ).fetchone() == (participants,)
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT run_id) FROM survey_answers").fetchone() == (
            2 * answers,
            answers,
        )
        statuses = dict(conn.execute("SELECT status, COUNT(*) FROM employment_checkins GROUP BY status").fetchall())
        assert sum(statuses.values()) == answers
        assert set(statuses) == {"previous_employer", "new_employer", "training"}
        # A typed month is stored as YYYY-MM.
        assert conn.execute("SELECT DISTINCT value FROM survey_answers WHERE question = 'start_month'").fetchall() == [
            ('"2026-11"',)
        ]

    # The final check accepts exactly this state, and says what is missing otherwise.
    check_database(db_path, participants, answers)
    with pytest.raises(BenchFailure, match="survey answers"):
        check_database(db_path, participants, answers + 1)
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("UPDATE enrollments SET status = 'dropped' WHERE id = (SELECT MIN(id) FROM enrollments)")
    with pytest.raises(BenchFailure, match="without a completed enrolment"):
        check_database(db_path, participants, answers)


@pytest.mark.parametrize(
    ("participants", "course_size", "answers", "message"),
    [
        (10, 20, 1, "participants >= course size"),
        (30, 20, 1, "multiple of the course size"),
        (20, 0, 1, "course size"),
        (20, 20, 21, "answers"),
        (20, 20, 0, "answers"),
    ],
)
async def test_surveys_benchmark_rejects_impossible_sizes(
    participants: int, course_size: int, answers: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        await run(participants, course_size, answers)
