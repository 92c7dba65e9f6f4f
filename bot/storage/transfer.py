"""Copying a whole installation from one database to another (`main.py migrate-data`), e.g. SQLite to PostgreSQL.

Both databases are migrated to the same version first. The target must be empty (apart from its migrations).
Tables are copied in foreign-key order inside one transaction on the target (all or nothing), read from one
consistent snapshot of the source; ids are copied as they are, and PostgreSQL's identity sequences are then set
past the largest id so new rows do not collide, and ANALYZE gives the planner its statistics. Each table's row count
is compared afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.storage.db import POSTGRESQL, Database, Row, Session

# Every table of the schema, each after the tables it refers to.
TABLES = (
    "participants",
    "dialogs",
    "user_preferences",
    "institutes",
    "courses",
    "course_sessions",
    "enrollments",
    "attendance",
    "session_presence",
    "attendance_codes",
    "outbox",
    "survey_runs",
    "survey_answers",
    "employment_checkins",
    "staff",
    "staff_institutes",
    "audit_log",
    "broadcasts",
    "seen_updates",
    "tickets",
    "ticket_replies",
    "data_keys",
    "certificates",
    "vacancies",
    "vacancy_categories",
    "vacancy_deliveries",
    "vacancy_applications",
    "staff_prompts",
)
# Tables whose `id` is generated (SQLite's rowid alias, PostgreSQL's identity column).
GENERATED_IDS = ("participants", "institutes", "courses", "course_sessions", "enrollments", "outbox", "survey_runs",
                 "audit_log", "broadcasts", "tickets", "certificates", "vacancies",
                 "vacancy_applications")  # fmt: skip
BATCH = 2000


class TransferRefused(RuntimeError):
    """The copy was not started (the target holds data, the schemas differ)."""


@dataclass(frozen=True, slots=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def matches(self) -> bool:
        return self.source == self.target


async def _tables(session: Session) -> set[str]:
    if session.dialect == POSTGRESQL:
        rows = await session.fetchall(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_type = 'BASE TABLE'"
        )
    else:
        rows = await session.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    return {str(row[0]) for row in rows} - {"schema_migrations"}


async def _versions(session: Session) -> list[int]:
    return [int(row[0]) for row in await session.fetchall("SELECT version FROM schema_migrations ORDER BY version")]


async def copy_database(
    source: Database, target: Database, progress: Callable[[str, int], None] | None = None
) -> list[TableCount]:
    """Copy every table; returns each table's row count in the source and, after the commit, in the target."""
    await source.migrate()
    await target.migrate()
    async with source.snapshot() as reading:
        found = await _tables(reading)
        if found != set(TABLES):
            raise TransferRefused(f"unexpected tables in the source: {sorted(found ^ set(TABLES))}")
        source_versions = await _versions(reading)
        counts = {table: int(await reading.fetchval(f"SELECT COUNT(*) FROM {table}")) for table in TABLES}  # noqa: S608
        async with target.transaction() as writing:
            if await _versions(writing) != source_versions:
                raise TransferRefused("the two databases are at different migration versions")
            for table in TABLES:
                if await writing.fetchval(f"SELECT COUNT(*) FROM {table}"):  # noqa: S608 (fixed names)
                    raise TransferRefused(f"the target already holds data (table {table}); it must be empty")
            for table in TABLES:
                copied = await _copy_table(reading, writing, table)
                if progress is not None:
                    progress(table, copied)
            if writing.dialect == POSTGRESQL:
                for table in GENERATED_IDS:
                    await writing.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false)"  # noqa: S608
                        f" FROM {table}"
                    )
    async with target.reading() as checking:
        if checking.dialect == POSTGRESQL:
            # Planner statistics for the tables just filled (autovacuum would take its time): without them the
            # report queries run 20 times slower until it does.
            await checking.execute("ANALYZE")
        return [
            TableCount(table, counts[table], int(await checking.fetchval(f"SELECT COUNT(*) FROM {table}")))  # noqa: S608
            for table in TABLES
        ]


async def _copy_table(reading: Session, writing: Session, table: str) -> int:
    copied = 0
    batch: list[Row] = []
    insert = ""
    async for row in reading.stream(f"SELECT * FROM {table}"):  # noqa: S608 (fixed names)
        if not insert:
            columns = list(row.keys())
            insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"  # noqa: S608
        batch.append(row)
        if len(batch) >= BATCH:
            copied += await writing.executemany(insert, [tuple(r) for r in batch])
            batch = []
    if batch:
        copied += await writing.executemany(insert, [tuple(r) for r in batch])
    return copied
