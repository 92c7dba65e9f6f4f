"""The database as the repositories see it, whichever server holds it; migrations; stored times.

Two implementations serve the same repositories and services:

- `bot/storage/sqlite.py` (the default, `DATABASE_URL=sqlite:///data/vokasi.db`): one aiosqlite connection per
  process that writes, WAL, every write in a `BEGIN IMMEDIATE` transaction; reads on read-only connections beside it.
- `bot/storage/postgres.py` (`DATABASE_URL=postgresql://user@host/db`): an asyncpg pool, for deployments with
  several bot instances on one database.

`bot/storage/connect.py` opens the one a URL names; this interface knows neither.

Repositories write their SQL once: `?` placeholders (PostgreSQL's session turns them into `$1, $2...`), ON
CONFLICT, RETURNING, partial indexes, and rows read by position or by column name. Where the two dialects really
differ, the repository asks `session.dialect` (only `bot/storage/` may); services never see SQL.

Migrations are the numbered files in `bot/storage/migrations/`, written in SQLite's dialect and applied as they are
on SQLite. For PostgreSQL they are translated mechanically (`postgres_ddl`: every INTEGER becomes BIGINT, since
Telegram ids do not fit 32 bits, and an `id INTEGER PRIMARY KEY` becomes an identity column, SQLite's rowid
alias). A migration that no translation can carry over, namely a table rebuild (SQLite cannot change a CHECK
constraint in place, so 0004 creates, copies, drops and renames with foreign keys off), has a PostgreSQL version of
its own under the same number in `migrations/postgresql/`, doing the same change the way PostgreSQL can (ALTER
TABLE ... DROP/ADD CONSTRAINT). Both dialects record the same versions in `schema_migrations`, so one database's
history reads the same on either, and `main.py migrate-data` can copy between them.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

Param = str | int | float | bytes | None

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class Row(Protocol):
    """A result row, read by position (`row[0]`) or column name (`row["id"]`): sqlite3.Row or asyncpg's Record."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...

    def keys(self) -> Any: ...


class Session(ABC):
    """Runs statements inside one unit of work; only the storage layer uses it."""

    dialect: str

    @abstractmethod
    async def execute(self, sql: str, params: Sequence[Param] = ()) -> int:
        """Run one statement; returns the number of rows it inserted, changed or deleted."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Sequence[Param]]) -> int:
        """Run one statement for each row; returns the number of rows changed in all."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Sequence[Param] = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Sequence[Param] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Sequence[Param] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @abstractmethod
    def stream(self, sql: str, params: Sequence[Param] = ()) -> AsyncIterator[Row]:
        """Rows one chunk at a time (exports of every participant do not need them all in memory)."""

    @property
    def skip_locked(self) -> str:
        """What a claiming SELECT ends with so that concurrent claimers never take the same rows (PostgreSQL);
        SQLite has one writer at a time and no row locks."""
        return " FOR UPDATE SKIP LOCKED" if self.dialect == POSTGRESQL else ""


class Leadership(ABC):
    """Which one of several instances on one database does the work only one may do (the outbox dispatcher).

    `held` says whether this instance is it; `try_acquire()` (called every `retry_s` seconds by the dispatcher)
    takes it when free and checks it is still held; `notify()` tells the holder there is work (rows queued by
    another instance); `on_notify(callback)` is how the holder hears it."""

    retry_s: float
    held: bool

    @abstractmethod
    async def try_acquire(self) -> bool: ...

    @abstractmethod
    async def release(self) -> None: ...

    @abstractmethod
    async def notify(self) -> None: ...

    @abstractmethod
    def on_notify(self, callback: Callable[[], None]) -> None: ...


class BackupUnsupported(RuntimeError):
    """The backend has its own backup tools (PostgreSQL: pg_dump), which do it better than the bot could."""


class Database(ABC):
    """The process's door to its database; `bot.storage.connect.open_database(url)` opens one."""

    dialect: str

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Session]:
        """A write transaction; write transactions run one at a time (SQLite's BEGIN IMMEDIATE semantics), so a
        service's read-check-write (seats left, one active survey) holds across every instance."""

    @abstractmethod
    def reading(self) -> AbstractAsyncContextManager[Session]:
        """Reads outside a transaction (each statement sees committed data)."""

    @abstractmethod
    def snapshot(self) -> AbstractAsyncContextManager[Session]:
        """A read-only transaction with a consistent view for long reads (reports, exports) that does not hold up
        the bot's other work meanwhile."""

    @abstractmethod
    async def backup(self, target: Path) -> None:
        """A consistent copy of the database, made while it is in use (BackupUnsupported where another tool
        does it)."""

    @abstractmethod
    async def integrity_check(self) -> str:
        """'ok', or what the backend found wrong."""

    def leadership(self, *, retry_s: float = 2.0) -> Leadership | None:
        """An election among the instances sharing this database; None where only one process uses it (SQLite)."""
        return None

    # Migrations: the runner is shared; the hooks are what a dialect needs around one.

    async def _before_migration(self, migration: Migration) -> None:
        return None

    async def _check_migration(self, session: Session, migration: Migration) -> None:
        return None

    async def _after_migration(self, migration: Migration) -> None:
        return None

    async def migrate(self) -> list[str]:
        """Apply every migration not yet recorded, each in its own transaction. Returns the names applied.

        Each transaction looks again whether its migration is recorded, so instances starting at the same moment
        apply every migration once (write transactions run one at a time)."""
        async with self.transaction() as session:
            await session.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            done = {row[0] for row in await session.fetchall("SELECT version FROM schema_migrations")}
        applied: list[str] = []
        for migration in load_migrations(self.dialect):
            if migration.version in done:
                continue
            await self._before_migration(migration)
            try:
                async with self.transaction() as session:
                    if await session.fetchval(
                        "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", (migration.version,)
                    ):
                        continue
                    for statement in split_statements(migration.sql):
                        await session.execute(statement)
                    await self._check_migration(session, migration)
                    await session.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        (migration.version, migration.name, to_db_time(datetime.now(UTC))),
                    )
            finally:
                await self._after_migration(migration)
            applied.append(f"{migration.version:04d}_{migration.name}")
            log.info("applied migration %04d_%s", migration.version, migration.name)
        return applied


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


def load_migrations(dialect: str = SQLITE) -> list[Migration]:
    """The numbered migrations shipped in bot/storage/migrations, in order, in the dialect's form."""
    folder = resources.files("bot.storage").joinpath("migrations")
    found: list[Migration] = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        number, _, rest = entry.name.partition("_")
        sql = entry.read_text(encoding="utf-8")
        if dialect == POSTGRESQL:
            own = folder.joinpath(POSTGRESQL, entry.name)
            sql = own.read_text(encoding="utf-8") if own.is_file() else postgres_ddl(sql)
        found.append(Migration(int(number), rest.removesuffix(".sql"), sql))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {versions}")
    return found


_ROWID_ALIAS = re.compile(r"\bid INTEGER PRIMARY KEY\b")
_INTEGER = re.compile(r"\bINTEGER\b")


def postgres_ddl(sql: str) -> str:
    """A migration in SQLite's dialect as PostgreSQL needs it (see the module docstring)."""
    if sql.startswith(FOREIGN_KEYS_OFF):
        raise RuntimeError("a table-rebuilding migration needs its own PostgreSQL version in migrations/postgresql/")
    sql = _ROWID_ALIAS.sub("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", sql)
    return _INTEGER.sub("BIGINT", sql)


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


def private_empty_file(path: Path) -> None:
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
