"""PostgreSQL (asyncpg): the backend for several bot instances sharing one database.

The repositories' SQL is the same as on SQLite; this module bridges what differs:

- Placeholders: `?` becomes `$1, $2, ...` (`pg_sql`, cached per statement text; `?` inside quotes stays).
- Changed-row counts: `execute` reads them from the command tag ("UPDATE 3"); `executemany` runs the statement
  with `RETURNING 1` for every parameter row in one pipelined round trip (asyncpg's fetchmany) and counts.
- Numbers: SUM and AVG return NUMERIC on PostgreSQL; it is decoded as an int when whole, a float otherwise, which
  is what SQLite gives.
- Write transactions run one at a time, as SQLite's BEGIN IMMEDIATE makes them: each takes a transaction-level
  advisory lock first (`WRITE_LOCK`), released by its COMMIT or ROLLBACK. The services' read-check-write
  transactions (seats left, one active survey per participant, a dialog's step) were written for one writer at a
  time, and this keeps that true across every instance and every pooled connection, with no retry loop in the
  services. Reads (`reading`, `snapshot`) take no lock and run in parallel with everything. Within one process
  a writer first waits its turn on an asyncio lock, holding no connection, so writers queued behind the advisory
  lock never hold the whole pool while readers wait for a connection.
- Snapshots are REPEATABLE READ READ ONLY transactions; backups are pg_dump's job (`BackupUnsupported`).
- Personal data: asyncpg logs nothing about statements, and errors about a parameter's value (asyncpg's own
  "invalid input for query argument $1: '3201...'" and the server's "invalid input syntax ... '...'") are raised
  again without the value (`ParameterError`); other server errors lose their DETAIL, which quotes the row ("Key
  (nik)=(3201...) already exists"), since the error handler logs exceptions.

`PostgresLeadership` elects the one instance that runs the outbox dispatcher: a session-level advisory lock held
on a connection of its own, outside the pool (see its docstring).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

from bot.storage.db import POSTGRESQL, STREAM_CHUNK, BackupUnsupported, Database, Leadership, Param, Row, Session

log = logging.getLogger(__name__)

# Advisory lock keys (any 64-bit numbers no other application on the database uses): "vokasi" + a purpose.
WRITE_LOCK = 0x766F6B617369_01
DISPATCHER_LOCK = 0x766F6B617369_02
# NOTIFY channel: outbox rows were queued (by any instance); the dispatcher's instance listens.
OUTBOX_CHANNEL = "vokasi_outbox"
# Connections per process: the dispatcher's batch, replies and reports in parallel; writes queue on WRITE_LOCK.
POOL_SIZE = 10


class ParameterError(ValueError):
    """A statement's parameter was refused; the value is withheld (it may be a NIK or a phone number)."""


@functools.lru_cache(maxsize=2048)
def pg_sql(sql: str) -> str:
    """`?` placeholders as PostgreSQL's numbered `$n` (not inside quoted strings, identifiers or comments)."""
    if "?" not in sql:
        return sql
    out: list[str] = []
    number = 0
    i = 0
    quote: str | None = None
    while i < len(sql):
        char = sql[i]
        if quote is not None:
            out.append(char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = len(sql) if end < 0 else end
            out.append(sql[i:end])
            i = end
            continue
        elif char == "?":
            number += 1
            out.append(f"${number}")
        else:
            out.append(char)
        i += 1
    return "".join(out)


def changed_rows(status: str) -> int:
    """The rows a command changed, from its tag: "INSERT 0 5", "UPDATE 3", "DELETE 1"; 0 for anything else."""
    verb, _, rest = status.partition(" ")
    if verb not in ("INSERT", "UPDATE", "DELETE", "MERGE"):
        return 0
    return int(rest.rsplit(" ", 1)[-1])


def _number(text: str) -> int | float:
    """NUMERIC as SQLite would give it: SUM of integers an int, AVG or a fraction a float."""
    value = Decimal(text)
    if value == value.to_integral_value() and "." not in text and "e" not in text.lower():
        return int(value)
    return float(value)


async def _prepare_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("numeric", encoder=str, decoder=_number, schema="pg_catalog", format="text")


@contextlib.contextmanager
def _values_withheld(sql: str) -> Any:
    """Errors without the values in them: a refused parameter becomes a ParameterError naming the statement; any
    other server error keeps its type and message but loses its DETAIL ("Key (nik)=(3201...) already exists")."""
    try:
        yield
    except asyncpg.exceptions.DataError as error:
        state = getattr(error, "sqlstate", None) or "client"
        first_line = " ".join(sql.split())[:100]
        raise ParameterError(f"{type(error).__name__} ({state}) in: {first_line}") from None
    except asyncpg.PostgresError as error:
        error.detail = None
        raise


class PostgresSession(Session):
    dialect = POSTGRESQL

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Param] = ()) -> int:
        with _values_withheld(sql):
            status: str = await self._conn.execute(pg_sql(sql), *params)
        return changed_rows(status)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Param]]) -> int:
        batch = list(rows)
        if not batch:
            return 0
        statement = pg_sql(sql)
        if "RETURNING" not in statement.upper():
            statement += " RETURNING 1"
        with _values_withheld(sql):
            returned = await self._conn.fetchmany(statement, batch)
        return len(returned)

    async def fetchall(self, sql: str, params: Sequence[Param] = ()) -> list[Row]:
        with _values_withheld(sql):
            rows: list[Row] = await self._conn.fetch(pg_sql(sql), *params)
        return rows

    async def stream(self, sql: str, params: Sequence[Param] = ()) -> AsyncIterator[Row]:
        """A server-side cursor (it needs a transaction: the snapshot's, or one of its own)."""
        if self._conn.is_in_transaction():
            async for row in self._cursor(sql, params):
                yield row
            return
        async with self._conn.transaction(readonly=True):
            async for row in self._cursor(sql, params):
                yield row

    async def _cursor(self, sql: str, params: Sequence[Param]) -> AsyncIterator[Row]:
        with _values_withheld(sql):
            async for row in self._conn.cursor(pg_sql(sql), *params, prefetch=STREAM_CHUNK):
                yield row


class PostgresDatabase(Database):
    """A pool of connections to one PostgreSQL database."""

    dialect = POSTGRESQL

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self.url = url
        self._elections: list[PostgresLeadership] = []
        # At most one of this process's pooled connections waits on WRITE_LOCK; the rest stay free for reads.
        self._write_turn = asyncio.Lock()

    @classmethod
    async def connect(cls, url: str, *, pool_size: int = POOL_SIZE) -> PostgresDatabase:
        pool = await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=pool_size,
            init=_prepare_connection,
            server_settings={"application_name": "Vokasi Bot"},
        )
        return cls(pool, url)

    async def close(self) -> None:
        for election in self._elections:
            await election.release()
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self._write_turn, self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
            yield PostgresSession(conn)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Session]:
        async with self._pool.acquire() as conn:
            yield PostgresSession(conn)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Session]:
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            yield PostgresSession(conn)

    async def backup(self, target: Path) -> None:
        raise BackupUnsupported(
            "the database is PostgreSQL: back it up with its own tools, e.g. "
            'pg_dump --format=custom --file=vokasi.dump "$DATABASE_URL" (consistent while the bot runs)'
        )

    async def integrity_check(self) -> str:
        """PostgreSQL checks its own pages (checksums, amcheck); this says whether the database answers."""
        async with self.reading() as session:
            return "ok" if await session.fetchval("SELECT 1") == 1 else "no answer"

    def leadership(self, *, retry_s: float = 2.0) -> PostgresLeadership:
        election = PostgresLeadership(self.url, DISPATCHER_LOCK, retry_s=retry_s)
        self._elections.append(election)
        return election


class PostgresLeadership(Leadership):
    """The outbox dispatcher's instance: whoever holds a PostgreSQL advisory lock.

    The lock is a session-level advisory lock on a connection of its own, outside the pool, so it is held exactly
    as long as that connection lives: when the holder stops, crashes or loses the network, PostgreSQL ends the
    session and the lock is free. Instances without it try again every `retry_s` seconds, so another one takes
    over within seconds. The connection asks the server for TCP keepalives (idle 5 s, 3 probes 2 s apart) so a
    holder whose machine vanished without closing its connection is noticed in about 11 s instead of the system
    default of two hours; the holder checks its own connection at every retry and steps down when it broke.

    The same connection carries the wake-ups: an instance that queued outbox rows NOTIFYs `OUTBOX_CHANNEL`, and the
    holder LISTENs on it, so a message queued anywhere goes out at once rather than at the next sweep.
    """

    def __init__(self, url: str, key: int, *, retry_s: float) -> None:
        self._url = url
        self._key = key
        self.retry_s = retry_s
        self.held = False
        self._conn: asyncpg.Connection | None = None
        # One operation at a time on the connection (asyncpg refuses overlapping ones).
        self._busy = asyncio.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def on_notify(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def _notified(self, *_: object) -> None:
        if self.held:
            for callback in self._callbacks:
                callback()

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(
                self._url,
                timeout=max(self.retry_s * 5, 5),
                server_settings={
                    "application_name": "Vokasi Bot dispatcher election",
                    "tcp_keepalives_idle": "5",
                    "tcp_keepalives_interval": "2",
                    "tcp_keepalives_count": "3",
                },
            )
            await self._conn.add_listener(OUTBOX_CHANNEL, self._notified)
        return self._conn

    async def try_acquire(self) -> bool:
        """Take the lock if it is free; True while this instance holds it (checking its connection still lives)."""
        async with self._busy:
            try:
                if self.held:
                    # The lock lives and dies with this very session: a new connection would not hold it.
                    if self._conn is None or self._conn.is_closed():
                        raise ConnectionResetError("the election session ended")
                    await self._conn.fetchval("SELECT 1", timeout=max(self.retry_s * 2, 2))
                else:
                    conn = await self._connection()
                    self.held = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key))
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
                if self.held:
                    log.warning("dispatcher election: lost the lock's connection (%s)", type(error).__name__)
                await self._drop()
        return self.held

    async def notify(self) -> None:
        async with self._busy:
            try:
                conn = await self._connection()
                await conn.execute(f"NOTIFY {OUTBOX_CHANNEL}")
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
                log.warning("could not wake the dispatcher's instance (%s); its sweep will", type(error).__name__)
                await self._drop()

    async def release(self) -> None:
        """Give the lock up (closing the session releases it)."""
        async with self._busy:
            await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        self.held = False
        if conn is not None and not conn.is_closed():
            try:
                await asyncio.wait_for(conn.close(), timeout=5)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                conn.terminate()
