"""The database backend the suite runs on: SQLite (the default) or PostgreSQL (`pytest --backend=postgresql`).

Tests name their database by a path (`tmp_path / "vokasi.db"`). On SQLite that is the file; on PostgreSQL
`database_url(path)` creates a database of its own for that path on the test server (the same one every time it
is asked for the same path, so a restarted bot finds its data). `query()` reads any of them directly, as an
auditor would, with the repositories' `?` placeholders, from plain synchronous test code.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Coroutine, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from bot.storage.postgres import pg_sql

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

T = TypeVar("T")


class _Postgres:
    """Databases on the test server, created and read from a thread with an event loop of its own (test code
    that reads rows is synchronous, and its own loop is busy running the bot)."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._names: dict[str, str] = {}
        self._numbers = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="test-postgres", daemon=True)
        self._thread.start()
        self._admin: asyncpg.Connection | None = None
        # A few open connections for direct reads (a test reads its one database many times).
        self._readers: OrderedDict[str, asyncpg.Connection] = OrderedDict()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=60)

    def url_of(self, name: str) -> str:
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    def database_url(self, path: Path) -> str:
        key = str(path)
        if key not in self._names:
            name = self._new_name()
            self.run(self._create(name))
            self._names[key] = name
        return self.url_of(self._names[key])

    def _new_name(self) -> str:
        """Unique on a server shared by several runs (TEST_POSTGRESQL_URL)."""
        return f"t{os.getpid()}_{next(self._numbers)}"

    def fresh_url(self) -> str:
        name = self._new_name()
        self.run(self._create(name))
        return self.url_of(name)

    async def _create(self, name: str) -> None:
        if self._admin is None or self._admin.is_closed():
            self._admin = await asyncpg.connect(self.admin_url)
        await self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')

    def query(self, url: str, sql: str, params: Sequence[Any]) -> list[Any]:
        return self.run(self._query(url, sql, params))

    async def _query(self, url: str, sql: str, params: Sequence[Any]) -> list[Any]:
        conn = self._readers.get(url)
        if conn is None or conn.is_closed():
            conn = await asyncpg.connect(url)
            await conn.set_type_codec("numeric", encoder=str, decoder=_number, schema="pg_catalog", format="text")
            self._readers[url] = conn
            while len(self._readers) > 4:
                _, old = self._readers.popitem(last=False)
                await old.close()
        self._readers.move_to_end(url)
        return list(await conn.fetch(pg_sql(sql), *params))

    def close(self) -> None:
        async def close_all() -> None:
            for conn in [*self._readers.values(), self._admin]:
                if conn is not None and not conn.is_closed():
                    await conn.close()

        self.run(close_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def _number(text: str) -> int | float:
    from bot.storage.postgres import _number as decode

    return decode(text)


class Backend:
    name = SQLITE
    postgres: _Postgres | None = None
    server: Any = None  # the PostgresServer this run started, if any

    @classmethod
    def use_postgres(cls, admin_url: str, server: Any = None) -> None:
        cls.name = POSTGRESQL
        cls.postgres = _Postgres(admin_url)
        cls.server = server

    @classmethod
    def close(cls) -> None:
        if cls.postgres is not None:
            cls.postgres.close()
            cls.postgres = None
        if cls.server is not None:
            cls.server.stop()
            cls.server = None


def is_postgres() -> bool:
    return Backend.name == POSTGRESQL


def database_url(path: Path) -> str:
    """The database a test calls `path`, as a DATABASE_URL."""
    if Backend.postgres is not None:
        return Backend.postgres.database_url(path)
    return f"sqlite:///{path}"


def fresh_postgres_url() -> str:
    """A new empty database on the test server (PostgreSQL runs only)."""
    assert Backend.postgres is not None, "not a PostgreSQL run"
    return Backend.postgres.fresh_url()


def query(url: str, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """Rows straight from the database (sqlite3.Row or asyncpg Record: by position and by column name)."""
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
            conn.row_factory = sqlite3.Row
            return list(conn.execute(sql, tuple(params)))
    assert Backend.postgres is not None, f"no PostgreSQL test server for {url.split('@')[-1]}"
    return Backend.postgres.query(url, sql, params)


def execute(url: str, sql: str, params: Sequence[Any] = ()) -> None:
    """Change rows directly (a test simulating what an operator or another process did)."""
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn, conn:
            conn.execute(sql, tuple(params))
        return
    assert Backend.postgres is not None
    Backend.postgres.query(url, sql, params)
