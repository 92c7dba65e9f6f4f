"""Helpers every benchmark shares."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import sys
from collections.abc import AsyncIterator, Coroutine, Sequence
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.config import Settings
from bot.runner import serve
from bot.storage.vault import Vault, vault_from
from fakegram import FakeTelegram
from scripts.pg_test_server import PostgresServer

POLL_TIMEOUT = 1  # seconds, as in tests/harness.py


def _throw_away_keys() -> Vault:
    """The benchmarks seal personal data as production does, with a key set made for this run (unless DATA_KEYS is
    given): every Settings() of the run and every Store share it."""
    if not os.environ.get("DATA_KEYS"):
        os.environ["DATA_KEYS"] = Vault.generate().text()
        print("note: DATA_KEYS is not set; personal data is sealed with a throw-away key for this run", file=sys.stderr)
    return vault_from(os.environ["DATA_KEYS"])


VAULT = _throw_away_keys()


class BenchFailure(RuntimeError):
    """The benchmark's own check of the result failed: the figures would be meaningless."""


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending, non-empty sequence."""
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def machine_info() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
    }


def print_lines(run: Coroutine[Any, Any, list[dict[str, Any]]]) -> int:
    """Run a benchmark and print its JSON lines; exit code 1 (and no figures) when its check failed."""
    try:
        lines = asyncio.run(run)
    except BenchFailure as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    for line in lines:
        print(json.dumps(line), flush=True)
    return 0


class LoopStalls:
    """The longest time the event loop could not run a task, while the ``async with`` body runs.

    A ticker sleeps ``interval_s`` at a time and notes how much later than asked it woke up: a handler
    blocking the loop (a CPU-bound step not moved to a thread) shows up as a long stall.
    """

    def __init__(self, interval_s: float = 0.01) -> None:
        self.interval_s = interval_s
        self.longest_s = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time()
            await asyncio.sleep(self.interval_s)
            self.longest_s = max(self.longest_s, loop.time() - asked - self.interval_s)

    async def __aenter__(self) -> LoopStalls:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class PostgresRun:
    """Where a benchmark's PostgreSQL run (``--backend postgresql``) keeps its databases.

    On the server at ``admin_url`` (a database we may CREATE DATABASE from, like ``TEST_POSTGRESQL_URL``), or,
    without one, on a throw-away server (``scripts/pg_test_server.py``: Debian's postgresql, a temporary folder,
    127.0.0.1) started for the run and stopped at its end. The seeding stays the SQLite one, then the whole
    database is copied over with ``main.py migrate-data``'s own code (``bot.storage.transfer``), so both backends
    measure the same rows; the checks read a copy brought back to SQLite the same way, so they stay the same too.
    """

    def __init__(self, admin_url: str | None) -> None:
        self.admin_url = admin_url
        self._server: Any = None
        self._created: list[str] = []

    def __enter__(self) -> PostgresRun:
        if self.admin_url is None:
            self._server = PostgresServer.start_new()
            self.admin_url = self._server.url
        return self

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            self._server.stop()
        elif self._created:
            asyncio.run(self._drop_all())

    async def __aenter__(self) -> PostgresRun:
        return self.__enter__()

    async def __aexit__(self, *_: object) -> None:
        if self._server is None and self._created:
            await self._drop_all()
            self._created = []
        self.__exit__()

    def _url(self, name: str) -> str:
        assert self.admin_url is not None
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    async def _admin(self, statement: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    async def _drop_all(self) -> None:
        for name in self._created:
            await self._admin(f'DROP DATABASE IF EXISTS "{name}"')

    async def copy_of(self, sqlite_file: Path, name: str) -> str:
        """A new database `name` (replacing one of that name) holding everything in the SQLite file; its URL."""
        await self._admin(f'DROP DATABASE IF EXISTS "{name}"')
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
        self._created.append(name)
        url = self._url(name)
        await copy(f"sqlite:///{sqlite_file}", url)
        return url

    async def back_to_sqlite(self, url: str, sqlite_file: Path) -> None:
        """The PostgreSQL database as a new SQLite file (for the benchmark's plain-sqlite3 checks)."""
        _remove_sqlite(sqlite_file)
        await copy(url, f"sqlite:///{sqlite_file}")


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def copy(source_url: str, target_url: str) -> None:
    from bot.storage.connect import open_database
    from bot.storage.transfer import copy_database

    source = await open_database(source_url)
    target = await open_database(target_url)
    try:
        counts = await copy_database(source, target)
    finally:
        await target.close()
        await source.close()
    wrong = [c for c in counts if not c.matches]
    if wrong:
        raise BenchFailure(f"copying {source_url.split(':')[0]} to {target_url.split(':')[0]} lost rows: {wrong}")


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database to measure: sqlite (default) or postgresql (the same rows, copied there)",
    )
    parser.add_argument(
        "--postgresql-url",
        default=None,
        help="a PostgreSQL server where the benchmark may create databases, e.g. postgresql://postgres@127.0.0.1/"
        "postgres (default: a throw-away server started for the run)",
    )


@contextlib.asynccontextmanager
async def serving(
    app: Application[Any, Any, Any, Any, Any, Any], server: FakeTelegram, settings: Settings | None = None
) -> AsyncIterator[None]:
    """The Application polling the fake server (as tests/harness.py runs it), stopped on exit.

    Stopping waits for a dispatcher run in progress (PTB stops the JobQueue with wait=True).
    """
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, stop, poll_timeout=POLL_TIMEOUT, settings=settings))
    try:
        # Polling (a getUpdates held open) and the Application started; re-checked on every server event.
        await server.wait_until(lambda: task.done() or (server.long_polls > 0 and app.running), timeout=30)
        if task.done():
            await task  # raises what stopped it
            raise BenchFailure("the bot stopped during start-up")
        yield
    finally:
        stop.set()
        await task
