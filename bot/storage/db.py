"""The database connection: pragmas, migrations, and serialised transactions.

One aiosqlite connection serves the whole process. aiosqlite runs every statement on one worker thread, but two
coroutines could still interleave their statements inside one transaction, so every unit of work holds a lock.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

Param = str | int | float | bytes | None
Row = sqlite3.Row


class Session:
    """Runs statements inside one unit of work; only the storage layer uses it.

    Each call is one round trip to aiosqlite's worker thread (execute_fetchall), since every round trip is
    made while the database lock is held.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Param] = ()) -> int:
        """Run one statement; returns the number of rows it inserted, changed or deleted."""
        before = self._conn.total_changes
        await self._conn.execute_fetchall(sql, params)
        return self._conn.total_changes - before

    async def executemany(self, sql: str, rows: Iterable[Sequence[Param]]) -> int:
        """Run one statement for each row; returns the number of rows changed in all."""
        before = self._conn.total_changes
        cursor = await self._conn.executemany(sql, rows)
        await cursor.close()
        return self._conn.total_changes - before

    async def fetchone(self, sql: str, params: Sequence[Param] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Sequence[Param] = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Sequence[Param] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def stream(self, sql: str, params: Sequence[Param] = ()) -> AsyncIterator[Row]:
        """Rows one chunk at a time (exports of every participant do not need them all in memory)."""
        cursor = await self._conn.execute(sql, params)
        cursor.arraysize = STREAM_CHUNK
        try:
            while rows := await cursor.fetchmany(STREAM_CHUNK):
                for row in rows:
                    yield row
        finally:
            await cursor.close()


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def rebuilds_tables(self) -> bool:
        """A migration whose first line is `-- foreign_keys: off` rebuilds tables other tables refer to."""
        return self.sql.startswith(FOREIGN_KEYS_OFF)


# Rows fetched per round trip when streaming a long result.
STREAM_CHUNK = 2000
# SQLite's procedure for changing a table's definition: create the new table, copy, drop, rename, with foreign keys
# off (PRAGMA foreign_keys cannot change inside a transaction) and checked before the commit.
FOREIGN_KEYS_OFF = "-- foreign_keys: off"


def load_migrations() -> list[Migration]:
    """The numbered migrations shipped in bot/storage/migrations, in order."""
    found: list[Migration] = []
    for entry in resources.files("bot.storage").joinpath("migrations").iterdir():
        if not entry.name.endswith(".sql"):
            continue
        number, _, rest = entry.name.partition("_")
        found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {versions}")
    return found


def split_statements(script: str) -> list[str]:
    """Split an SQL script into complete statements (executescript would commit on its own)."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.splitlines(keepends=True):
        if not current and (not line.strip() or line.lstrip().startswith("--")):
            continue
        current.append(line)
        candidate = "".join(current)
        if sqlite3.complete_statement(candidate):
            statements.append(candidate.strip())
            current = []
    if "".join(current).strip():
        raise ValueError("migration ends with an incomplete statement")
    return statements


class Database:
    """The process's one connection to SQLite."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
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
        """A write transaction. BEGIN IMMEDIATE takes the write lock up front instead of failing halfway."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Session(self._conn)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Session]:
        """A read transaction on a connection of its own: a consistent view for long reads (reports, exports)
        that does not hold up the bot's connection meanwhile (WAL lets readers and the writer work at once)."""
        conn = await aiosqlite.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            await conn.execute("BEGIN")
            yield Session(conn)
            await conn.execute("COMMIT")
        finally:
            await conn.close()

    async def backup(self, target: Path) -> None:
        """A consistent copy of the database, made while it is in use (SQLite's online backup API)."""
        _private_empty_file(target)
        async with self._lock:
            copy = await aiosqlite.connect(target)
            try:
                await self._conn.backup(copy)
            finally:
                await copy.close()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Session]:
        """Reads outside a transaction (each statement sees committed data); the lock keeps them from running
        inside another coroutine's open write transaction."""
        async with self._lock:
            yield Session(self._conn)

    async def migrate(self) -> list[str]:
        """Apply every migration not yet recorded, each in its own transaction. Returns the names applied."""
        async with self.transaction() as session:
            await session.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            done = {row[0] for row in await session.fetchall("SELECT version FROM schema_migrations")}
        applied: list[str] = []
        for migration in load_migrations():
            if migration.version in done:
                continue
            if migration.rebuilds_tables:
                await self._conn.execute("PRAGMA foreign_keys=OFF")
            try:
                async with self.transaction() as session:
                    for statement in split_statements(migration.sql):
                        await session.execute(statement)
                    if migration.rebuilds_tables:
                        broken = await session.fetchall("PRAGMA foreign_key_check")
                        if broken:
                            raise RuntimeError(f"migration {migration.version} breaks {len(broken)} references")
                    await session.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        (migration.version, migration.name, to_db_time(datetime.now(UTC))),
                    )
            finally:
                if migration.rebuilds_tables:
                    await self._conn.execute("PRAGMA foreign_keys=ON")
            applied.append(f"{migration.version:04d}_{migration.name}")
            log.info("applied migration %04d_%s", migration.version, migration.name)
        return applied

    async def integrity_check(self) -> str:
        async with self.reading() as session:
            return str(await session.fetchval("PRAGMA integrity_check"))


def _private_empty_file(path: Path) -> None:
    """A new empty file only its owner can read (a copy of the database holds personal data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.touch(mode=0o600)


def to_db_time(moment: datetime) -> str:
    """UTC, fixed width, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the database")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db_time(value: str) -> datetime:
    return datetime.fromisoformat(value)  # Python 3.11 reads the trailing Z as UTC (and is ~50x strptime's speed)


def opt_time(value: str | None) -> datetime | None:
    return None if value is None else from_db_time(value)


def opt_date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
