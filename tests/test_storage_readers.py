"""Readers beside the writer: reads never wait for a write transaction, see what was committed before them, and
the read-only connections are bounded, refuse writes and close cleanly."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.connect import open_database
from bot.storage.db import Database, Session
from bot.storage.sqlite import READERS, SqliteDatabase
from tests.backends import database_url

# Generous: a read that waited for the writer would never finish; this only turns a hang into a failure.
HANG_S = 10.0


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(database_url(tmp_path / "readers.db"))
    await database.migrate()
    async with database.transaction() as session:
        await session.execute("CREATE TABLE scratch (n INTEGER NOT NULL)")
    try:
        yield database
    finally:
        await database.close()


async def count_rows(db: Database) -> int:
    async with db.reading() as session:
        return int(await session.fetchval("SELECT COUNT(*) FROM scratch"))


async def add_row(session: Session, n: int) -> None:
    await session.execute("INSERT INTO scratch (n) VALUES (?)", (n,))


async def test_a_read_does_not_wait_for_an_open_write_transaction(db: Database) -> None:
    """While one write transaction is open and others queue behind it, a read is answered, without the
    uncommitted row; once committed, the next read sees it."""
    release = asyncio.Event()
    inside = asyncio.Event()

    async def slow_write() -> None:
        async with db.transaction() as session:
            await add_row(session, 1)
            inside.set()
            await release.wait()

    async def queued_write(telegram_user_id: int) -> None:
        async with db.transaction() as session:
            await add_row(session, telegram_user_id)

    writer = asyncio.create_task(slow_write())
    await inside.wait()
    queued = [asyncio.create_task(queued_write(100 + n)) for n in range(20)]  # more than the PostgreSQL pool
    await asyncio.sleep(0)
    try:
        assert await asyncio.wait_for(count_rows(db), HANG_S) == 0
    finally:
        release.set()
        await writer
        await asyncio.gather(*queued)
    assert await count_rows(db) == 21


async def test_a_coroutine_reads_its_own_committed_write(db: Database) -> None:
    for n in range(1, 30):
        async with db.transaction() as session:
            await add_row(session, n)
        assert await count_rows(db) == n


@pytest.mark.sqlite_only
async def test_reads_run_on_read_only_connections(db: Database) -> None:
    assert isinstance(db, SqliteDatabase)
    async with db.reading() as session:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await add_row(session, 1)
    assert db.readers_open == 1
    assert await count_rows(db) == 0


@pytest.mark.sqlite_only
async def test_the_reader_pool_is_bounded_and_reused(db: Database) -> None:
    assert isinstance(db, SqliteDatabase)
    inside = 0
    most = 0

    async def read() -> int:
        nonlocal inside, most
        async with db.reading() as session:
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0)
            value = int(await session.fetchval("SELECT COUNT(*) FROM schema_migrations"))
            inside -= 1
            return value

    results = await asyncio.gather(*(read() for _ in range(50)))
    assert len(set(results)) == 1 and results[0] > 0
    assert 1 <= most <= READERS
    assert 1 <= db.readers_open <= READERS


@pytest.mark.sqlite_only
async def test_a_cancelled_read_gives_its_connection_back(db: Database) -> None:
    """Reads cancelled while opening their connection, while holding it or while waiting for one."""
    assert isinstance(db, SqliteDatabase)
    holding = 0
    all_in = asyncio.Event()

    async def stuck_read() -> None:
        nonlocal holding
        async with db.reading():
            holding += 1
            if holding == READERS:
                all_in.set()
            await asyncio.Event().wait()

    opening = asyncio.create_task(stuck_read())
    await asyncio.sleep(0)  # its connection is being opened on aiosqlite's thread
    opening.cancel()
    tasks = [asyncio.create_task(stuck_read()) for _ in range(READERS + 2)]
    await all_in.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(opening, *tasks, return_exceptions=True)
    assert await asyncio.wait_for(count_rows(db), HANG_S) == 0
    assert db.readers_open == READERS


@pytest.mark.sqlite_only
async def test_close_waits_for_a_read_in_use_then_refuses_reads(tmp_path: Path) -> None:
    db = await SqliteDatabase.connect(tmp_path / "close.db")
    await db.migrate()  # the tables to read
    reading = asyncio.Event()
    finish = asyncio.Event()
    answered: list[int] = []

    async def long_read() -> None:
        async with db.reading() as session:
            reading.set()
            await finish.wait()
            answered.append(int(await session.fetchval("SELECT COUNT(*) FROM schema_migrations")))

    task = asyncio.create_task(long_read())
    await reading.wait()
    closing = asyncio.create_task(db.close())
    await asyncio.sleep(0)
    assert not closing.done()
    finish.set()
    await asyncio.wait_for(asyncio.gather(task, closing), HANG_S)
    assert answered and answered[0] > 0
    assert db.readers_open == 0
    with pytest.raises(RuntimeError, match="closed"):
        async with db.reading():
            pass


@pytest.mark.sqlite_only
async def test_an_in_memory_database_reads_on_its_one_connection() -> None:
    db = await SqliteDatabase.connect(":memory:")
    try:
        async with db.transaction() as session:
            await session.execute("CREATE TABLE scratch (n INTEGER NOT NULL)")
        async with db.transaction() as session:
            await add_row(session, 7)
        assert await count_rows(db) == 1
        assert db.readers_open == 0
    finally:
        await db.close()
