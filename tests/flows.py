"""Driving a participant through the bot, step by step, checking what each step shows."""

from __future__ import annotations

from dataclasses import dataclass

from fakegram import BotMessage, FakeUser
from tests.harness import BotHarness


@dataclass(frozen=True)
class Person:
    name: str = "Siti Nurhaliza"
    # 32 Jawa Barat, 01 01, day 15 + 40 (woman), January 1990, serial 0001
    nik: str = "3201015501900001"
    kpj: str | None = "12345678901"
    phone: str = "0812-3456-7890"
    region: str = "Jawa"
    province: str = "Jawa Barat"
    regency: str = "kota bandung"
    employer: str = "PT Maju Jaya Sentosa"
    phk_date: str = "15-03-2026"
    education: str = "SMA/SMK"


async def say(bot: BotHarness, user: FakeUser, text: str) -> BotMessage:
    """Send text and return the one message the bot answers with."""
    await user.send_text(text)
    await bot.settle()
    return _last_new(user)


async def press(bot: BotHarness, user: FakeUser, button: str) -> BotMessage:
    await user.press(button)
    await bot.settle()
    return _last_new(user)


def _last_new(user: FakeUser) -> BotMessage:
    new = user.new_messages()
    assert new, "the bot did not answer"
    return new[-1]


async def consent(bot: BotHarness, user: FakeUser) -> BotMessage:
    t = bot.t()
    notice = await say(bot, user, "/start")
    assert notice.text == t("consent-notice")
    assert notice.button_texts() == [t("btn-consent-yes"), t("btn-consent-no")]
    asked = await press(bot, user, t("btn-consent-yes"))
    assert t("ask-name") in (asked.text or "")
    return asked


async def answer_until_summary(bot: BotHarness, user: FakeUser, person: Person) -> BotMessage:
    """From the name question to the summary, checking that each answer leads to the next question."""
    t = bot.t()
    assert t("ask-nik") == (await say(bot, user, person.name)).text
    kpj_question = await say(bot, user, person.nik)
    assert kpj_question.text == t("ask-kpj")
    assert kpj_question.button_texts() == [t("btn-kpj-unknown")]
    if person.kpj is None:
        phone_question = await press(bot, user, t("btn-kpj-unknown"))
    else:
        phone_question = await say(bot, user, person.kpj)
    assert phone_question.text == t("ask-phone")
    assert user.reply_keyboard is not None
    assert user.reply_keyboard[0][0]["text"] == t("btn-share-phone")
    assert user.reply_keyboard[0][0].get("request_contact") is True
    province_question = await say(bot, user, person.phone)
    assert province_question.text == t("ask-province")
    await user.press(person.region)
    await bot.settle()
    assert person.province in user.message(province_question.message_id).button_texts()
    regency_question = await press(bot, user, person.province)
    assert regency_question.text == t("ask-regency", province=person.province)
    assert (await say(bot, user, person.regency)).text == t("ask-employer")
    assert (await say(bot, user, person.employer)).text == t("ask-phk-date")
    education_question = await say(bot, user, person.phk_date)
    assert education_question.text == t("ask-education")
    summary = await press(bot, user, person.education)
    assert summary.button_texts() == [t("btn-confirm"), t("btn-edit")]
    return summary


async def register(bot: BotHarness, user: FakeUser, person: Person | None = None) -> BotMessage:
    """The whole registration; returns the welcome message."""
    person = person or Person()
    await consent(bot, user)
    await answer_until_summary(bot, user, person)
    return await press(bot, user, bot.t()("btn-confirm"))
