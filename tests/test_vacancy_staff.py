"""/lowongan for staff: the open vacancies with their applicant counts, a vacancy's applicant list (name, phone,
courses, certificate number, status) paged in place, the step buttons (dikirim, wawancara, diterima, ditolak) and
what each tells the participant, a hire recorded as a check-in, the XLSX, an LPK member's scope, forged buttons,
and erasure taking a person off the list."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from bot.services.vacancies import Publisher
from bot.storage.vacancy_staff import VACANCY_SOURCE, VACANCY_WAVE
from fakegram import BotMessage
from tests.conftest import ADMIN_ID
from tests.flows import press, say
from tests.harness import BotHarness
from tests.survey_flows import completed, services
from tests.test_lpk import OURS, appoint_lpk, refusals
from tests.vacancy_data import import_vacancies, vacancies_csv, vacancy_row

LPK_MEMBER = 7010
PEOPLE = {1001: "32", 1002: "32", 1003: "36", 1004: "36", 1005: "32"}


async def apply(bot: BotHarness, code: str, *user_ids: int) -> dict[int, int]:
    """ "Saya tertarik" recorded through the repository (as the participant's own flow does); application ids."""
    ids = {}
    async with services(bot).store.write() as unit:
        vacancy = await unit.vacancies.by_code(code)
        assert vacancy is not None
        for user_id in user_ids:
            person = await unit.participants.by_telegram_id(user_id)
            assert person is not None
            ids[user_id] = (await unit.vacancies.apply(vacancy.id, person.id, "test", bot.clock.now())).id
    return ids


async def vacancy_with_applicants(bot: BotHarness, *user_ids: int, code: str = "LOK-1") -> dict[int, int]:
    """Participants who completed K1, a "lamar lewat bot" vacancy published by the admin, and applications."""
    await completed(bot, PEOPLE)
    for user_id in PEOPLE:
        bot.user(user_id).new_messages()
    await import_vacancies(
        bot,
        vacancies_csv(vacancy_row(code), vacancy_row("LOK-LINK", cara_melamar="https://example.co.id/l")),
        Publisher(ADMIN_ID),
    )
    return await apply(bot, code, *user_ids)


def vacancy_id(bot: BotHarness, code: str) -> int:
    return int(bot.rows("SELECT id FROM vacancies WHERE code = ?", (code,))[0]["id"])


def status_of(bot: BotHarness, application_id: int) -> str:
    return str(bot.rows("SELECT status FROM vacancy_applications WHERE id = ?", (application_id,))[0]["status"])


async def test_the_list_and_a_vacancys_applicants_paged_in_place(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await vacancy_with_applicants(bot, *PEOPLE)
    admin = bot.user(ADMIN_ID)

    listing = await say(bot, admin, "/lowongan")
    text = listing.text or ""
    assert "LOK-1" in text and "LOK-LINK" in text
    assert "5 pelamar (5 tertarik)" in text
    assert t("vacancy-staff-not-in-bot") in text

    first = await say(bot, admin, "/lowongan lok-1")
    text = first.text or ""
    assert "5 pelamar · halaman 1 dari 2" in text
    assert "Peserta 1001" in text and "+6281200001001" in text and "K1 Pelatihan K1" in text
    assert "Peserta 1005" not in text
    assert len([line for line in text.splitlines() if line]) <= 12
    assert first.button_texts()[:4] == ["📤 1", "🗣 1", "✅ 1", "❌ 1"]
    assert t("btn-vacancy-xlsx") in first.button_texts()

    await admin.press(t("btn-roster-next"))
    await bot.settle()
    second = admin.messages[-1]
    assert second.message_id == first.message_id and second.edited
    assert "Peserta 1005" in (second.text or "") and "halaman 2 dari 2" in (second.text or "")
    # Who saw the names and phones, never the data itself.
    views = bot.rows("SELECT detail FROM audit_log WHERE action = 'vacancy:applicants' ORDER BY id")
    assert [json.loads(r["detail"]) for r in views] == [
        {"vacancy": "LOK-1", "page": 1},
        {"vacancy": "LOK-1", "page": 2},
    ]

    unknown = await say(bot, admin, "/lowongan NOPE")
    assert t("vacancy-staff-unknown", code="NOPE") in (unknown.text or "")


async def step(bot: BotHarness, button: str) -> BotMessage:
    admin = bot.user(ADMIN_ID)
    await admin.press(button)
    await bot.settle()
    return admin.messages[-1]


async def test_steps_tell_the_participant_and_a_hire_counts_as_working(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    applications = await vacancy_with_applicants(bot, 1001, 1002)
    admin, hired, rejected = bot.user(ADMIN_ID), bot.user(1001), bot.user(1002)
    await say(bot, admin, "/lowongan LOK-1")

    page = await step(bot, "📤 1")
    assert status_of(bot, applications[1001]) == "sent"
    assert "dikirim ke perusahaan" in (page.text or "")
    await bot.drain_outbox()
    (notice,) = hired.new_messages()
    assert notice.text == t("vacancy-step-sent", position="Operator LOK-1", employer="PT Baja Pesisir")

    await step(bot, "✅ 1")
    await bot.drain_outbox()
    (congratulation,) = hired.new_messages()
    assert congratulation.text == t("vacancy-step-hired", position="Operator LOK-1", employer="PT Baja Pesisir")
    checkin = bot.rows(
        "SELECT c.status, c.source, c.vacancy_id, c.wave, r.status AS run FROM employment_checkins c"
        " JOIN survey_runs r ON r.id = c.run_id JOIN participants p ON p.id = c.participant_id"
        " WHERE p.telegram_user_id = 1001"
    )
    assert [tuple(r) for r in checkin] == [
        ("new_employer", VACANCY_SOURCE, vacancy_id(bot, "LOK-1"), VACANCY_WAVE, "completed")
    ]
    assert bot.rows("SELECT employment_status FROM participants WHERE telegram_user_id = 1001")[0][0] == "new_employer"
    # The same step again changes nothing and tells nobody twice.
    await step(bot, "✅ 1")
    await bot.drain_outbox()
    assert hired.new_messages() == []
    assert len(bot.rows("SELECT * FROM employment_checkins WHERE source = 'vacancy'")) == 1

    await step(bot, "❌ 2")
    await bot.drain_outbox()
    (kind_word,) = rejected.new_messages()
    assert kind_word.text == t("vacancy-step-rejected", position="Operator LOK-1", employer="PT Baja Pesisir")
    assert status_of(bot, applications[1002]) == "rejected"
    audited = bot.rows("SELECT detail FROM audit_log WHERE action = 'vacancy:status' ORDER BY id")
    assert [json.loads(r["detail"])["status"] for r in audited] == ["sent", "hired", "rejected"]


async def test_forged_step_buttons_change_nothing(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    applications = await vacancy_with_applicants(bot, 1001, 1002)
    await import_vacancies(bot, vacancies_csv(vacancy_row("LOK-2")), Publisher(ADMIN_ID))
    other = await apply(bot, "LOK-2", 1003)
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, "/lowongan LOK-1")
    lok1 = vacancy_id(bot, "LOK-1")
    async with services(bot).store.write() as unit:
        person = await unit.participants.by_telegram_id(1002)
        assert person is not None
        await unit.vacancies.withdraw(lok1, person.id, bot.clock.now())
    forged = [
        f"lw:s:{lok1}:{other[1003]}:2:0",  # another vacancy's applicant
        f"lw:s:{lok1}:{applications[1002]}:2:0",  # withdrawn
        f"lw:s:{lok1}:999999:2:0",  # unknown
        f"lw:s:999999:{applications[1001]}:2:0",  # unknown vacancy
    ]
    for data in forged:
        await admin.press_data(data)
        await bot.settle()
        assert admin.callback_answers[-1]["text"] == t("button-stale")
    assert {status_of(bot, a) for a in (*applications.values(), *other.values())} == {"interested"}
    await bot.drain_outbox()
    assert bot.user(1003).new_messages() == [] and bot.user(1002).new_messages() == []
    assert bot.rows("SELECT * FROM employment_checkins WHERE source = 'vacancy'") == []


async def test_an_lpk_member_acts_on_their_own_vacancies_only(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    applications = await vacancy_with_applicants(bot, 1001)
    await appoint_lpk(bot, LPK_MEMBER, OURS)
    institute = next(iter((await services(bot).staff.scope(LPK_MEMBER)).institutes or ()))
    await import_vacancies(bot, vacancies_csv(vacancy_row("LPK-1")), Publisher(LPK_MEMBER, institute, restricted=True))
    ours = await apply(bot, "LPK-1", 1002)
    member = bot.user(LPK_MEMBER)

    listing = await say(bot, member, "/lowongan")
    assert "LPK-1" in (listing.text or "") and "LOK-1" not in (listing.text or "")
    own = await say(bot, member, "/lowongan LPK-1")
    assert "Peserta 1002" in (own.text or "")
    await member.press("🗣 1")
    await bot.settle()
    assert status_of(bot, ours[1002]) == "interview"

    refused = await say(bot, member, "/lowongan LOK-1")
    assert refused.text == t("unknown-command")
    await member.press_data(f"lw:s:{vacancy_id(bot, 'LOK-1')}:{applications[1001]}:2:0")
    await bot.settle()
    assert member.callback_answers[-1]["text"] == t("button-stale")
    assert status_of(bot, applications[1001]) == "interested"
    found = refusals(bot, LPK_MEMBER)
    assert found["refused:lowongan"][1] == [{"vacancy": "LOK-1", "needs": "publisher"}]
    assert found["refused:button:lowongan"][1] == [{"vacancy": "LOK-1", "needs": "publisher"}]


async def test_the_applicant_list_as_a_workbook(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await vacancy_with_applicants(bot, 1001, 1002)
    async with services(bot).store.write() as unit:
        person = await unit.participants.by_telegram_id(1002)
        assert person is not None
        await unit.participants.update(person.id, {"full_name": '=HYPERLINK("http://x","klik")'}, bot.clock.now())
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, "/lowongan LOK-1")
    await press(bot, admin, t("btn-vacancy-xlsx"))
    document = admin.messages[-1]
    assert document.file_name is not None and document.file_name.startswith("pelamar-LOK-1-")
    book = load_workbook(io.BytesIO(document.document or b""))
    sheet = book[t.plain("vacancy-xlsx-sheet")]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[1][:3] == [
        t.plain("vacancy-xlsx-col-n"),
        t.plain("vacancy-xlsx-col-name"),
        t.plain("vacancy-xlsx-col-phone"),
    ]
    assert rows[2][:6] == [1, "Peserta 1001", "+6281200001001", "K1 Pelatihan K1", rows[2][4], "tertarik"]
    formula = sheet.cell(row=4, column=2)
    assert formula.data_type == "s" and str(formula.value).startswith("=HYPERLINK")
    # The command gives the same; both are audited as exports of personal data.
    await say(bot, admin, "/lowongan LOK-1 xlsx")
    assert admin.messages[-1].file_name is not None
    exports = bot.rows("SELECT detail FROM audit_log WHERE action = 'vacancy:export'")
    assert [json.loads(r["detail"]) for r in exports] == [{"vacancy": "LOK-1", "applicants": 2}] * 2


async def test_an_erased_participant_is_off_the_applicant_list(staff_bot: BotHarness) -> None:
    bot = staff_bot
    await vacancy_with_applicants(bot, 1001, 1002)
    await services(bot).accounts.erase(1001)
    admin = bot.user(ADMIN_ID)
    page = await say(bot, admin, "/lowongan LOK-1")
    assert "Peserta 1001" not in (page.text or "") and "Peserta 1002" in (page.text or "")
    assert "1 pelamar" in (page.text or "")
    listing = await say(bot, admin, "/lowongan")
    assert "1 pelamar (1 tertarik)" in (listing.text or "")
