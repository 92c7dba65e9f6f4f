"""The reports benchmark runs end to end on a small synthetic database (structure and counts only; no timings)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bench.common import VAULT, BenchFailure
from bench.reports import (
    LANGUAGE,
    NOW,
    _db_time,
    check_figures,
    check_workbook,
    expected_figures,
    figures,
    run,
)
from bot.config import Settings
from bot.i18n import Translations
from bot.services import report_files
from bot.services.provinces import ProvinceCatalog
from bot.services.survey_catalog import SurveyCatalog
from bot.storage.connect import open_database
from bot.storage.db import to_db_time

LINE_KEYS = [
    "bench",
    "participants",
    "checkins",
    "runs",
    "summary_s",
    "workbook_s",
    "chart_s",
    "workbook_mb",
    "workbook_loop_stall_ms",
    "aim_summary_s",
    "aim_workbook_s",
    "met",
    "summary_only_s",
    "breakdown_s",
    "asked",
    "enrollments",
    "answers",
    "sheet_rows",
    "seed_s",
]
SIZE = 300


async def test_reports_benchmark_smoke(tmp_path: Path) -> None:
    lines = await run(SIZE, workdir=tmp_path)

    line, machine = lines
    assert list(line) == LINE_KEYS
    assert line["bench"] == "reports"
    assert line["participants"] == SIZE
    for key in (
        "summary_s",
        "workbook_s",
        "chart_s",
        "workbook_mb",
        "workbook_loop_stall_ms",
        "summary_only_s",
        "seed_s",
    ):
        assert isinstance(line[key], float)
    assert set(line["breakdown_s"]) == {"course", "institute", "province"}
    assert (line["aim_summary_s"], line["aim_workbook_s"]) == (5, 60)
    assert isinstance(line["met"], bool)
    assert machine["bench"] == "reports"
    assert set(machine["machine"]) >= {"platform", "python", "cpu_count"}
    for found in lines:
        assert json.loads(json.dumps(found)) == found

    # The figures reported are those of the database, counted with plain SQL.
    db_path = tmp_path / f"reports-{SIZE}.db"
    expected = expected_figures(db_path)
    assert (line["checkins"], line["runs"]) == (expected.checkins, expected.runs)
    assert (line["enrollments"], line["answers"]) == (expected.enrollments, expected.answers)
    assert line["asked"] == sum(w.asked for w in expected.waves.values())
    assert line["sheet_rows"] == {"participants": SIZE + 1, "checkins": expected.checkins + 1}
    totals = expected.totals
    assert totals.registered == SIZE
    assert 0 < totals.dropped < totals.completed < totals.enrolled < SIZE
    assert totals.completions >= totals.completed
    for wave in expected.waves.values():
        assert 0 < wave.employed < wave.answered <= wave.asked
        assert 0 < wave.recruiting < wave.answered
    # Check-ins the participants started themselves are in the workbook but not in the waves.
    assert expected.checkins > sum(w.answered for w in expected.waves.values())
    with closing(sqlite3.connect(db_path)) as conn:
        states = conn.execute(
            "SELECT COUNT(DISTINCT province_code), SUM(nik IS NULL), SUM(erased_at IS NOT NULL),"
            " SUM(nik LIKE 'v1.%' AND length(nik_masked) = 16), COUNT(DISTINCT nik_index), SUM(full_name IS NULL)"
            " FROM participants"
        ).fetchone()
        provinces, no_nik, erased, niks, distinct, nameless = states
        assert provinces > 25
        assert no_nik == erased == nameless and niks == distinct == SIZE - erased
        statuses = {row[0] for row in conn.execute("SELECT DISTINCT status FROM employment_checkins")}
        assert len(statuses) == 6
        assert conn.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] > 0
        assert conn.execute("SELECT COUNT(DISTINCT course_id) FROM enrollments").fetchone()[0] > 100
        assert conn.execute("SELECT COUNT(*) FROM institutes").fetchone()[0] == 40
        # The latest check-in is on the participant.
        stale = conn.execute(
            "SELECT COUNT(*) FROM participants p WHERE p.employment_status IS NOT"
            " (SELECT c.status FROM employment_checkins c WHERE c.participant_id = p.id"
            " ORDER BY c.answered_at DESC LIMIT 1)"
        ).fetchone()[0]
        assert stale == 0

    # The checks accept what the bot reports, and reject figures that are not the database's.
    catalog = ProvinceCatalog.load()
    summary, groups = await figures(db_path, catalog)
    check_figures(summary, groups, expected)
    wrong = replace(expected, totals=replace(expected.totals, completions=expected.totals.completions + 1))
    with pytest.raises(BenchFailure, match="completions"):
        check_figures(summary, groups, wrong)
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute(
            "DELETE FROM employment_checkins WHERE run_id = (SELECT MIN(run_id) FROM employment_checkins"
            " WHERE wave = 'd90')"
        )
    summary, groups = await figures(db_path, catalog)
    with pytest.raises(BenchFailure, match="waves"):
        check_figures(summary, groups, expected)  # the answers counted before the row went
    check_figures(summary, groups, expected_figures(db_path))

    # The workbook check counts the rows of the sheets.
    t = Translations(LANGUAGE).get(LANGUAGE)
    db = await open_database(db_path)
    try:
        surveys = SurveyCatalog.load(Settings(_env_file=None).surveys_dir)
        content = await report_files.workbook(db, t, summary, groups, surveys, unmask_with=None)
        full = await report_files.workbook(db, t, summary, groups, surveys, unmask_with=VAULT)
    finally:
        await db.close()
    rows = check_workbook(content, t, SIZE, expected.checkins - 1)
    assert rows["participants"] == SIZE + 1
    with pytest.raises(BenchFailure, match="check-ins sheet has"):
        check_workbook(content, t, SIZE, expected.checkins)
    with pytest.raises(BenchFailure, match="participants sheet has"):
        check_workbook(content, t, SIZE + 1, expected.checkins - 1)
    with pytest.raises(BenchFailure, match="NIK"):
        check_workbook(full, t, SIZE, expected.checkins - 1)  # a NIK not masked


def test_database_times_are_written_as_the_bot_writes_them() -> None:
    for moment in (NOW, NOW + timedelta(microseconds=7), NOW - timedelta(days=400, seconds=1)):
        assert _db_time(moment) == to_db_time(moment)


async def test_reports_benchmark_rejects_impossible_sizes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="participants"):
        await run(0, workdir=tmp_path)
