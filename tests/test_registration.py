"""Registration end to end: the real Application, PTB's HTTP client, the fake Bot API server."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.services.registration import CONSENT_VERSION
from tests.flows import Person, answer_until_summary, consent, press, register, say
from tests.harness import BotHarness


async def test_full_registration_stores_every_answer(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1001)
    await consent(bot, user)
    summary = await answer_until_summary(bot, user, Person())

    assert "3201********0001" in (summary.text or "")
    assert "3201015501900001" not in (summary.text or "")
    for shown in (
        "Siti Nurhaliza",
        "+6281234567890",
        "Kota Bandung, Jawa Barat (WIB)",
        "PT Maju Jaya Sentosa",
    ):
        assert shown in (summary.text or "")
    assert t.date(date(1990, 1, 15)) in (summary.text or "")
    assert t("gender-f") in (summary.text or "")

    welcome = await press(bot, user, t("btn-confirm"))
    assert welcome.text == t("welcome", name="Siti Nurhaliza")
    assert user.reply_keyboard is not None
    assert [b["text"] for row in user.reply_keyboard for b in row] == [
        t("menu-courses"),
        t("menu-schedule"),
        t("menu-employment"),
        t("menu-profile"),
        t("menu-ask"),
        t("menu-help"),
    ]
    # The summary's buttons are replaced by the choice, so they cannot be pressed twice.
    assert user.message(summary.message_id).button_texts() == []

    row = bot.participant(1001)
    assert row is not None
    assert row["full_name"] == "Siti Nurhaliza"
    assert row["nik"] == "3201015501900001"
    assert row["birth_date"] == "1990-01-15"
    assert row["birth_year"] == 1990
    assert row["gender"] == "F"
    assert row["kpj"] == "12345678901"
    assert row["phone"] == "+6281234567890"
    assert row["province_code"] == "32"
    assert row["regency"] == "Kota Bandung"
    assert row["last_employer"] == "PT Maju Jaya Sentosa"
    assert row["phk_date"] == "2026-03-15"
    assert row["education"] == "sma"
    assert row["needs_verification"] == 0
    assert row["consent_version"] == CONSENT_VERSION
    assert row["consent_at"].startswith("2026-11-23T03:00")  # 10:00 WIB in UTC
    assert bot.dialog(1001) is None


async def test_contact_button_kpj_unknown_and_typed_province(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1002)
    await consent(bot, user)
    await say(bot, user, "Budi Santoso")
    await say(bot, user, "3578-0112-0385-0002")  # Surabaya, man born 12-01-1985, with dashes
    phone_question = await press(bot, user, t("btn-kpj-unknown"))
    assert phone_question.text == t("ask-phone")
    await user.send_contact("6285712345678")
    await bot.settle()
    province_question = user.new_messages()[-1]
    assert province_question.text == t("ask-province")
    assert user.reply_keyboard is None  # the contact keyboard is gone once the number is given
    assert (await say(bot, user, "jatim")).text == t("ask-regency", province="Jawa Timur")
    await say(bot, user, "Kota Surabaya")
    await say(bot, user, "CV Sinar Abadi")
    await say(bot, user, "Jan 2026")
    summary = await press(bot, user, t("edu-s1"))
    assert t("kpj-missing") in (summary.text or "")
    await press(bot, user, t("btn-confirm"))
    row = bot.participant(1002)
    assert row is not None
    assert (row["kpj"], row["phone"], row["province_code"], row["gender"]) == (
        None,
        "+6285712345678",
        "35",
        "M",
    )
    assert (row["birth_date"], row["phk_date"], row["education"]) == ("1985-03-12", "2026-01-01", "s1")


async def test_wrong_answer_at_every_step_explains_and_asks_again(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1003)
    await consent(bot, user)

    async def refused(text: str, error: str, question: str, step: str, **params: str) -> None:
        reply = await say(bot, user, text)
        assert reply.text == f"{t(error, **params)}\n\n{question}", (text, reply.text)
        dialog = bot.dialog(1003)
        assert dialog is not None and dialog["step"] == step

    await refused("12345", "err-name-chars", t("ask-name"), "name")
    await refused("A", "err-name-length", t("ask-name"), "name", min="2", max="100")
    await refused("Budi 😀", "err-name-chars", t("ask-name"), "name")
    await say(bot, user, "Budi Santoso")
    await refused("12345", "err-nik-format", t("ask-nik"), "nik")
    await refused("0001011201850002", "err-nik-province", t("ask-nik"), "nik")
    await refused("3201013201850002", "err-nik-birthdate", t("ask-nik"), "nik")
    await refused("3201011201850000", "err-nik-serial", t("ask-nik"), "nik")
    await say(bot, user, "3201011201850002")
    await refused("123", "err-kpj-format", t("ask-kpj"), "kpj")
    await say(bot, user, "12345678901")
    await refused("12345", "err-phone-format", t("ask-phone"), "phone")
    await refused("021-5551234", "err-phone-not-mobile", t("ask-phone"), "phone")
    await user.send_contact("6281299998888", user_id=4242)
    await bot.settle()
    assert user.new_messages()[-1].text == f"{t('err-contact-not-own')}\n\n{t('ask-phone')}"
    await say(bot, user, "+62 812 1111 2222")
    await refused("Atlantis", "err-province-unknown", t("ask-province"), "province")
    ambiguous = await say(bot, user, "sulawesi")
    assert ambiguous.text == t("err-province-ambiguous")
    assert len(ambiguous.button_texts()) == 5
    assert (await press(bot, user, "Sulawesi Utara")).text == t("ask-regency", province="Sulawesi Utara")
    await refused(
        "123", "err-regency-format", t("ask-regency", province="Sulawesi Utara"), "regency", min="3", max="60"
    )
    await say(bot, user, "Kota Manado")
    await refused("!!", "err-employer-format", t("ask-employer"), "employer", min="2", max="100")
    await say(bot, user, "PT Nusantara")
    await refused("3 bulan", "err-date-format", t("ask-phk-date"), "phk_date")
    await refused("15-01-2030", "err-date-future", t("ask-phk-date"), "phk_date")
    await refused("15-01-1985", "err-date-too-old", t("ask-phk-date"), "phk_date")
    await say(bot, user, "15 Januari 2026")
    await refused("kuliah", "err-education-unknown", t("ask-education"), "education")
    await user.send_sticker()
    await bot.settle()
    assert user.new_messages()[-1].text == f"{t('err-unsupported-message')}\n\n{t('ask-education')}"
    summary = await say(bot, user, "smk")  # a typed level is understood too
    assert summary.button_texts() == [t("btn-confirm"), t("btn-edit")]
    reply = await say(bot, user, "ya")
    assert (reply.text or "").startswith(t("err-use-buttons"))
    assert bot.dialog(1003)["step"] == "summary"  # type: ignore[index]
    assert bot.participant(1003) is None


async def test_photos_and_voice_get_a_gentle_answer_and_the_same_question(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1004)
    await consent(bot, user)
    await user.send_photo(b"\x89PNG fake")
    await user.send_voice()
    await bot.settle()
    replies = user.new_messages()
    assert [m.text for m in replies] == [f"{t('err-unsupported-message')}\n\n{t('ask-name')}"] * 2
    assert bot.dialog(1004)["step"] == "name"  # type: ignore[index]


async def test_cancel_discards_the_draft(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1005)
    await consent(bot, user)
    await say(bot, user, "Budi Santoso")
    await say(bot, user, "3201011201850002")
    assert bot.dialog(1005) is not None
    reply = await say(bot, user, "/batal")
    assert reply.text == t("registration-cancelled")
    assert bot.dialog(1005) is None
    assert bot.rows("SELECT COUNT(*) AS n FROM participants")[0]["n"] == 0
    assert (await say(bot, user, "/start")).text == t("consent-notice")
    assert (await say(bot, user, "/batal")).text == t("nothing-to-cancel-start")


async def test_refusing_consent_stores_nothing(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1006)
    await say(bot, user, "/start")
    reply = await press(bot, user, t("btn-consent-no"))
    assert reply.text == t("consent-refused")
    for table in ("participants", "dialogs", "user_preferences"):
        assert bot.rows(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"] == 0
    assert (await say(bot, user, "Budi")).text == t("not-registered") + "\n\n" + t("helpdesk-offer")


async def test_nik_of_another_account_is_refused(bot: BotHarness) -> None:
    t = bot.t()
    await register(bot, bot.user(1007))
    other = bot.user(1008, first_name="Andi")
    await consent(bot, other)
    await say(bot, other, "Andi Wijaya")
    reply = await say(bot, other, Person().nik)
    assert reply.text == f"{t('err-nik-taken')}\n\n{t('ask-nik')}"
    assert bot.dialog(1008)["step"] == "nik"  # type: ignore[index]


async def test_summary_edit_changes_one_field_and_returns_to_summary(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1009)
    await consent(bot, user)
    await answer_until_summary(bot, user, Person())
    pick = await press(bot, user, t("btn-edit"))
    assert pick.text == t("edit-pick")
    assert t("field-nik") in pick.button_texts()
    assert (await press(bot, user, t("field-nik"))).text == t("ask-nik")
    summary = await say(bot, user, "3273014506920003")  # Bandung, woman born 05-06-1992
    assert "3273********0003" in (summary.text or "")
    assert summary.button_texts() == [t("btn-confirm"), t("btn-edit")]
    # Changing the domicile asks the province and then the regency again.
    await press(bot, user, t("btn-edit"))
    await press(bot, user, t("field-province"))
    assert (await say(bot, user, "DKI")).text == t("ask-regency", province="DKI Jakarta")
    summary = await say(bot, user, "Jakarta Selatan")
    assert "Jakarta Selatan, DKI Jakarta (WIB)" in (summary.text or "")
    await press(bot, user, t("btn-confirm"))
    row = bot.participant(1009)
    assert row is not None
    assert (row["nik"], row["birth_date"], row["province_code"]) == ("3273014506920003", "1992-06-05", "31")


async def test_lay_off_outside_the_window_is_registered_for_verification(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1010)
    welcome = await register(bot, user, Person(phk_date="10 Agustus 2023"))
    assert welcome.text == t("welcome-needs-verification", name="Siti Nurhaliza", min_months=1, max_months=24)
    assert bot.participant(1010)["needs_verification"] == 1  # type: ignore[index]
    profile = await say(bot, user, "/profil")
    assert t("status-needs-verification") in (profile.text or "")


async def test_start_for_a_participant_shows_the_menu(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1011)
    await register(bot, user)
    reply = await say(bot, user, "/start")
    assert reply.text == t("menu-intro", name="Siti Nurhaliza")
    assert user.reply_keyboard is not None
    assert (await say(bot, user, t("menu-courses"))).text == t("courses-empty")
    assert (await say(bot, user, "halo")).text == t("helpdesk-offer")


async def test_start_during_registration_resumes_it(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1012)
    await consent(bot, user)
    await say(bot, user, "Budi Santoso")
    reply = await say(bot, user, "/start")
    assert reply.text == f"{t('dialog-resume')}\n\n{t('ask-nik')}"


async def test_progress_survives_a_restart(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1013)
    await consent(bot, user)
    await say(bot, user, "Budi Santoso")
    await say(bot, user, "3201011201850002")
    await bot.restart()
    assert (await say(bot, user, "12345678901")).text == t("ask-phone")
    row = bot.dialog(1013)
    assert row is not None and row["step"] == "phone"


async def test_an_abandoned_registration_expires_and_is_purged(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1014)
    await consent(bot, user)
    await say(bot, user, "Budi Santoso")
    bot.advance(timedelta(hours=73))
    reply = await say(bot, user, "3201011201850002")
    assert reply.text == t("dialog-expired")
    assert bot.dialog(1014) is None
    assert (await say(bot, user, "/start")).text == t("consent-notice")


async def test_stale_and_forged_buttons_change_nothing(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1015)
    notice = await say(bot, user, "/start")
    await press(bot, user, t("btn-consent-yes"))
    # A forged answer for another question, an unknown value, and garbage: all refused, step unchanged.
    for data in (
        "d:summary:confirm",
        "d:education:phd",
        "d:name:x",
        "rm -rf",
        "d:province:r:atlantis",
        "lang:fr",
    ):
        await user.press_data(data, message_id=notice.message_id)
        await bot.settle()
        assert user.callback_answers[-1].get("text") == t("button-stale"), data
    assert bot.dialog(1015)["step"] == "name"  # type: ignore[index]
    assert bot.participant(1015) is None
    assert bot.rows("SELECT COUNT(*) AS n FROM user_preferences")[0]["n"] == 0


async def test_unknown_commands_and_edited_messages_repeat_the_question(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1016)
    await consent(bot, user)
    reply = await say(bot, user, "/foo bar")
    assert reply.text == f"{t('unknown-command')}\n\n{t('ask-name')}"
    await user.edit_text(reply.message_id - 1, "Budi")  # editing the earlier "/foo bar" is not an answer
    await bot.settle()
    assert user.new_messages()[-1].text == f"{t('err-edited-message')}\n\n{t('ask-name')}"
    assert bot.dialog(1016)["step"] == "name"  # type: ignore[index]


async def test_commands_are_published_in_both_languages(bot: BotHarness) -> None:
    calls = bot.server.requests_for("setMyCommands")
    by_language = {call.params.get("language_code"): call.params["commands"] for call in calls}
    assert set(by_language) == {"id", "en", None}
    names_id = [c["command"] for c in by_language["id"]]
    names_en = [c["command"] for c in by_language["en"]]
    assert names_id[:5] == ["start", "pelatihan", "jadwal", "statuskerja", "loker"]
    assert names_id[5:] == [
        "profil",
        "bahasa",
        "tanya",
        "bantuan",
        "berhenti",
        "lanjut",
        "dataku",
        "sertifikat",
        "hapusdata",
        "batal",
    ]
    assert names_en[:5] == ["start", "courses", "schedule", "jobstatus", "jobs"]
    assert names_en[5:] == [
        "profile", "language", "ask", "help", "unsubscribe", "subscribe", "mydata", "certificate", "deletedata",
        "cancel"
    ]  # fmt: skip
    assert by_language[None] == by_language["id"]
    assert by_language["en"][5]["description"] == bot.t("en")("cmd-profile")


async def test_pressing_register_twice_changes_nothing(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(1017)
    await consent(bot, user)
    summary = await answer_until_summary(bot, user, Person())
    await press(bot, user, t("btn-confirm"))
    await user.press_data("d:summary:confirm", message_id=summary.message_id)
    await bot.settle()
    assert user.callback_answers[-1].get("text") == t("button-stale")
    assert user.new_messages() == []
    assert bot.rows("SELECT COUNT(*) AS n FROM participants")[0]["n"] == 1


async def test_an_unexpected_error_gets_an_apology(bot: BotHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    t = bot.t()
    user = bot.user(1018)
    assert bot.app is not None

    async def broken(user_id: int) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(bot.app.bot_data.services.registration, "start", broken)
    reply = await say(bot, user, "/start")
    assert reply.text == t("err-internal")


async def test_typing_a_buttons_words_is_pressing_it(bot: BotHarness) -> None:
    """ "saya tidak tahu" typed at the KPJ question is the button's answer, not a wrong KPJ; other text still is."""
    t = bot.t()
    user = bot.user(1003)
    await consent(bot, user)
    await say(bot, user, "Rina Marlina")
    await say(bot, user, "3201014506900003")
    assert (await say(bot, user, "12345")).text == t("err-kpj-format") + "\n\n" + t("ask-kpj")
    assert (await say(bot, user, "Saya tidak tahu.")).text == t("ask-phone")
    draft = bot.dialog(1003)
    assert draft is not None and json.loads(draft["data"])["kpj"] is None
