"""The broadcast, reports, delivery and catalogue benchmarks on PostgreSQL, small: the same keys plus "backend"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bench import broadcast, catalogue, delivery, reports
from bench.catalogue import INTERACTIONS_PER_USER, MIN_COURSES
from bench.common import PostgresRun
from tests.backends import Backend

pytestmark = pytest.mark.postgresql_only


def postgres_run() -> PostgresRun:
    assert Backend.postgres is not None
    return PostgresRun(Backend.postgres.admin_url)


async def test_broadcast_bench_on_postgresql(tmp_path: Path) -> None:
    sqlite_lines = await broadcast.run([300], workdir=tmp_path / "sqlite")
    async with postgres_run() as postgres:
        lines = await broadcast.run([300], workdir=tmp_path / "pg", postgres=postgres)
    line, on_sqlite = lines[0], sqlite_lines[0]
    assert list(line) == [*on_sqlite, "backend"] and line["backend"] == "postgresql"
    for key in ("participants", "recipients", "filtered_recipients"):
        assert line[key] == on_sqlite[key]


async def test_reports_bench_on_postgresql(tmp_path: Path) -> None:
    async with postgres_run() as postgres:
        lines = await reports.run(300, workdir=tmp_path, postgres=postgres)
    line = lines[0]
    assert line["backend"] == "postgresql" and line["participants"] == 300
    assert line["sheet_rows"]["participants"] == 301


async def test_delivery_bench_on_postgresql(tmp_path: Path) -> None:
    async with postgres_run() as postgres:
        lines = await delivery.run(
            40,
            2,
            server_limit=100,
            concurrencies=(8,),
            cases=("unlimited", "interactive"),
            workdir=tmp_path,
            postgres=postgres,
        )
    unlimited, interactive, machine = lines
    assert (unlimited["case"], unlimited["backend"]) == ("unlimited", "postgresql")
    assert (interactive["case"], interactive["backend"]) == ("interactive", "postgresql")
    assert "backend" not in machine


async def test_catalogue_bench_on_postgresql(tmp_path: Path) -> None:
    async with postgres_run() as postgres:
        imported, browsed, machine = await catalogue.run(MIN_COURSES, 3, workdir=tmp_path, postgres=postgres)
    assert browsed["backend"] == "postgresql" and browsed["interactions"] == 3 * INTERACTIONS_PER_USER
    assert "backend" not in imported and "backend" not in machine  # the import is SQLite's in both runs
    # The enrolments made on PostgreSQL were brought back and checked (run raises otherwise): three, in the file.
    assert sqlite3.connect(tmp_path / "bench.db").execute("SELECT COUNT(*) FROM enrollments").fetchone() == (3,)
