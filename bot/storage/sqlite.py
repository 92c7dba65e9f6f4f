"""SQLite, the default backend: pragmas, serialised transactions, the table-rebuild migrations, online backup.

One aiosqlite connection serves the whole process. aiosqlite runs every statement on one worker thread, but two
coroutines could still interleave their statements inside one transaction, so every unit of work holds a lock.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage.db import (
    SQLITE,
    STREAM_CHUNK,
    Database,
    Migration,
    Param,
    Row,
    Session,
    private_empty_file,
)


class SqliteSession(Session):
    """Each call is one round trip to aiosqlite's worker thread (execute_fetchall), since every round trip is
    made while the database lock is held."""

    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Param] = ()) -> int:
        before = self._conn.total_changes
        await self._conn.execute_fetchall(sql, params)
        return self._conn.total_changes - before

    async def executemany(self, sql: str, rows: Iterable[Sequence[Param]]) -> int:
        before = self._conn.total_changes
        cursor = await self._conn.executemany(sql, rows)
        await cursor.close()
        return self._conn.total_changes - before

    async def fetchall(self, sql: str, params: Sequence[Param] = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def stream(self, sql: str, params: Sequence[Param] = ()) -> AsyncIterator[Row]:
        cursor = await self._conn.execute(sql, params)
        cursor.arraysize = STREAM_CHUNK
        try:
            while rows := await cursor.fetchmany(STREAM_CHUNK):
                for row in rows:
                    yield row
        finally:
            await cursor.close()


class SqliteDatabase(Database):
    """The process's one connection to SQLite."""

    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(cls, path: Path | str) -> SqliteDatabase:
        """Open (creating if needed) the database file, readable by its owner only: it holds personal data."""
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                path.touch(mode=0o600)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000",
            "PRAGMA synchronous=NORMAL",
            # Deleted and overwritten values are zeroed in the file (and the WAL), not left in free space where a
            # copy of the file would still hold an erased participant's name (UU PDP erasure).
            "PRAGMA secure_delete=ON",
            # 64 MiB of page cache instead of 2 MiB: a broadcast to a million people writes a million index
            # entries in random key order, twice as fast with the pages at hand.
            "PRAGMA cache_size=-65536",
        ):
            await conn.execute(pragma)
        return cls(conn, path)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        """BEGIN IMMEDIATE takes the write lock up front instead of failing halfway."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteSession(self._conn)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Session]:
        """A read transaction on a connection of its own (WAL lets readers and the writer work at once)."""
        conn = await aiosqlite.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            await conn.execute("BEGIN")
            yield SqliteSession(conn)
            await conn.execute("COMMIT")
        finally:
            await conn.close()

    async def backup(self, target: Path) -> None:
        """SQLite's online backup API."""
        private_empty_file(target)
        async with self._lock:
            copy = await aiosqlite.connect(target)
            try:
                await self._conn.backup(copy)
            finally:
                await copy.close()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Session]:
        """The lock keeps reads from running inside another coroutine's open write transaction."""
        async with self._lock:
            yield SqliteSession(self._conn)

    async def _before_migration(self, migration: Migration) -> None:
        if migration.rebuilds_tables:
            await self._conn.execute("PRAGMA foreign_keys=OFF")

    async def _check_migration(self, session: Session, migration: Migration) -> None:
        if migration.rebuilds_tables:
            broken = await session.fetchall("PRAGMA foreign_key_check")
            if broken:
                raise RuntimeError(f"migration {migration.version} breaks {len(broken)} references")

    async def _after_migration(self, migration: Migration) -> None:
        if migration.rebuilds_tables:
            await self._conn.execute("PRAGMA foreign_keys=ON")

    async def integrity_check(self) -> str:
        async with self.reading() as session:
            return str(await session.fetchval("PRAGMA integrity_check"))
