"""The database layer: migrations, pragmas, transactions."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.storage.connect import open_database
from bot.storage.db import load_migrations, split_statements
from bot.storage.participants import NewParticipant
from bot.storage.store import Store
from tests.backends import database_url
from tests.keys import VAULT

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def new_participant(telegram_user_id: int = 1, nik: str = "3201015501900001") -> NewParticipant:
    return NewParticipant(
        telegram_user_id=telegram_user_id,
        full_name="Siti",
        nik=nik,
        birth_date=date(1990, 1, 15),
        gender="F",
        kpj=None,
        phone="+6281234567890",
        province_code="32",
        regency="Kota Bandung",
        last_employer="PT A",
        phk_date=date(2026, 3, 15),
        education="sma",
        needs_verification=False,
        consent_at=NOW,
        consent_version="v1",
    )


async def test_migrations_apply_once_and_are_recorded(tmp_path: Path) -> None:
    db = await open_database(database_url(tmp_path / "a.db"))
    try:
        first = await db.migrate()
        assert first == [f"{m.version:04d}_{m.name}" for m in load_migrations()]
        assert await db.migrate() == []
        async with db.reading() as session:
            if db.dialect == "sqlite":
                assert await session.fetchval("PRAGMA journal_mode") == "wal"
                assert await session.fetchval("PRAGMA foreign_keys") == 1
                assert await session.fetchval("PRAGMA busy_timeout") == 5000
            versions = [row[0] for row in await session.fetchall("SELECT version FROM schema_migrations")]
        assert versions == [m.version for m in load_migrations()]
        assert await db.integrity_check() == "ok"
    finally:
        await db.close()


@pytest.mark.sqlite_only
async def test_database_file_is_private(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "data" / "b.db")
    await db.close()
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "b.db").st_mode) == 0o600


async def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    db = await open_database(database_url(tmp_path / "c.db"))
    await db.migrate()
    store = Store(db, VAULT)
    try:

        async def crash_halfway() -> None:
            async with store.write() as unit:
                await unit.participants.create(new_participant(), NOW)
                raise RuntimeError("crash halfway")

        with pytest.raises(RuntimeError):
            await crash_halfway()
        async with store.read() as unit:
            assert await unit.participants.count() == 0
        async with store.write() as unit:
            created = await unit.participants.create(new_participant(), NOW)
        assert created.birth_year == 1990 and created.registered_at == NOW
    finally:
        await db.close()


async def test_update_accepts_only_editable_columns(tmp_path: Path) -> None:
    db = await open_database(database_url(tmp_path / "d.db"))
    await db.migrate()
    store = Store(db, VAULT)
    try:
        async with store.write() as unit:
            created = await unit.participants.create(new_participant(), NOW)
            with pytest.raises(ValueError, match="not editable"):
                await unit.participants.update(created.id, {"consent_at": NOW}, NOW)
            updated = await unit.participants.update(created.id, {"education": "s1", "kpj": None}, NOW)
        assert updated.education == "s1"
    finally:
        await db.close()


def test_split_statements_keeps_semicolons_inside_strings() -> None:
    script = "-- a comment\nCREATE TABLE t (x TEXT DEFAULT ';');\n\nINSERT INTO t VALUES ('a;b');\n"
    assert split_statements(script) == [
        "CREATE TABLE t (x TEXT DEFAULT ';');",
        "INSERT INTO t VALUES ('a;b');",
    ]
    with pytest.raises(ValueError, match="incomplete"):
        split_statements("CREATE TABLE t (x TEXT")


async def test_rebuilding_the_enrolments_table_keeps_rows_and_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0004 changes `enrollments` (a new CHECK: SQLite rebuilds the table, PostgreSQL alters it) under
    rows that attendance rows point at."""
    db = await open_database(database_url(tmp_path / "old.db"))
    before = [m for m in load_migrations(db.dialect) if m.version < 4]
    monkeypatch.setattr("bot.storage.db.load_migrations", lambda dialect: before)
    await db.migrate()
    async with db.transaction() as session:
        await session.execute(
            "INSERT INTO participants (telegram_user_id, province_code, phk_date, education, consent_at,"
            " consent_version, registered_at, updated_at) VALUES (1, '32', '2026-03-01', 'sma', 'x', 'v1', 'x', 'x')"
        )
        await session.execute("INSERT INTO institutes (name, city) VALUES ('LPK', 'Kota')")
        await session.execute(
            "INSERT INTO courses (code, title, category, institute_id, regency, province_code, venue_address,"
            " timezone, capacity, registration_deadline, status, created_at, updated_at)"
            " VALUES ('K1', 'K', 'C', 1, 'R', '32', 'A', 'Asia/Jakarta', 5, 'x', 'open', 'x', 'x')"
        )
        await session.execute(
            "INSERT INTO course_sessions (course_id, position, starts_at, ends_at, topic) VALUES (1, 1, 'a', 'b', 'T')"
        )
        await session.execute(
            "INSERT INTO enrollments (participant_id, course_id, status, created_at, updated_at)"
            " VALUES (1, 1, 'enrolled', 'c', 'u'), (1, 1, 'cancelled', 'c2', 'u2')"
        )
        await session.execute("INSERT INTO attendance VALUES (1, 1, 'yes', 'x')")
    monkeypatch.undo()

    assert await db.migrate() == [f"{m.version:04d}_{m.name}" for m in load_migrations() if m.version >= 4]
    async with db.reading() as session:
        rows = await session.fetchall("SELECT id, status, created_at, finished_at FROM enrollments ORDER BY id")
        assert [tuple(row) for row in rows] == [(1, "enrolled", "c", None), (2, "cancelled", "c2", None)]
    async with db.transaction() as session:
        # New rows still get new ids (PostgreSQL: the identity column kept counting).
        await session.execute(
            "INSERT INTO enrollments (participant_id, course_id, status, created_at, updated_at)"
            " VALUES (1, 1, 'dropped', 'c3', 'u3')"
        )
        assert await session.fetchval("SELECT MAX(id) FROM enrollments") == 3
    if db.dialect != "sqlite":
        async with db.transaction() as session:
            with pytest.raises(asyncpg.ForeignKeyViolationError):
                await session.execute("INSERT INTO attendance VALUES (99, 1, 'yes', 'x')")
        await db.close()
        return
    async with db.reading() as session:
        assert await session.fetchall("PRAGMA foreign_key_check") == []
        assert await session.fetchval("PRAGMA foreign_keys") == 1  # switched back on after the rebuild
        indexes = {row[0] for row in await session.fetchall("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"enrollments_live", "enrollments_course_status", "enrollments_participant"} <= indexes
    async with db.transaction() as session:
        await session.execute("UPDATE enrollments SET status = 'completed' WHERE id = 1")  # the new status
        with pytest.raises(sqlite3.IntegrityError):  # references are enforced again
            await session.execute("INSERT INTO attendance VALUES (99, 1, 'yes', 'x')")
    await db.close()
