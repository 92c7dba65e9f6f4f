"""/dataku (/mydata): a participant gets, in their own private chat only, a summary and a text file with everything
the bot holds about them; groups, forged or stale buttons and repeated requests get nothing; the consent notice and
/bantuan name the rights."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.i18n import Translations
from bot.logs import cap_library_loggers
from bot.services.enrollment import Refusal
from bot.services.mydata import EXPORT_INTERVAL
from bot.services.registration import CONSENT_VERSION
from fakegram import BotMessage, FakeUser
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import Person, consent, press, register, say
from tests.harness import START, WIB, BotHarness
from tests.survey_flows import services

OWNER, INTRUDER = 3001, 3002
PERSON = Person()
FULL_NIK, E164_PHONE = PERSON.nik, "+6281234567890"
SUPERGROUP, BASIC_GROUP = -1005550001234, -4550001
# A question the FAQ does not answer, so it goes to the staff.
QUESTION = "Saya belum menerima surat undangan pelatihan"


def documents(user: FakeUser) -> list[BotMessage]:
    return [m for m in user.messages if m.kind == "document"]


async def enrol(bot: BotHarness, user: FakeUser, code: str) -> None:
    await say(bot, user, "/pelatihan")
    course = bot.rows("SELECT id FROM courses WHERE code = ?", (code,))[0][0]
    await user.press_data(f"c:y:{course}", message_id=user.messages[-1].message_id)
    await bot.settle()
    assert bot.rows("SELECT status FROM enrollments")[0][0] == "enrolled"
    user.new_messages()


async def ask_for_copy(bot: BotHarness, user: FakeUser, command: str = "/dataku") -> BotMessage:
    t = bot.t("en" if command == "/mydata" else "id")
    confirm = await say(bot, user, command)
    assert confirm.text == t("mydata-confirm")
    assert confirm.button_texts() == [t("btn-mydata-yes"), t("btn-mydata-no")]
    return confirm


async def a_participant_with_history(bot: BotHarness) -> FakeUser:
    """Registered through the real flow, enrolled, attendance answered, a help-desk ticket, a work update."""
    t = bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("A-01", sesi="2026-12-07 13:00-16:00 Teori K3")))
    user = bot.user(OWNER, "Siti")
    await register(bot, user, PERSON)
    await enrol(bot, user, "A-01")
    # The reminder the evening before, answered "I will attend".
    bot.clock.set(datetime(2026, 12, 6, 18, 0, tzinfo=WIB))
    await bot.drain_outbox()
    reminder = (await user.wait_messages(1))[0]
    await user.press(t("btn-attend-yes"), message_id=reminder.message_id)
    await bot.settle()
    assert [tuple(r) for r in bot.rows("SELECT intent FROM attendance")] == [("yes",)]
    # Attendance at the session, taken by the admin's roll call (the service behind its buttons).
    session_id, enrollment_id = bot.rows(
        "SELECT s.id, e.id FROM course_sessions s JOIN enrollments e USING (course_id)"
    )[0]
    assert not isinstance(await services(bot).presence.mark(ADMIN_ID, session_id, enrollment_id, "present"), Refusal)
    # A question for the help desk (it reaches the admin's private chat).
    bot.user(ADMIN_ID, "Dewi")
    assert (await say(bot, user, "/tanya")).text == t("helpdesk-ask")
    assert (await say(bot, user, QUESTION)).text == t("helpdesk-received", ticket=1)
    # A work update from the main menu: a new employer, named in free text.
    await say(bot, user, t("menu-employment"))
    await user.press("Bekerja di perusahaan baru")
    await bot.settle()
    await say(bot, user, "PT Baru Sejahtera")
    await bot.drain_outbox()
    user.new_messages()
    return user


async def test_the_participant_gets_everything_in_their_own_chat(
    staff_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot, t = staff_bot, staff_bot.t()
    user = await a_participant_with_history(bot)
    caplog.set_level(logging.DEBUG)
    cap_library_loggers()
    await ask_for_copy(bot, user)
    assert documents(user) == []  # nothing before the confirmation
    await user.press(t("btn-mydata-yes"))
    await bot.settle()
    summary, document = user.new_messages()[-2:]

    assert summary.chat_id == document.chat_id == OWNER
    assert summary.text == t(
        "mydata-summary",
        registered=t.date(START.astimezone(WIB).date()),
        enrollments=1,
        surveys=1,
        checkins=1,
        tickets=1,
        version=CONSENT_VERSION,
        consent_at=t.date(START.astimezone(WIB).date()),
    )
    assert FULL_NIK not in (summary.text or "")  # the chat message says what is held; the file holds it
    assert document.kind == "document" and document.file_name == "data-saya-20261206.txt"
    assert document.caption == t.plain("mydata-file-caption")
    assert "upload_document" in user.chat_actions
    assert document.document is not None
    text = document.document.decode("utf-8")
    lines = text.splitlines()
    # The registration in full, with headings in the person's language.
    for heading in ("registration", "account", "enrollments", "surveys", "checkins", "tickets"):
        assert t.plain(f"mydata-file-section-{heading}") in lines, heading
    for label, value in [
        ("mydata-file-name", PERSON.name),
        ("mydata-file-nik", FULL_NIK),
        ("mydata-file-birth-date", "15 Januari 1990"),
        ("mydata-file-gender", t.plain("gender-f")),
        ("mydata-file-kpj", PERSON.kpj),
        ("mydata-file-phone", E164_PHONE),
        ("mydata-file-province", "Jawa Barat"),
        ("mydata-file-regency", "Kota Bandung"),
        ("mydata-file-employer", PERSON.employer),
        ("mydata-file-phk-date", "15 Maret 2026"),
        ("mydata-file-education", t.plain("edu-sma")),
        ("mydata-file-verification", t.plain("mydata-file-no")),
        ("mydata-file-consent-version", CONSENT_VERSION),
        ("mydata-file-consent-at", t.moment(START, "Asia/Jakarta")),
        ("mydata-file-announcements", t.plain("mydata-file-announcements-on")),
        ("mydata-file-unreachable", t.plain("mydata-file-no")),
    ]:
        assert t.plain("mydata-file-line", label=t.plain(label), value=value) in lines, label
    # The course, the answer to its reminder (the session in the venue's zone), the survey, the check-in, the ticket.
    assert (
        t.plain("mydata-file-course", number=1, title="Pelatihan A-01", code="A-01", institute="Kautsar Institute")
        in lines
    )
    attended = [line for line in lines if "Sesi 1 (Teori K3), Senin, 7 Desember 2026 13.00–16.00 WIB" in line]
    assert len(attended) == 2 and t.plain("mydata-intent-yes") in attended[0]
    assert t.plain("mydata-file-presence") in text and t.plain("mydata-presence-present") in attended[1]
    assert "Sertifikat: " not in text  # none yet: the course is not finished
    assert "Apa status kerja Anda saat ini?" in text and "Bekerja di perusahaan baru" in text
    assert "PT Baru Sejahtera" in text
    assert any(line.startswith("- ") and t.plain("employment-new_employer") in line for line in lines)
    assert t.plain("mydata-file-ticket", ticket=1) in lines
    assert QUESTION not in text  # the bot never stored the question's text
    # Only the owner got it; the contents were not logged.
    admin = bot.user(ADMIN_ID)
    assert documents(admin) == [] and all(FULL_NIK not in (m.content or "") for m in admin.messages)
    sent = bot.server.requests_for("sendDocument")
    assert [r.params["chat_id"] for r in sent] == [OWNER]
    logged = "\n".join(record.getMessage() + str(record.exc_info or "") for record in caplog.records)
    assert logged
    for secret in (FULL_NIK, PERSON.kpj or "", "81234567890", PERSON.name, "Baru Sejahtera"):
        assert secret not in logged, secret


async def test_a_second_request_too_soon_is_refused_then_allowed(bot: BotHarness) -> None:
    t = bot.t()
    await seed_participant(bot, OWNER)
    user = bot.user(OWNER)
    confirm = await ask_for_copy(bot, user)
    old_data = confirm.callback_data()[0]
    await user.press(t("btn-mydata-yes"))
    await bot.settle()
    assert len(documents(user)) == 1
    assert user.message(confirm.message_id).button_texts() == []  # the buttons are gone once used

    bot.advance(timedelta(minutes=1))
    assert (await say(bot, user, "/dataku")).text == t("mydata-too-soon", minutes=4)
    await user.press_data(old_data, message_id=confirm.message_id)  # the used button, pressed again
    await bot.settle()
    assert user.callback_answers[-1].get("text") == t("mydata-too-soon", minutes=4)
    assert len(documents(user)) == 1

    bot.advance(EXPORT_INTERVAL)
    await ask_for_copy(bot, user)
    await user.press(t("btn-mydata-yes"))
    await bot.settle()
    assert len(documents(user)) == 2


async def test_forged_and_stale_confirmations_send_nothing(bot: BotHarness) -> None:
    t = bot.t()
    await seed_participant(bot, OWNER)
    await seed_participant(bot, INTRUDER)
    owner, intruder = bot.user(OWNER), bot.user(INTRUDER)
    confirm = await ask_for_copy(bot, owner)
    [data, _] = confirm.callback_data()
    now = int(bot.clock.now().timestamp())

    # Another account: the owner's button data in its own chat, and a press on the owner's message itself.
    await say(bot, intruder, "/start")
    for forged in (data, f"my:ok:{OWNER}:{now}", f"my:ok:{INTRUDER}:{now + 3600}", f"my:ok:{INTRUDER}:0"):
        await intruder.press_data(forged, message_id=intruder.messages[-1].message_id)
        await bot.settle()
        assert intruder.callback_answers[-1].get("text") == t("mydata-stale"), forged
    for forged in (data, f"my:ok:{INTRUDER}:{now}"):  # a press on the owner's message, by the other account
        query: dict[str, Any] = {
            "id": bot.server.new_callback_query(intruder),
            "from": intruder.user_dict,
            "message": confirm.raw,
            "chat_instance": owner.chat_instance,
            "data": forged,
        }
        await bot.server.enqueue_update(intruder, "callback_query", query)
        await bot.settle()
        assert intruder.callback_answers[-1].get("text") == t("mydata-stale"), forged
    # Data no keyboard makes does not even reach the handler.
    await intruder.press_data(f"my:ok:{INTRUDER}:x", message_id=intruder.messages[-1].message_id)
    await bot.settle()
    assert bot.server.requests_for("sendDocument") == []

    # The owner's own button, once it is old.
    bot.advance(timedelta(minutes=16))
    await owner.press(t("btn-mydata-yes"), message_id=confirm.message_id)
    await bot.settle()
    assert owner.callback_answers[-1].get("text") == t("mydata-stale")
    assert bot.server.requests_for("sendDocument") == []
    # "Batal" sends nothing either.
    await ask_for_copy(bot, owner)
    cancelled = await press(bot, owner, t("btn-mydata-no"))
    assert cancelled.text == t("mydata-cancelled")
    assert bot.server.requests_for("sendDocument") == []


async def test_in_a_group_it_is_refused(bot: BotHarness) -> None:
    t = bot.t()
    await seed_participant(bot, OWNER)
    user = bot.user(OWNER)
    assert bot.app is not None
    refusal = t("mydata-private-only", bot=bot.app.bot.username)
    supergroup = bot.server.group(SUPERGROUP, "Alumni Vokasi", forum=False)
    basic = bot.server.group(BASIC_GROUP, "Peserta K3", forum=False, kind="group")
    for group in (supergroup, basic):
        group.add_member(user)
        for addressed in (False, True):
            await user.send_command_in(group, None, "dataku", addressed=addressed)
            await bot.settle()
        assert [m.text for m in group.messages[-2:]] == [refusal, refusal]
    assert bot.server.requests_for("sendDocument") == []
    assert user.messages == []  # nothing in the private chat either


async def test_someone_not_registered_is_told_what_little_is_held(bot: BotHarness) -> None:
    t = bot.t()
    newcomer = bot.user(OWNER)
    assert (await say(bot, newcomer, "/dataku")).text == t("mydata-nothing")
    # Halfway through registration: the draft is shown, its NIK masked as the registration summary shows it.
    await consent(bot, newcomer)
    await say(bot, newcomer, PERSON.name)
    await say(bot, newcomer, PERSON.nik)
    reply = await say(bot, newcomer, "/dataku")
    text = reply.text or ""
    assert text.startswith(t("mydata-unregistered", held="").split("\n\n")[0])
    assert PERSON.name in text and "3201********0001" in text and FULL_NIK not in text
    assert t("mydata-held-language", language=t.plain("lang-name-id")) not in text  # no language chosen
    assert reply.button_texts() == []
    # Someone who only chose a language.
    other = bot.user(INTRUDER)
    await say(bot, other, "/bahasa")
    await other.press(t("lang-name-en"))
    await bot.settle()
    en = bot.t("en")
    assert (await say(bot, other, "/mydata")).text == en(
        "mydata-unregistered", held=en("mydata-held-language", language=en.plain("lang-name-en"))
    )
    assert bot.server.requests_for("sendDocument") == []


async def test_after_erasure_nothing_is_held(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(OWNER)
    await register(bot, user)
    await say(bot, user, "/hapusdata")
    await press(bot, user, t("btn-erase-yes"))
    assert (await say(bot, user, "/dataku")).text == t("mydata-nothing")


async def test_an_english_participant_gets_the_file_in_english(bot: BotHarness) -> None:
    en = bot.t("en")
    await seed_participant(bot, OWNER)
    user = bot.user(OWNER)
    await say(bot, user, "/language")
    await user.press(bot.t()("lang-name-en"))
    await bot.settle()
    await ask_for_copy(bot, user, "/mydata")
    await user.press(en("btn-mydata-yes"))
    await bot.settle()
    [document] = documents(user)
    assert document.file_name == "my-data-20261123.txt"
    assert document.document is not None
    lines = document.document.decode("utf-8").splitlines()
    assert en.plain("mydata-file-section-registration") in lines
    assert en.plain("mydata-file-line", label=en.plain("mydata-file-nik"), value="3201011501903001") in lines
    assert en.plain("mydata-file-line", label=en.plain("mydata-file-language"), value=en.plain("lang-name-en")) in lines
    assert (
        en.plain("mydata-file-line", label=en.plain("mydata-file-kpj"), value=en.plain("mydata-file-kpj-missing"))
        in lines
    )


def test_the_consent_notice_and_help_name_the_rights() -> None:
    translations = Translations("id")
    for language in ("id", "en"):
        notice = translations.get(language)("consent-notice")
        # See and copy, correct, erase; withdrawing consent is erasing (the notice names the Indonesian commands).
        assert "/dataku" in notice and "/profil" in notice and notice.count("/hapusdata") == 2, language
    for language, commands in (
        ("id", ("/dataku", "/profil", "/hapusdata")),
        ("en", ("/mydata", "/profile", "/deletedata")),
    ):
        text = translations.get(language)("help", contact="-")
        for command in commands:
            assert command in text, (language, command)


async def test_help_through_the_bot_mentions_the_copy_and_erasure(bot: BotHarness) -> None:
    user = bot.user(OWNER)
    reply = await say(bot, user, "/bantuan")
    assert "/dataku" in (reply.text or "") and "/hapusdata" in (reply.text or "")


async def test_a_change_in_progress_is_in_the_file_too(bot: BotHarness) -> None:
    t = bot.t()
    await seed_participant(bot, OWNER)
    user = bot.user(OWNER)
    await say(bot, user, "/profil")
    await press(bot, user, t("btn-edit-field", field=t("field-province")))
    assert bot.dialog(OWNER) is not None
    await ask_for_copy(bot, user)
    await user.press(t("btn-mydata-yes"))
    await bot.settle()
    [document] = documents(user)
    assert document.document is not None
    lines = document.document.decode("utf-8").splitlines()
    draft = lines[lines.index(t.plain("mydata-file-section-draft")) :]
    assert t.plain("mydata-file-line", label=t.plain("mydata-file-province"), value="Jawa Barat") in draft
