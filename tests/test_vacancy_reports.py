"""Placements counted: the check-in asks those working again whether the job came from a vacancy of the bot (which
one), and /laporan and its workbook show the vacancies' funnel (published, matched, interested, sent, interview,
hired) per course category, province and LPK, the share of re-employment through the bot's vacancies, and a chart;
an LPK member's report shows their institute's figures only."""

from __future__ import annotations

import pytest

from bot.services.survey_catalog import SurveyDefinitionError, parse_survey
from bot.storage.vacancy_staff import VACANCY_SOURCE
from tests.flows import say
from tests.harness import BotHarness
from tests.test_surveys import last, press_on, text_of
from tests.test_vacancy_staff import vacancy_id, vacancy_with_applicants

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
