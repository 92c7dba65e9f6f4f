"""The PostgreSQL session's translations, and what its errors leave out (NIKs and phone numbers in parameters)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.storage.connect import open_database
from bot.storage.db import load_migrations
from bot.storage.participants import NewParticipant
from bot.storage.postgres import ParameterError, _number, changed_rows, pg_sql
from bot.storage.store import Store
from tests.backends import database_url
from tests.keys import VAULT

NIK = "3201015501900001"


def test_placeholders_are_numbered_outside_quotes_and_comments() -> None:
    assert pg_sql("SELECT ? , '?' , \"a?\" , ? -- what?\n, ?") == "SELECT $1 , '?' , \"a?\" , $2 -- what?\n, $3"
    assert pg_sql("SELECT 1") == "SELECT 1"
    assert pg_sql("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1"


def test_changed_rows_come_from_the_command_tag() -> None:
    assert [changed_rows(tag) for tag in ("INSERT 0 5", "UPDATE 3", "DELETE 0", "SELECT 7", "CREATE TABLE")] == [
        5, 3, 0, 0, 0,
    ]  # fmt: skip


def test_numeric_results_read_as_sqlite_gives_them() -> None:
    assert _number("12") == 12 and isinstance(_number("12"), int)
    assert _number("0.5000000000") == 0.5
    assert isinstance(_number("2.0000"), float)


@pytest.mark.postgresql_only
async def test_errors_do_not_carry_parameter_values(tmp_path: Path) -> None:
    db = await open_database(database_url(tmp_path / "errors.db"))
    try:
        await db.migrate()
        async with db.transaction() as session:
            with pytest.raises(ParameterError) as refused:
                await session.fetchval("SELECT id FROM participants WHERE nik = ?", (int(NIK),))
        assert NIK not in str(refused.value) and "participants" in str(refused.value)
        async with db.transaction() as session:
            with pytest.raises(ParameterError) as refused:
                await session.fetchval("SELECT CAST(? AS BIGINT)", ("+6281234567890x",))
        assert "6281234567890" not in str(refused.value)

        now = datetime(2026, 11, 23, tzinfo=UTC)
        person = NewParticipant(
            telegram_user_id=1, full_name="Siti", nik=NIK, birth_date=date(1990, 1, 15), gender="F", kpj=None,
            phone="+6281234567890", province_code="32", regency="Kota Bandung", last_employer="PT A",
            phk_date=date(2026, 3, 15), education="sma", needs_verification=False, consent_at=now, consent_version="v1",
        )  # fmt: skip
        store = Store(db, VAULT)
        async with store.write() as unit:
            await unit.participants.create(person, now)
        with pytest.raises(asyncpg.UniqueViolationError) as duplicate:
            async with store.write() as unit:
                await unit.participants.create(replace(person, telegram_user_id=2), now)
        assert NIK not in str(duplicate.value) and "participants_nik_index" in str(duplicate.value)  # the blind index
    finally:
        await db.close()


@pytest.mark.postgresql_only
async def test_instances_starting_together_apply_each_migration_once(tmp_path: Path) -> None:
    url = database_url(tmp_path / "together.db")
    first, second = await open_database(url), await open_database(url)
    try:
        applied = await asyncio.gather(first.migrate(), second.migrate())
        names = sorted(applied[0] + applied[1])
        assert names == sorted(f"{m.version:04d}_{m.name}" for m in load_migrations("postgresql"))
        async with first.reading() as session:
            assert await session.fetchval("SELECT COUNT(*) FROM schema_migrations") == len(names)
    finally:
        await first.close()
        await second.close()
