"""The catalogue benchmark runs end to end with a small catalogue and a few users (structure only; no timings)."""

from __future__ import annotations

import argparse
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bench.catalogue import (
    SESSIONS_PER_COURSE,
    BenchFailure,
    PlannedCourse,
    Target,
    check_enrolled,
    run,
    think_range,
)

IMPORT_KEYS = ["bench", "courses", "sessions", "import_s", "reimport_s"]
INTERACTION_KEYS = ["bench", "users", "think_s", "interactions", "interactions_per_s", "p50_ms", "p95_ms", "p99_ms"]


async def test_catalogue_benchmark_smoke(tmp_path: Path) -> None:
    courses, users = 20, 3
    lines = await run(courses, users, workdir=tmp_path)

    imported, interactions, machine = lines
    assert list(imported) == IMPORT_KEYS
    assert imported["bench"] == "catalogue"
    assert imported["courses"] == courses
    assert imported["sessions"] == courses * SESSIONS_PER_COURSE
    assert isinstance(imported["import_s"], float)
    assert isinstance(imported["reimport_s"], float)
    assert list(interactions) == INTERACTION_KEYS
    assert interactions["bench"] == "catalogue"
    assert interactions["users"] == users
    # /pelatihan, two more pages, a course's details, "Daftar", confirm.
    assert interactions["interactions"] == 6 * users
    for key in ("interactions_per_s", "p50_ms", "p95_ms", "p99_ms"):
        assert isinstance(interactions[key], float)
    assert machine["bench"] == "catalogue"
    assert set(machine["machine"]) >= {"platform", "python", "cpu_count"}
    for line in lines:
        assert json.loads(json.dumps(line)) == line

    # The files are kept in the work directory: the catalogue as imported, and the enrolments it led to.
    assert (tmp_path / "catalogue.csv").read_bytes().startswith(b"kode,judul,kategori")
    with closing(sqlite3.connect(tmp_path / "bench.db")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM courses").fetchone() == (courses,)
        assert conn.execute("SELECT COUNT(*) FROM course_sessions").fetchone() == (courses * SESSIONS_PER_COURSE,)
        enrolments = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT e.participant_id), COUNT(DISTINCT e.course_id) FROM enrollments e"
            " WHERE e.status = 'enrolled'"
        ).fetchone()
        assert enrolments == (users, users, users)
        assert conn.execute("SELECT COUNT(*) FROM enrollments").fetchone() == (users,)
        plan = [
            Target(int(user_id), int(course_id), PlannedCourse("-", "-", ()))  # only the ids are checked
            for user_id, course_id in conn.execute(
                "SELECT p.telegram_user_id, e.course_id FROM enrollments e"
                " JOIN participants p ON p.id = e.participant_id"
            )
        ]

    # The final check accepts exactly this state, and rejects a missing or an extra enrolment.
    check_enrolled(tmp_path / "bench.db", plan)
    with pytest.raises(BenchFailure, match="enrolments for"):
        check_enrolled(tmp_path / "bench.db", [*plan, Target(plan[0].user_id + 999, plan[0].course_id, plan[0].course)])
    with closing(sqlite3.connect(tmp_path / "bench.db")) as conn, conn:
        conn.execute("UPDATE enrollments SET status = 'waitlisted' WHERE id = (SELECT MIN(id) FROM enrollments)")
    with pytest.raises(BenchFailure, match="statuses"):
        check_enrolled(tmp_path / "bench.db", plan)


async def test_catalogue_benchmark_rejects_impossible_sizes() -> None:
    with pytest.raises(ValueError, match="courses"):
        await run(courses=5, users=1)
    with pytest.raises(ValueError, match="user"):
        await run(courses=20, users=21)


async def test_catalogue_benchmark_with_people_reading_between_taps(tmp_path: Path) -> None:
    _, interactions, _ = await run(20, 2, workdir=tmp_path, think=(0.01, 0.02))
    assert interactions["think_s"] == [0.01, 0.02]
    assert interactions["interactions"] == 12


def test_think_range_is_read_from_the_command_line() -> None:
    assert think_range("1-3") == (1.0, 3.0)
    assert think_range("0-0") == (0.0, 0.0)
    for wrong in ("3-1", "1", "a-b", "-1-2"):
        with pytest.raises(argparse.ArgumentTypeError):
            think_range(wrong)
