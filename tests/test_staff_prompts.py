"""Staff commands sent without their argument ask for it and take the next message (issue 22): /cari, then
"siti", finds Siti instead of answering "Anda belum terdaftar"; /batal and a timeout withdraw the question; the
typed text is never logged. Runs on SQLite and, with --backend=postgresql, PostgreSQL."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.logs import cap_library_loggers
from bot.services.staff_prompts import PROMPT_TIMEOUT
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import Person, register, say
from tests.harness import BotHarness
from tests.survey_flows import services

OPERATOR, SITI, STRANGER = 7002, 1001, 7004


async def test_cari_alone_asks_and_the_next_message_is_the_query(
    staff_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot, t = staff_bot, staff_bot.t()
    caplog.set_level(logging.DEBUG)
    cap_library_loggers()
    await register(bot, bot.user(SITI, "Siti"), Person())
    admin = bot.user(ADMIN_ID)
    assert (await say(bot, admin, "/cari")).text == t("prompt-lookup")
    found = await say(bot, admin, "siti")
    assert (found.text or "").startswith(t("lookup-found", count=1))
    assert "Siti Nurhaliza" in (found.text or "")
    # Answered once: the next "siti" is not a search any more (nor, for staff, a participant's question).
    again = await say(bot, admin, "siti")
    assert not (again.text or "").startswith(t("lookup-found", count=1))

    # A NIK typed as the answer finds her and appears in no log line.
    await say(bot, admin, "/cari")
    by_nik = await say(bot, admin, Person().nik)
    assert "Siti Nurhaliza" in (by_nik.text or "")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "argument for /cari" in logged and Person().nik not in logged


async def test_a_bad_answer_explains_and_asks_again(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await seed_participant(bot, SITI)
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, "/cari")
    short = await say(bot, admin, "ab")
    assert short.text == t("lookup-too-short", min=3) + "\n\n" + t("prompt-lookup")
    assert (await say(bot, admin, "peserta")).text.startswith(t("lookup-found", count=1))  # type: ignore[union-attr]


async def test_batal_and_the_timeout_withdraw_the_question(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await seed_participant(bot, SITI)
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, "/cari")
    assert (await say(bot, admin, "/batal")).text == t("prompt-cancelled")
    assert not (await say(bot, admin, "peserta")).text.startswith(t("lookup-found", count=1))  # type: ignore[union-attr]
    assert (await say(bot, admin, "/batal")).text != t("prompt-cancelled")

    await say(bot, admin, "/cari")
    bot.advance(PROMPT_TIMEOUT + timedelta(seconds=1))
    late = await say(bot, admin, "peserta")
    assert not (late.text or "").startswith(t("lookup-found", count=1))
    assert await services(bot).staff_prompts.purge() == 1  # the hourly purge removes what timed out
    assert bot.rows("SELECT COUNT(*) FROM staff_prompts")[0][0] == 0


async def test_peserta_and_staf_verbs_ask_for_the_rest(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    report = await import_catalogue(bot, catalogue_csv(course_row("K1")))
    assert report.created == 1
    admin = bot.user(ADMIN_ID)
    assert (await say(bot, admin, "/peserta")).text == t("prompt-roster")
    unknown = await say(bot, admin, "zz-9")
    assert unknown.text == t("roster-unknown-course", code="zz-9") + "\n\n" + t("prompt-roster")
    listing = await say(bot, admin, "k1")
    assert t("roster-empty") in (listing.text or "") or "K1" in (listing.text or "")

    assert (await say(bot, admin, "/staf tambah")).text == t("prompt-staff-add")
    added = await say(bot, admin, f"{OPERATOR} operator Dewi")
    assert added.text == t("staff-added", id=OPERATOR, role=t("role-operator"))
    assert (await say(bot, admin, "/staf hapus")).text == t("prompt-staff-remove")
    assert (await say(bot, admin, str(OPERATOR))).text == t("staff-removed", id=OPERATOR)
    assert (await say(bot, admin, "/staf cabut")).text == t("prompt-staff-revoke")


async def test_no_question_for_those_who_may_not_use_the_command(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    stranger = bot.user(STRANGER)
    assert (await say(bot, stranger, "/cari")).text == t("unknown-command")
    assert bot.rows("SELECT COUNT(*) FROM staff_prompts")[0][0] == 0
    assert (await say(bot, stranger, "siti")).text != t("prompt-lookup")

    # Removed from the staff between the question and the answer: the answer is not a search.
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, f"/staf tambah {OPERATOR} operator Dewi")
    operator = bot.user(OPERATOR)
    assert (await say(bot, operator, "/cari")).text == t("prompt-lookup")
    await say(bot, admin, f"/staf hapus {OPERATOR}")
    assert not (await say(bot, operator, "siti")).text.startswith(t("lookup-found", count=0)[:5])  # type: ignore[union-attr]
