"""Opening the database named by `DATABASE_URL`: the one place that knows both implementations.

`bot/storage/db.py` is the interface the repositories use and knows neither SQLite nor PostgreSQL;
`bot/storage/sqlite.py` and `bot/storage/postgres.py` implement it. This module picks one from the URL
(`sqlite:///data/vokasi.db`, a plain file path, or `postgresql://user@host/db`), so the interface never imports its
implementations and the three stay free of cycles.
"""

from __future__ import annotations

from pathlib import Path

from bot.storage.db import Database


async def open_database(target: str | Path) -> Database:
    """Open a database by URL (`sqlite:///path`, `postgresql://...`) or, for SQLite, a file path."""
    if isinstance(target, str) and is_postgres_url(target):
        # Imported here so that a SQLite installation never loads asyncpg.
        from bot.storage.postgres import PostgresDatabase

        return await PostgresDatabase.connect(target)
    from bot.storage.sqlite import SqliteDatabase

    return await SqliteDatabase.connect(sqlite_path(target))


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def sqlite_path(target: str | Path) -> Path:
    """The file of a `sqlite:///path` URL (or a path given as such)."""
    if isinstance(target, Path):
        return target
    prefix = "sqlite:///"
    if target.startswith(prefix):
        return Path(target[len(prefix) :])
    if "://" in target:
        scheme = target.split("://")[0]
        raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, got {scheme}://")
    return Path(target)
