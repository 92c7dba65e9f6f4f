"""SQLite, the default backend: pragmas, serialised transactions, readers beside the writer, the table-rebuild
migrations, online backup.

One aiosqlite connection writes for the whole process. aiosqlite runs every statement on one worker thread, but
two coroutines could still interleave their statements inside one transaction, so every write transaction holds a
lock. Reads (`reading()`) run on a small pool of read-only connections of their own (`mode=ro`, opened when first
needed, at most `READERS`): in WAL mode a reader sees every transaction committed before its statement began and
never waits for the writer, so a person opening the catalogue is not held up by a broadcast being queued or the
outbox being marked. A coroutine that committed a write and then reads sees its write (the COMMIT happened
before the read's statement started). An in-memory database (`:memory:`) exists on one connection only, so there
`reading()` falls back to the writer connection and its lock.
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


# Read-only connections beside the writer: each is a worker thread of aiosqlite's, and with 2 cores more would
# only contend for the GIL; four let a report, the dispatcher's checks and people's reads run at once.
READERS = 4
_WRITER_PRAGMAS = (
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
)
# A reader waits only while the WAL is being reset or recovered; 16 MiB of cache each.
_READER_PRAGMAS = ("PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000", "PRAGMA cache_size=-16384")


class SqliteDatabase(Database):
    """The process's connection to SQLite that writes, and the read-only ones beside it."""

    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection, path: Path, *, readers: int = READERS) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._readers_max = 0 if str(path) == ":memory:" else readers
        self._readers_open = 0
        self._idle_readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._closed = False

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
        for pragma in _WRITER_PRAGMAS:
            await conn.execute(pragma)
        return cls(conn, path)

    async def _open_read_only(self) -> aiosqlite.Connection:
        """A connection that cannot write (SQLite refuses it: "attempt to write a readonly database")."""
        conn = await aiosqlite.connect(self._read_only_uri(), uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        for pragma in _READER_PRAGMAS:
            await conn.execute(pragma)
        return conn

    def _read_only_uri(self) -> str:
        return f"{self.path.resolve().as_uri()}?mode=ro"  # as_uri escapes a '?' or '#' in the path

    @property
    def readers_open(self) -> int:
        """Read-only connections open now (in use or idle)."""
        return self._readers_open

    async def close(self) -> None:
        """Close the readers (waiting for those in use to come back), then the writer."""
        self._closed = True
        while self._readers_open:
            conn = await self._idle_readers.get()
            self._readers_open -= 1
            await conn.close()
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
        conn = await aiosqlite.connect(self._read_only_uri(), uri=True, isolation_level=None)
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
        """A read-only connection from the pool (each statement sees what was committed before it began); an
        in-memory database reads on the writer connection, under its lock (never inside another coroutine's open
        write transaction)."""
        if self._readers_max == 0:
            async with self._lock:
                yield SqliteSession(self._conn)
            return
        conn = await self._take_reader()
        try:
            yield SqliteSession(conn)
        finally:
            self._give_back_reader(conn)

    async def _take_reader(self) -> aiosqlite.Connection:
        if self._closed:
            raise RuntimeError("the database is closed")
        if self._idle_readers.empty() and self._readers_open < self._readers_max:
            self._readers_open += 1  # counted before opening, so concurrent callers do not overshoot
            opening = asyncio.ensure_future(self._open_read_only())
            try:
                return await asyncio.shield(opening)
            except asyncio.CancelledError:
                # The connection still opens on its thread; it joins the pool (or close() would wait for it).
                opening.add_done_callback(self._opened_for_nobody)
                raise
            except BaseException:
                self._readers_open -= 1
                raise
        return await self._idle_readers.get()

    def _opened_for_nobody(self, opening: asyncio.Future[aiosqlite.Connection]) -> None:
        if opening.cancelled() or opening.exception() is not None:
            self._readers_open -= 1
        else:
            self._give_back_reader(opening.result())

    def _give_back_reader(self, conn: aiosqlite.Connection) -> None:
        self._idle_readers.put_nowait(conn)  # no await: a cancelled reader still comes back

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
