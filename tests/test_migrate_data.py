"""`main.py migrate-data`: an SQLite installation copied to another database (PostgreSQL on PostgreSQL runs, another
SQLite file otherwise), table by table, verified by row counts; the bot then carries on there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.storage import transfer
from fakegram import FakeTelegram
from tests.backends import database_url, query
from tests.catalogue_data import ROOT, catalogue_csv, course_row, import_catalogue
from tests.flows import Person, register
from tests.harness import BotHarness
from tests.survey_flows import services

TABLES = (
    "participants", "dialogs", "user_preferences", "institutes", "courses", "course_sessions", "enrollments",
    "attendance", "outbox", "survey_runs", "survey_answers", "employment_checkins", "staff", "audit_log",
    "broadcasts", "seen_updates", "data_keys",
)  # fmt: skip


def migrate_data(source: str, target: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOT_TOKEN": ""}
    return subprocess.run(
        [sys.executable, "main.py", "migrate-data", "--from", source, "--to", target],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def contents(url: str, table: str) -> list[tuple[Any, ...]]:
    return sorted((tuple(row) for row in query(url, f"SELECT * FROM {table}")), key=repr)


async def test_an_installation_is_copied_table_by_table_and_the_bot_carries_on(
    server: FakeTelegram, tmp_path: Path
) -> None:
    source = f"sqlite:///{tmp_path / 'vokasi.db'}"
    bot = BotHarness(server, tmp_path / "vokasi.db", database_url=source, admin_ids="7001")
    await bot.start()
    try:
        await register(bot, bot.user(1001), Person())
        await import_catalogue(bot, catalogue_csv(course_row("K1"), course_row("K2")))
        course_id = int(bot.rows("SELECT id FROM courses WHERE code = 'K2'")[0][0])
        await services(bot).enrollment.enrol(1001, course_id, waitlist=False)
    finally:
        await bot.stop()
    before = {table: contents(source, table) for table in TABLES}
    assert before["outbox"] and before["course_sessions"] and before["enrollments"]  # reminders were planned

    target = database_url(tmp_path / "copy.db")
    copied = migrate_data(source, target)
    assert copied.returncode == 0, copied.stderr
    for table in TABLES:
        assert f"copied {table}: {len(before[table])}" in copied.stdout
        assert contents(target, table) == before[table], table
    assert f"all {len(transfer.TABLES)} tables copied, row counts match" in copied.stdout

    # Copying again into a database that now holds data is refused, and changes nothing.
    again = migrate_data(source, target)
    assert again.returncode == 1 and "must be empty" in again.stderr
    assert contents(target, "participants") == before["participants"]

    # The bot runs on the copy; new rows get new ids (PostgreSQL's sequences were moved past the copied ones).
    # (Same Telegram, so update ids go on from where they were, as the copied seen_updates expect.)
    moved = BotHarness(server, tmp_path / "copy.db", database_url=target)
    moved._done |= bot._done  # the updates the first bot handled are not the new one's to wait for
    await moved.start()
    try:
        await register(moved, moved.user(1002), Person(nik="3201015501900002", name="Dewi Lestari"))
        assert [int(row[0]) for row in moved.rows("SELECT id FROM participants ORDER BY id")] == [1, 2]
        await services(moved).enrollment.enrol(1002, course_id, waitlist=False)
        enrolments = [int(row[0]) for row in moved.rows("SELECT id FROM enrollments ORDER BY id")]
        assert enrolments == [1, 2]
    finally:
        await moved.stop()
