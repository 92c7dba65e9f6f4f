"""Erasure is complete: after /hapusdata none of the person's values remains in any table (read generically from
the schema), nothing that was waiting for them is sent, and on SQLite the bytes are gone from the file and its WAL."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.logs import user_hash
from bot.services.enrollment import Enrolled
from bot.storage.outbox import ERASED
from fakegram import FakeTelegram
from tests.backends import is_postgres
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import Person, press, register, say
from tests.harness import WIB, BotHarness
from tests.survey_flows import services

PERSON_ID, BYSTANDER_ID = 987_654_321, 5002
PERSON = Person(
    name="Zulkarnaen Wiratmaja Pohan",
    # 32 Jawa Barat, 01 01, 22 August 1988 (day 22 + 40: a woman), serial 0007
    nik="3201016208880007",
    kpj="55501234987",
    phone="0813-9988-7766",
    regency="kabupaten pangandaran",
    employer="PT Kilau Samudra Nusantara",
)
FREE_TEXT = "CV Lentera Wiratmaja Abadi"
QUESTION = "Saya belum menerima surat undangan dari Zulkarnaen"
ANNOUNCEMENT = "Pengumuman: pendaftaran gelombang 2 dibuka"
K2_SESSIONS = "2027-01-11 08:00-16:00 Teori\n2027-01-12 08:00-16:00 Praktik"
K2_MOVED = "2027-01-18 08:00-16:00 Teori\n2027-01-19 08:00-16:00 Praktik"


@pytest.fixture
async def bot(server: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotHarness]:
    """An admin, and two live enrolments allowed (one course finishing while the next is ahead)."""
    harness = BotHarness(server, tmp_path / "vokasi.db", admin_ids=str(ADMIN_ID), max_active_enrollments=2)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


def tables(bot: BotHarness) -> list[str]:
    if is_postgres():
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    return [str(row[0]) for row in bot.rows(sql)]


def traces(bot: BotHarness, secrets: list[str], telegram_id: int) -> list[tuple[str, str, Any]]:
    """(table, column, value) of every cell, in every table of the schema, that holds one of the secrets or the
    Telegram id (as a number or inside a text: a dedupe key, JSON parameters)."""
    found = []
    for table in tables(bot):
        for row in bot.rows(f"SELECT * FROM {table}"):
            for column, value in zip(row.keys(), tuple(row), strict=True):
                if value is None:
                    continue
                if isinstance(value, int) and value == telegram_id:
                    found.append((table, column, value))
                elif isinstance(value, str | bytes):
                    text = value if isinstance(value, str) else value.decode("utf-8", "replace")
                    if str(telegram_id) in text or any(secret in text for secret in secrets):
                        found.append((table, column, value))
    return found


async def programme_with_everything_pending(bot: BotHarness) -> dict[str, str]:
    """The person registered, answered a survey in their own words, asked the help desk, tried a staff command,
    got a broadcast, completed K1 and is enrolled in K2; at 22:00 (quiet hours) a broadcast for tomorrow, a new
    schedule for K2 with its reminders and the completion messages wait for them. Returns their stored values."""
    t = bot.t()
    await import_catalogue(
        bot, catalogue_csv(course_row("K1"), course_row("K2", sesi=K2_SESSIONS, batas_pendaftaran="2027-01-04"))
    )
    person = bot.user(PERSON_ID, "Zul")
    await register(bot, person, PERSON)
    stored = dict(bot.participant(PERSON_ID))
    await seed_participant(bot, BYSTANDER_ID)
    bystander = bot.user(BYSTANDER_ID)
    admin = bot.user(ADMIN_ID, "Dewi")

    # Their own words: a free-text survey answer and a help-desk question (answered by the admin).
    await say(bot, person, t("menu-employment"))
    await person.press("Bekerja di perusahaan baru")
    await bot.settle()
    await say(bot, person, FREE_TEXT)
    assert bot.rows("SELECT COUNT(*) FROM survey_answers WHERE value LIKE ?", (f"%{FREE_TEXT}%",))[0][0] == 1
    assert (await say(bot, person, "/tanya")).text == t("helpdesk-ask")
    assert (await say(bot, person, QUESTION)).text == t("helpdesk-received", ticket=1)
    await bot.drain_outbox()
    copy = admin.new_messages()[-1]
    assert copy.text == QUESTION
    await admin.send_text("Sudah kami kirim ulang.", reply_to=copy.message_id)
    await bot.settle()
    # A refused attempt at a staff tool (audited by pseudonym).
    assert (await say(bot, person, "/siaran")).text == t("unknown-command")
    assert bot.rows("SELECT COUNT(*) FROM audit_log WHERE actor_pseudonym = ?", (user_hash(PERSON_ID),))[0][0] == 1

    # A broadcast that reaches them now.
    await admin.send_text(ANNOUNCEMENT)
    await bot.settle()
    announcement = next(m["message_id"] for m in reversed(admin.history()) if m.get("text") == ANNOUNCEMENT)
    broadcasts = services(bot).broadcasts
    first = await broadcasts.start(ADMIN_ID)
    await broadcasts.attach(ADMIN_ID, ADMIN_ID, announcement, "text")
    await broadcasts.send(ADMIN_ID, first.id)
    await bot.drain_outbox()
    assert [m.plain_text for m in person.new_messages()][-1] == ANNOUNCEMENT

    # Two courses; the first ends, at 22:00 it is marked completed and the second gets a new schedule.
    courses = {str(row["code"]): int(row["id"]) for row in bot.rows("SELECT id, code FROM courses")}
    for code in ("K1", "K2"):
        assert isinstance(await services(bot).enrollment.enrol(PERSON_ID, courses[code], waitlist=False), Enrolled)
    assert isinstance(await services(bot).enrollment.enrol(BYSTANDER_ID, courses["K2"], waitlist=False), Enrolled)
    bot.advance(datetime(2026, 12, 8, 22, 0, tzinfo=WIB) - bot.clock.now())
    await services(bot).surveys.tick()  # the survey answered in November has expired (its answers stay)
    await bot.drain_outbox()  # K1's reminders, long past: expired
    await services(bot).completion.complete_course(courses["K1"])
    await import_catalogue(bot, catalogue_csv(course_row("K2", sesi=K2_MOVED, batas_pendaftaran="2027-01-04")))
    later = await broadcasts.start(ADMIN_ID)
    await broadcasts.attach(ADMIN_ID, ADMIN_ID, announcement, "text")
    await broadcasts.send(ADMIN_ID, later.id, at=datetime(2026, 12, 9, 9, 0, tzinfo=WIB))
    await bot.drain_outbox()
    person.new_messages()
    bystander.new_messages()
    pending = {
        str(row[0])
        for row in bot.rows("SELECT kind FROM outbox WHERE telegram_user_id = ? AND status = 'pending'", (PERSON_ID,))
    }
    assert {"broadcast", "schedule_changed", "reminder_day_before"} <= pending, pending
    assert pending & {"course_completed", "survey_question"}, pending
    return {key: str(value) for key, value in stored.items() if value is not None}


async def test_hapusdata_leaves_nothing_of_the_person_and_sends_nothing_more(bot: BotHarness, tmp_path: Path) -> None:
    t = bot.t()
    stored = await programme_with_everything_pending(bot)
    person = bot.user(PERSON_ID)
    secrets = [
        stored[column] for column in ("full_name", "nik", "birth_date", "kpj", "phone", "regency", "last_employer")
    ] + [FREE_TEXT, QUESTION, user_hash(PERSON_ID)]
    assert stored["full_name"] == PERSON.name and stored["last_employer"] == PERSON.employer
    assert stored["birth_date"] == "1988-08-22" and stored["regency"] == "Kabupaten Pangandaran"
    assert traces(bot, secrets, PERSON_ID)  # the check sees them before erasure

    await say(bot, person, "/hapusdata")
    assert (await press(bot, person, t("btn-erase-yes"))).text == t("erased")

    assert traces(bot, secrets, PERSON_ID) == []
    # The anonymous statistics stay: the participant row, their completed and cancelled enrolments.
    [row] = bot.rows("SELECT * FROM participants WHERE erased_at IS NOT NULL")
    assert (row["province_code"], row["gender"], row["birth_year"]) == ("32", "F", 1988)
    statuses = sorted(
        str(r[0]) for r in bot.rows("SELECT status FROM enrollments WHERE participant_id = ?", (row["id"],))
    )
    assert statuses == ["cancelled", "completed"]
    # Broadcast figures keep their copy, anonymously: the sent one counted, the waiting one withdrawn.
    first = await services(bot).broadcasts.figures(1)
    later = await services(bot).broadcasts.figures(2)
    assert first.sent == 2
    assert (later.pending, later.not_sent) == (1, [(ERASED, 1)])

    # Morning comes and every job runs: the bystander gets the broadcast, the erased person nothing at all.
    bot.advance(datetime(2026, 12, 9, 9, 30, tzinfo=WIB) - bot.clock.now())
    await services(bot).surveys.tick()
    await bot.drain_outbox()
    assert [m.plain_text for m in bot.user(BYSTANDER_ID).new_messages()].count(ANNOUNCEMENT) == 1
    assert person.new_messages() == []

    if not is_postgres():  # SQLite: secure_delete zeroed the values in the file, and the WAL holds none either
        content = checkpointed_bytes(Path(bot.db_path))
        for secret in (PERSON.name, PERSON.employer, "Pangandaran", FREE_TEXT, stored["nik"], stored["phone"]):
            assert secret.encode() not in content, secret


def checkpointed_bytes(db: Path) -> bytes:
    """The database file and its WAL after a full checkpoint (what a copy of the files would hold)."""
    with closing(sqlite3.connect(db)) as conn:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_a_staff_member_erasing_their_participant_data_keeps_their_staff_work(bot: BotHarness) -> None:
    t = bot.t()
    await seed_participant(bot, ADMIN_ID)  # the admin also registered as a participant
    admin, asker = bot.user(ADMIN_ID, "Dewi"), bot.user(PERSON_ID, "Zul")
    await say(bot, asker, "/tanya")
    await say(bot, asker, QUESTION)
    await bot.drain_outbox()
    copy = admin.new_messages()[-1]
    assert copy.text == QUESTION

    await say(bot, admin, "/hapusdata")
    assert (await press(bot, admin, t("btn-erase-yes"))).text == t("erased")
    assert bot.participant(ADMIN_ID) is None
    kinds = {str(row[0]) for row in bot.rows("SELECT kind FROM outbox WHERE telegram_user_id = ?", (ADMIN_ID,))}
    assert kinds == {"helpdesk_card", "helpdesk_in"}  # the ticket shown to them as staff
    # Answering by replying to the copy still works.
    await admin.send_text("Sudah kami kirim ulang.", reply_to=copy.message_id)
    await bot.settle()
    await bot.drain_outbox()
    assert [m.plain_text for m in asker.new_messages()][-1] == "Petugas Dewi\nSudah kami kirim ulang."
