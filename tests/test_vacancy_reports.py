"""Placements counted: the check-in asks those working again whether the job came from a vacancy of the bot (which
one), and /laporan and its workbook show the vacancies' funnel (published, matched, interested, sent, interview,
hired) per course category, province and LPK, the share of re-employment through the bot's vacancies, and a chart;
an LPK member's report shows their institute's figures only."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from bot.services.survey_catalog import SurveyDefinitionError, parse_survey
from bot.services.vacancies import Publisher
from bot.storage.vacancy_staff import VACANCY_SOURCE
from tests.conftest import ADMIN_ID
from tests.flows import say
from tests.harness import BotHarness
from tests.survey_flows import services
from tests.test_lpk import OURS, appoint_lpk
from tests.test_surveys import last, press_on, text_of
from tests.test_vacancy_staff import LPK_MEMBER, apply, vacancy_id, vacancy_with_applicants
from tests.vacancy_data import import_vacancies, vacancies_csv, vacancy_row

QUESTION = "Apakah Anda mendapat pekerjaan ini lewat lowongan dari bot ini?"


async def report_new_job(bot: BotHarness, user_id: int) -> str:
    """/statuskerja to the month the job started; returns the text of the question that follows."""
    user = bot.user(user_id)
    await say(bot, user, "/statuskerja")
    await press_on(bot, user, "Bekerja di perusahaan baru")
    await say(bot, user, "PT Baja Pesisir")
    await press_on(bot, user, "Konstruksi")
    await say(bot, user, "11/2026")
    return text_of(last(user))


def checkin_source(bot: BotHarness, user_id: int) -> tuple[object, object]:
    row = bot.rows(
        "SELECT c.source, c.vacancy_id FROM employment_checkins c JOIN participants p ON p.id = c.participant_id"
        " WHERE p.telegram_user_id = ? ORDER BY c.answered_at DESC LIMIT 1",
        (user_id,),
    )[0]
    return row["source"], row["vacancy_id"]


async def test_the_check_in_asks_whether_the_job_came_from_a_vacancy_of_the_bot(staff_bot: BotHarness) -> None:
    bot = staff_bot
    await vacancy_with_applicants(bot, 1001, 1002, 1003)

    # A vacancy applied for is offered after the question's own buttons, and pressing it names it.
    asked = await report_new_job(bot, 1001)
    assert QUESTION in asked
    assert last(bot.user(1001)).button_texts() == ["Lainnya", "Tidak", "Operator LOK-1 · PT Baja Pesisir"]  # type: ignore[union-attr]
    await press_on(bot, bot.user(1001), "Operator LOK-1 · PT Baja Pesisir")
    assert checkin_source(bot, 1001) == (VACANCY_SOURCE, vacancy_id(bot, "LOK-1"))
    assert "keterampilan" in text_of(last(bot.user(1001)))  # the survey goes on

    # Typed words are as good as the buttons: "tidak" is not through the bot, "lainnya" another vacancy of it.
    await report_new_job(bot, 1002)
    await say(bot, bot.user(1002), "tidak")
    assert checkin_source(bot, 1002) == (None, None)
    await report_new_job(bot, 1003)
    await say(bot, bot.user(1003), "Lainnya")
    assert checkin_source(bot, 1003) == (VACANCY_SOURCE, None)

    # Someone who never had a vacancy from the bot is not asked.
    after = await report_new_job(bot, 1004)
    assert QUESTION not in after and "keterampilan" in after
    assert checkin_source(bot, 1004) == (None, None)


def test_the_vacancy_question_keeps_its_own_options_first() -> None:
    text = """
title: {id: T, en: T}
intro: {id: I, en: I}
outro: {id: O, en: O}
questions:
  - id: via
    type: single
    records: vacancy_source
    text: {id: Lewat bot, en: Through the bot}
    options:
      - {value: "no", label: {id: Tidak, en: "No"}}
      - {value: other, label: {id: Lainnya, en: Other}}
"""
    with pytest.raises(SurveyDefinitionError, match="needs exactly the options other and no"):
        parse_survey(text, "demo", "demo.yaml")


async def delivered(bot: BotHarness, code: str, *user_ids: int) -> None:
    """What the matching (vac-match) writes when it sends a vacancy to participants."""
    async with services(bot).db.transaction() as session:
        for user_id in user_ids:
            await session.execute(
                "INSERT INTO vacancy_deliveries (vacancy_id, participant_id, occasion, dedupe_key, delivered_at)"
                " SELECT v.id, p.id, 'digest', ?, ? FROM vacancies v, participants p WHERE v.code = ?"
                " AND p.telegram_user_id = ?",
                (f"digest:{user_id}", "2026-12-08T10:00:00+00:00", code, user_id),
            )


async def press_step(bot: BotHarness, button: str) -> None:
    await bot.user(ADMIN_ID).press(button)
    await bot.settle()


async def a_funnel(bot: BotHarness) -> None:
    """LOK-1 sent to five participants; 1001 hired, 1002 interviewed, 1003 rejected; 1004 works (not through it)."""
    await vacancy_with_applicants(bot, 1001, 1002, 1003)
    await delivered(bot, "LOK-1", 1001, 1002, 1003, 1004, 1005)
    await delivered(bot, "LOK-LINK", 1001)
    await say(bot, bot.user(ADMIN_ID), "/lowongan LOK-1")
    for button in ("📤 1", "✅ 1", "🗣 2", "❌ 3"):
        await press_step(bot, button)
    await report_new_job(bot, 1004)  # never had LOK-1 applied: asked, since LOK-1 was sent to them
    await say(bot, bot.user(1004), "Tidak")


async def test_the_report_counts_the_funnel_and_hires_as_working_again(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await a_funnel(bot)
    admin = bot.user(ADMIN_ID)
    report = await say(bot, admin, "/laporan")
    expected = t(
        "vacancy-report-summary",
        published=2,
        people=5,
        interested=3,
        sent=2,
        interview=2,  # the hire was interviewed too, whether or not the step was recorded
        hired=1,
        share="50%",
        through=1,
        working=2,
    )
    assert expected in (report.text or "")

    await admin.press(t("btn-report-vacancies"))
    await bot.settle()
    breakdown, chart = admin.new_messages()[-2:]
    text = breakdown.text or ""
    counts = {"published": 2, "matched": 6, "interested": 3, "sent": 2, "interview": 2, "hired": 1}
    assert t("vacancy-report-line", name="Alat Berat", **counts) in text
    assert t("vacancy-report-line", name="Banten", **counts) in text
    assert "Program (bukan LPK)" in text
    assert chart.photo is not None and chart.photo.startswith(b"\x89PNG")

    await admin.press(t("btn-report-workbook"))
    await bot.settle()
    document = admin.messages[-1]
    book = load_workbook(io.BytesIO(document.document or b""))
    funnel = [[c.value for c in row][:2] for row in book[t.plain("xlsx-sheet-vacancy-funnel")].iter_rows()]
    assert [t.plain("vacancy-funnel-hired"), 1] in funnel
    assert [t.plain("vacancy-funnel-share"), "50%"] in funnel
    listing = [[c.value for c in row] for row in book[t.plain("xlsx-sheet-vacancies")].iter_rows()]
    assert listing[1][0] == "LOK-1" and listing[1][-6:] == [5, 3, 2, 2, 1, 1]
    # The hire is a check-in of its own, in the check-ins sheet.
    checkins = [[c.value for c in row] for row in book[t.plain("xlsx-sheet-checkins")].iter_rows()]
    assert any(t.plain("wave-vacancy") in row for row in checkins)


async def test_an_lpk_members_report_shows_their_institutes_vacancies(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await a_funnel(bot)
    await appoint_lpk(bot, LPK_MEMBER, OURS)
    institute = next(iter((await services(bot).staff.scope(LPK_MEMBER)).institutes or ()))
    await import_vacancies(bot, vacancies_csv(vacancy_row("LPK-1")), Publisher(LPK_MEMBER, institute, restricted=True))
    await apply(bot, "LPK-1", 1005)
    member = bot.user(LPK_MEMBER)
    report = await say(bot, member, "/laporan")
    # Their one vacancy and its applicant; the re-employment share over their courses' participants.
    ours = t(
        "vacancy-report-summary",
        published=1,
        people=0,
        interested=1,
        sent=0,
        interview=0,
        hired=0,
        share="50%",
        through=1,
        working=2,
    )
    assert ours in (report.text or "")
    await member.press(t("btn-report-vacancies"))
    await bot.settle()
    breakdown = member.new_messages()[-2]
    assert OURS in (breakdown.text or "") and "Program (bukan LPK)" not in (breakdown.text or "")
    admin_report = await say(bot, bot.user(ADMIN_ID), "/laporan")
    assert "3 diterbitkan" in (admin_report.text or "")
