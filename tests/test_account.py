"""What a registered participant can do with their account: /profil, /bahasa, /bantuan, /hapusdata."""

from __future__ import annotations

from tests.flows import Person, consent, press, register, say
from tests.harness import BotHarness


async def test_profile_shows_masked_data_and_edits_a_field(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(2001)
    await register(bot, user)
    profile = await say(bot, user, "/profil")
    text = profile.text or ""
    assert "3201********0001" in text and "3201015501900001" not in text
    assert "Siti Nurhaliza" in text and t("status-registered") in text
    assert t("btn-edit-field", field=t("field-name")) in profile.button_texts()

    question = await press(bot, user, t("btn-edit-field", field=t("field-name")))
    assert question.text == t("ask-name")
    await user.send_text("Siti Aminah")
    await bot.settle()
    updated, shown = user.new_messages()[-2:]
    assert updated.text == t("profile-updated")
    assert "Siti Aminah" in (shown.text or "")
    assert bot.participant(2001)["full_name"] == "Siti Aminah"  # type: ignore[index]
    assert bot.dialog(2001) is None
    assert user.reply_keyboard is not None  # the main menu is back


async def test_profile_edit_validates_and_can_be_cancelled(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(2002)
    await register(bot, user)
    await say(bot, user, "/profil")
    await press(bot, user, t("btn-edit-field", field=t("field-phone")))
    reply = await say(bot, user, "021-5551234")
    assert reply.text == f"{t('err-phone-not-mobile')}\n\n{t('ask-phone')}"
    assert (await say(bot, user, "/batal")).text == t("edit-cancelled")
    assert bot.participant(2002)["phone"] == "+6281234567890"  # type: ignore[index]

    await say(bot, user, "/profil")
    await press(bot, user, t("btn-edit-field", field=t("field-phk_date")))
    await user.send_text("Mei 2020")
    await bot.settle()
    row = bot.participant(2002)
    assert row is not None
    assert (row["phk_date"], row["needs_verification"]) == ("2020-05-01", 1)


async def test_profile_domicile_edit_asks_province_then_regency(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(2003)
    await register(bot, user)
    await say(bot, user, "/profil")
    await press(bot, user, t("btn-edit-field", field=t("field-province")))
    assert (await say(bot, user, "papua")).text == t("ask-regency", province="Papua")
    await user.send_text("Kota Jayapura")
    await bot.settle()
    assert "Kota Jayapura, Papua (WIT)" in (user.new_messages()[-1].text or "")
    row = bot.participant(2003)
    assert row is not None and (row["province_code"], row["regency"]) == ("94", "Kota Jayapura")


async def test_language_switch_changes_the_whole_bot(bot: BotHarness) -> None:
    t, en = bot.t(), bot.t("en")
    user = bot.user(2004)
    await register(bot, user)
    choice = await say(bot, user, "/bahasa")
    assert choice.text == t("lang-ask")
    await user.press(t("lang-name-en"))
    await bot.settle()
    changed, menu = user.new_messages()[-2:]
    assert changed.text == en("lang-changed")
    assert menu.text == en("menu-here")
    assert user.reply_keyboard is not None and user.reply_keyboard[0][0]["text"] == en("menu-courses")
    assert (await say(bot, user, "/help")).text == en("help", contact=en("support-contact-default"))
    profile = await say(bot, user, en("menu-profile"))
    assert en("status-registered") in (profile.text or "")
    assert bot.rows("SELECT language FROM user_preferences WHERE telegram_user_id = 2004")[0][0] == "en"


async def test_language_can_be_chosen_during_registration(bot: BotHarness) -> None:
    t, en = bot.t(), bot.t("en")
    user = bot.user(2005)
    await consent(bot, user)
    await say(bot, user, "/bahasa")
    await user.press(t("lang-name-en"))
    await bot.settle()
    assert user.new_messages()[-1].text == en("ask-name")
    reply = await say(bot, user, "12")
    assert reply.text == f"{en('err-name-chars')}\n\n{en('ask-name')}"


async def test_help_lists_commands_and_the_staff_contact(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(2006)
    reply = await say(bot, user, "/bantuan")
    assert reply.text == t("help", contact=t("support-contact-default"))
    assert "/hapusdata" in (reply.text or "")


async def test_erase_removes_identity_and_keeps_anonymous_statistics(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(2007)
    await register(bot, user)
    await say(bot, user, "/bahasa")
    await press(bot, user, t("lang-name-id"))
    confirm = await say(bot, user, "/hapusdata")
    assert confirm.text == t("erase-confirm")
    erased = await press(bot, user, t("btn-erase-yes"))
    assert erased.text == t("erased")
    assert user.reply_keyboard is None

    rows = bot.rows("SELECT * FROM participants")
    assert len(rows) == 1
    row = rows[0]
    for column in (
        "telegram_user_id",
        "full_name",
        "nik",
        "birth_date",
        "kpj",
        "phone",
        "regency",
        "last_employer",
    ):
        assert row[column] is None, column
    assert (row["province_code"], row["gender"], row["birth_year"], row["education"]) == (
        "32",
        "F",
        1990,
        "sma",
    )
    assert row["phk_date"] == "2026-03-01"  # the lay-off month only
    assert row["erased_at"] is not None
    assert bot.rows("SELECT COUNT(*) AS n FROM user_preferences")[0]["n"] == 0
    assert bot.rows("SELECT COUNT(*) AS n FROM dialogs")[0]["n"] == 0

    # The bot no longer knows them; the same NIK can register again.
    assert (await say(bot, user, "/profil")).text == t("not-registered")
    assert (await say(bot, user, "/hapusdata")).text == t("erase-nothing")
    await register(bot, user, Person())
    assert bot.participant(2007) is not None


async def test_erase_can_be_declined_and_erases_a_draft(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(2008)
    await register(bot, user)
    await say(bot, user, "/hapusdata")
    assert (await press(bot, user, t("btn-erase-no"))).text == t("erase-kept")
    assert bot.participant(2008) is not None

    newcomer = bot.user(2009)
    await consent(bot, newcomer)
    await say(bot, newcomer, "Budi Santoso")
    await say(bot, newcomer, "/hapusdata")
    assert (await press(bot, newcomer, t("btn-erase-yes"))).text == t("erased-draft")
    assert bot.dialog(2009) is None


async def test_going_back_to_the_menu_abandons_a_profile_edit(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(2010)
    await register(bot, user)
    await say(bot, user, "/profil")
    await press(bot, user, t("btn-edit-field", field=t("field-name")))
    assert bot.dialog(2010) is not None
    assert (await say(bot, user, "/start")).text == t("menu-intro", name="Siti Nurhaliza")
    assert bot.dialog(2010) is None
    assert (await say(bot, user, "Budi")).text == t("helpdesk-offer")
    assert bot.participant(2010)["full_name"] == "Siti Nurhaliza"  # type: ignore[index]
