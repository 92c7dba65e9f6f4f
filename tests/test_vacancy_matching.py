"""Matched vacancies: when vacancies are published and in the weekly digest, participants who look for work and asked
for job information get one message of the open vacancies of their province (or all Indonesia) and course
categories, at most VACANCY_DIGEST_MAX, never the same vacancy twice, outside their quiet hours, at bulk priority."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.delivery.vacancies import detail_data
from bot.services.vacancy_matching import DIGEST_AT, MatchReport
from bot.storage.enrollments import COMPLETED, ENROLLED
from fakegram import BotMessage, FakeTelegram
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.harness import BotHarness
from tests.survey_flows import JAWA_BARAT, MALUKU, WIB, services
from tests.test_cli import run
from tests.vacancy_data import import_vacancies, vacancies_csv, vacancy_row

BANTEN = "36"
WIT = ZoneInfo("Asia/Jayapura")
# Who is who (see `programme`): Telegram ids.
CILEGON, BANDUNG, AMBON, COOK, WORKING, OPTED_OUT, NOT_ASKED, SAID_NO, BLOCKED, ENGLISH = range(3001, 3011)
# Everyone who looks for work, asked for job information and can be reached, with a course in Alat Berat.
SEEKERS = {CILEGON, BANDUNG, AMBON, ENGLISH}
EVERYONE = SEEKERS | {COOK, WORKING, OPTED_OUT, NOT_ASKED, SAID_NO, BLOCKED}


@pytest.fixture
async def match_bot(server: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotHarness]:
    """The bot with an admin, VACANCY_DIGEST_MAX 3, and the hand-built programme."""
    harness = BotHarness(server, tmp_path / "vokasi.db", admin_ids=str(ADMIN_ID), vacancy_digest_max=3)
    await harness.start()
    try:
        await programme(harness)
        yield harness
    finally:
        await harness.stop()


async def programme(bot: BotHarness) -> None:
    """Two courses (Alat Berat, Kuliner) and ten participants; see the names above."""
    await import_catalogue(bot, catalogue_csv(course_row("K1"), course_row("K2", kategori="Kuliner")))
    crane, cooking = (int(r["id"]) for r in bot.rows("SELECT id FROM courses ORDER BY code"))
    now = bot.clock.now()
    people = {
        CILEGON: (BANTEN, crane, "not_working", True),
        BANDUNG: (JAWA_BARAT, crane, "recruiting", True),
        AMBON: (MALUKU, crane, "not_working", True),
        ENGLISH: (BANTEN, crane, "not_working", True),
        COOK: (BANTEN, cooking, "not_working", True),
        WORKING: (BANTEN, crane, "new_employer", True),  # said yes once, working again since
        OPTED_OUT: (BANTEN, crane, "not_working", True),
        NOT_ASKED: (BANTEN, crane, "not_working", None),
        SAID_NO: (BANTEN, crane, "not_working", False),
        BLOCKED: (BANTEN, crane, "not_working", True),
    }
    ids = {user_id: await seed_participant(bot, user_id, place[0]) for user_id, place in people.items()}
    for user_id in people:
        bot.user(user_id)  # they have a chat with the bot
    async with services(bot).store.write() as unit:
        for user_id, (_, course_id, status, wants) in people.items():
            enrollment = await unit.enrollments.create(ids[user_id], course_id, ENROLLED, now)
            if user_id != BANDUNG:  # Bandung is still in the course: its category counts already
                await unit.enrollments.finish(enrollment.id, COMPLETED, now)
            await unit.participants.set_employment_status(ids[user_id], status, now)
            if wants is not None:
                await unit.participants.set_wants_vacancies(ids[user_id], wanted=wants, now=now)
        await unit.participants.set_announcements(ids[OPTED_OUT], wanted=False, now=now)
        await unit.participants.mark_unreachable(BLOCKED, "forbidden: bot was blocked by the user", now)
        await unit.preferences.set_language(ENGLISH, "en", now)
    await bot.drain_outbox()  # the courses' reminders, if any are due


def vacancy_id(bot: BotHarness, code: str) -> int:
    return int(bot.rows("SELECT id FROM vacancies WHERE code = ?", (code,))[0]["id"])


def received(bot: BotHarness, user_id: int) -> list[BotMessage]:
    return bot.user(user_id).new_messages()


def listed(bot: BotHarness, message: BotMessage) -> list[str]:
    """The codes of the vacancies a message lists, in its order, read from its buttons."""
    codes = {detail_data(int(r["id"])): str(r["code"]) for r in bot.rows("SELECT id, code FROM vacancies")}
    return [codes[button["callback_data"]] for button in message.buttons()]


def delivered(bot: BotHarness, user_id: int) -> set[str]:
    rows = bot.rows(
        "SELECT v.code FROM vacancy_deliveries d JOIN vacancies v ON v.id = d.vacancy_id"
        " JOIN participants p ON p.id = d.participant_id WHERE p.telegram_user_id = ?",
        (user_id,),
    )
    return {str(r["code"]) for r in rows}


async def everyone_received(bot: BotHarness) -> dict[int, list[list[str]]]:
    """Send what is due; who got which lists (only those who got something)."""
    await bot.drain_outbox()
    got = {user_id: [listed(bot, m) for m in received(bot, user_id)] for user_id in EVERYONE}
    return {user_id: lists for user_id, lists in got.items() if lists}


async def test_a_published_vacancy_reaches_exactly_those_it_matches(match_bot: BotHarness) -> None:
    bot, t = match_bot, match_bot.t()
    admin = bot.user(ADMIN_ID)
    rows = (
        vacancy_row("CILEGON", batas_lamaran="2027-02-28"),
        vacancy_row("NASIONAL", provinsi="seluruh Indonesia", kabupaten_kota="", batas_lamaran="2027-01-31"),
        vacancy_row("DAPUR", kategori="Kuliner", provinsi="Jawa Barat", kabupaten_kota="Kota Bandung"),
    )
    await admin.send_document(vacancies_csv(*rows), "lowongan.csv")
    await bot.settle()
    assert admin.new_messages()[0].text == t("vacancy-import-done", created=3, updated=0)  # answered at once
    # The matching runs in a job of its own after the answer; the dispatcher sends what it queued.
    (first,) = await bot.user(CILEGON).wait_messages(1)
    got = await everyone_received(bot)
    got[CILEGON] = [listed(bot, first)]
    # Their own province first, then all Indonesia; Bandung (Jawa Barat) only the national one; Kuliner's in
    # Jawa Barat is not the cook's province. Working, opted out, not asked, said no, blocked: nothing.
    assert got == {
        CILEGON: [["CILEGON", "NASIONAL"]],
        ENGLISH: [["CILEGON", "NASIONAL"]],
        BANDUNG: [["NASIONAL"]],
        AMBON: [["NASIONAL"]],
    }
    assert first.text is not None
    assert first.text.startswith("🔎 <b>Lowongan baru yang cocok untuk Anda</b>")
    assert "<b>Operator CILEGON</b> — PT Baja Pesisir" in first.text and "Kota Cilegon, Banten" in first.text
    assert t("vacancy-digest-national") in first.text and "28 Februari 2027" in first.text
    assert [b["text"] for b in first.buttons()] == ["1. Operator CILEGON", "2. Operator NASIONAL"]
    assert first.buttons()[0]["callback_data"] == f"v:d:{vacancy_id(bot, 'CILEGON')}:0:a"
    english = bot.user(ENGLISH).messages[-1]
    assert english.text is not None and english.text.startswith("🔎 <b>New vacancies that suit you</b>")
    assert "All of Indonesia" in english.text and "31 January 2027" in english.text
    # Bulk priority, one row per person, each vacancy recorded as delivered on publication.
    rows_out = bot.rows("SELECT priority, status, message_key FROM outbox WHERE kind = 'vacancies'")
    assert [tuple(r) for r in rows_out] == [(0, "sent", "vacancy-digest-published")] * 4
    assert bot.rows("SELECT DISTINCT occasion FROM vacancy_deliveries")[0][0] == "published"
    # The same file again changes nothing and sends nothing.
    await admin.send_document(vacancies_csv(*rows), "lowongan.csv")
    await bot.settle()
    assert admin.new_messages()[0].text == t("vacancy-import-done", created=0, updated=3)
    await services(bot).vacancy_matcher.published(tuple(vacancy_id(bot, code) for code in ("CILEGON", "DAPUR")))
    assert await everyone_received(bot) == {}


async def test_the_digest_caps_each_message_and_never_repeats_a_vacancy(match_bot: BotHarness) -> None:
    bot = match_bot
    days = ["2027-01-05", "2027-01-04", "2027-01-03", "2027-01-02", "2027-01-01"]
    await import_vacancies(bot, vacancies_csv(*(vacancy_row(f"V{i}", batas_lamaran=day) for i, day in enumerate(days))))
    matcher = services(bot).vacancy_matcher
    # Imported through the service (no publication): the digest is the first to send them, closing soonest first.
    report = await matcher.digest()
    assert report == MatchReport(considered=5, messages=2, vacancies=6)  # two in Banten, three each
    assert await everyone_received(bot) == {CILEGON: [["V4", "V3", "V2"]], ENGLISH: [["V4", "V3", "V2"]]}
    first = bot.user(CILEGON).messages[-1]
    assert first.text is not None and first.text.startswith("🔎 <b>Lowongan minggu ini untuk Anda</b>")

    # A vacancy published meanwhile goes out at once; the next digest lists only what was never sent.
    await import_vacancies(bot, vacancies_csv(vacancy_row("BARU", batas_lamaran="2027-06-30")))
    await matcher.published((vacancy_id(bot, "BARU"),))
    assert await everyone_received(bot) == {CILEGON: [["BARU"]], ENGLISH: [["BARU"]]}
    bot.advance(timedelta(days=7))
    await matcher.digest()
    assert await everyone_received(bot) == {CILEGON: [["V1", "V0"]], ENGLISH: [["V1", "V0"]]}
    bot.advance(timedelta(days=7))
    assert await matcher.digest() == MatchReport(considered=5, messages=0, vacancies=0)
    assert await everyone_received(bot) == {}
    assert delivered(bot, CILEGON) == {"V0", "V1", "V2", "V3", "V4", "BARU"}
    # Each vacancy recorded once per person, with the outbox row that carried it.
    pairs = bot.rows(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT d.dedupe_key) AS k FROM vacancy_deliveries d"
        " JOIN outbox o ON o.dedupe_key = d.dedupe_key"
    )
    assert (pairs[0]["n"], pairs[0]["k"]) == (12, 6)


async def test_a_digest_computed_at_night_waits_for_the_morning_in_each_zone(match_bot: BotHarness) -> None:
    bot = match_bot
    await import_vacancies(bot, vacancies_csv(vacancy_row("N1", provinsi="seluruh Indonesia", kabupaten_kota="")))
    # Monday 23:00 WIB is Tuesday 01:00 WIT: quiet hours (21:00-07:00) for everyone.
    bot.advance(datetime(2026, 11, 23, 23, 0, tzinfo=WIB) - bot.clock.now())
    assert (await services(bot).vacancy_matcher.digest()).messages == 4
    assert await everyone_received(bot) == {}
    # 07:00 WIT comes two hours before 07:00 WIB: Ambon's message goes then, the others' not yet.
    bot.advance(datetime(2026, 11, 24, 6, 59, tzinfo=WIT) - bot.clock.now())
    assert await everyone_received(bot) == {}
    bot.advance(timedelta(minutes=1))
    assert await everyone_received(bot) == {AMBON: [["N1"]]}
    bot.advance(datetime(2026, 11, 24, 6, 59, tzinfo=WIB) - bot.clock.now())
    assert await everyone_received(bot) == {}
    bot.advance(timedelta(minutes=1))
    assert await everyone_received(bot) == {CILEGON: [["N1"]], ENGLISH: [["N1"]], BANDUNG: [["N1"]]}


async def test_closed_vacancies_are_neither_matched_nor_sent(match_bot: BotHarness) -> None:
    bot = match_bot
    await import_vacancies(
        bot,
        vacancies_csv(
            vacancy_row("LAMA", batas_lamaran="2026-11-24"),  # closes Tuesday 24 November 23:59 WIB
            vacancy_row("TUTUP", batas_lamaran="2026-11-25"),
        ),
    )
    matcher = services(bot).vacancy_matcher
    # Wednesday 25 November 23:00 WIB: LAMA has closed; TUTUP is open for an hour, so it is matched, but its
    # message waits for the morning, when it has closed too: not sent.
    bot.advance(datetime(2026, 11, 25, 23, 0, tzinfo=WIB) - bot.clock.now())
    assert (await matcher.digest()).vacancies == 2  # TUTUP for Cilegon and English
    assert delivered(bot, CILEGON) == {"TUTUP"}
    bot.advance(timedelta(hours=9))
    assert await everyone_received(bot) == {}
    statuses = bot.rows("SELECT status FROM outbox WHERE kind = 'vacancies'")
    assert {r["status"] for r in statuses} == {"cancelled"}
    bot.advance(timedelta(days=7))
    assert (await matcher.digest()).vacancies == 0


async def test_an_erased_participant_gets_nothing(match_bot: BotHarness) -> None:
    bot = match_bot
    await import_vacancies(bot, vacancies_csv(vacancy_row("E1")))
    bot.advance(datetime(2026, 11, 23, 22, 0, tzinfo=WIB) - bot.clock.now())
    matcher = services(bot).vacancy_matcher
    await matcher.digest()  # queued for the morning for Cilegon and English...
    await services(bot).accounts.erase(CILEGON)  # ...when Cilegon erases their data
    bot.advance(timedelta(hours=10))
    assert await everyone_received(bot) == {ENGLISH: [["E1"]]}
    await import_vacancies(bot, vacancies_csv(vacancy_row("E2")))
    await matcher.published((vacancy_id(bot, "E2"),))
    await matcher.digest()
    assert await everyone_received(bot) == {ENGLISH: [["E2"]]}
    assert (
        bot.rows("SELECT COUNT(*) FROM outbox WHERE kind = 'vacancies' AND telegram_user_id = ?", (CILEGON,))[0][0] == 0
    )


async def test_the_digest_is_a_weekly_job_on_monday_morning(match_bot: BotHarness) -> None:
    assert match_bot.app is not None and match_bot.app.job_queue is not None
    (job,) = match_bot.app.job_queue.get_jobs_by_name("vacancy_digest")
    assert job.next_t is not None
    following = job.next_t.astimezone(WIB)
    assert (following.weekday(), following.time()) == (0, DIGEST_AT.replace(tzinfo=None))


async def test_the_command_line_import_matches_too(match_bot: BotHarness, tmp_path: Path) -> None:
    bot = match_bot
    await bot.stop()
    # The command line runs on today's date: a closing date well ahead of it.
    ahead = (datetime.now(WIB) + timedelta(days=60)).date().isoformat()
    file = tmp_path / "lowongan.csv"
    file.write_bytes(vacancies_csv(vacancy_row("CLI", batas_lamaran=ahead)))
    done = run("import-vacancies", str(file), cwd=tmp_path, DATABASE_URL=bot.database_url)
    assert done.returncode == 0, done.stderr
    await bot.start()
    # Queued by the command line at its own moment (real time): due then, or in the morning after it.
    bot.advance(datetime.now(WIB) + timedelta(days=1) - bot.clock.now())
    assert await everyone_received(bot) == {CILEGON: [["CLI"]], ENGLISH: [["CLI"]]}
