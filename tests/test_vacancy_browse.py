"""Vacancies from a participant's phone: the "🔎 Lowongan" menu button for those they are for, the list near them
first and filtered by their courses, a vacancy's details, "Saya tertarik" with its consent, the withdrawal, forged
buttons, and /dataku listing the applications."""

from __future__ import annotations

from datetime import timedelta

from bot.handlers.vacancy_browse import salary
from bot.i18n import Raw, Translations
from bot.logs import user_hash
from bot.services.vacancy_browse import CONSENT_VERSION
from bot.storage.certificates import NewCertificate
from bot.storage.enrollments import COMPLETED
from fakegram import BotMessage, FakeUser
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.flows import press, say
from tests.harness import BotHarness
from tests.test_text_length import MAX_LINES, screen_lines
from tests.vacancy_data import SAMPLE, import_vacancies, vacancies_csv, vacancy_row

PERSON = 6001


def vacancy_id(bot: BotHarness, code: str) -> int:
    return int(bot.rows("SELECT id FROM vacancies WHERE code = ?", (code,))[0]["id"])


def menu_labels(user: FakeUser) -> list[str]:
    return [button["text"] for row in user.reply_keyboard or [] for button in row]


async def catalogue(bot: BotHarness) -> None:
    """Courses of three categories, so vacancies may name them."""
    await import_catalogue(
        bot,
        catalogue_csv(
            course_row("K-AB", kategori="Alat Berat"),
            course_row("K-KU", kategori="Kuliner", judul="Barista Dasar"),
            course_row("K-LAS", kategori="Pengelasan"),
        ),
    )


async def completed(bot: BotHarness, participant_id: int, course_code: str, certificate: str | None = None) -> None:
    """The participant completed the course (with a certificate numbered `certificate`)."""
    assert bot.app is not None
    course = int(bot.rows("SELECT id FROM courses WHERE code = ?", (course_code,))[0]["id"])
    async with bot.app.bot_data.services.store.write() as unit:
        enrollment = await unit.enrollments.create(participant_id, course, "enrolled", bot.clock.now())
        await unit.enrollments.finish(enrollment.id, COMPLETED, bot.clock.now())
        if certificate is not None:
            await unit.certificates.create(
                NewCertificate(certificate, enrollment.id, participant_id, course, bot.clock.now(), 2, (), "id")
            )


async def looking_for_work(bot: BotHarness, user_id: int, province_code: str = "32") -> int:
    """A registered participant who asked for job information."""
    assert bot.app is not None
    participant_id = await seed_participant(bot, user_id, province_code=province_code)
    async with bot.app.bot_data.services.store.write() as unit:
        await unit.participants.set_wants_vacancies(participant_id, wanted=True, now=bot.clock.now())
    return participant_id


async def open_list(bot: BotHarness, user: FakeUser) -> BotMessage:
    return await say(bot, user, "/loker")


def numbered(message: BotMessage) -> list[str]:
    return [b for b in message.button_texts() if b[0].isdigit()]


async def tap(bot: BotHarness, user: FakeUser, data: str, message_id: int) -> None:
    await user.press_data(data, message_id=message_id)
    await bot.settle()


# --------------------------------------------------------------------- the menu


async def test_the_menu_shows_vacancies_to_those_they_are_for(bot: BotHarness) -> None:
    t = bot.t()
    await catalogue(bot)
    assert bot.app is not None
    nobody = await seed_participant(bot, 6101)
    await looking_for_work(bot, 6102)
    idle = await seed_participant(bot, 6103)
    trained = await seed_participant(bot, 6104)
    async with bot.app.bot_data.services.store.write() as unit:
        await unit.participants.set_employment_status(idle, "not_working", bot.clock.now())
        await unit.participants.set_wants_vacancies(nobody, wanted=False, now=bot.clock.now())
    await completed(bot, trained, "K-AB")
    for user_id, shown in ((6101, False), (6102, True), (6103, True), (6104, True)):
        user = bot.user(user_id)
        await say(bot, user, "/start")
        assert (t("menu-vacancies") in menu_labels(user)) is shown, user_id

    # Back at work: the button goes.
    async with bot.app.bot_data.services.store.write() as unit:
        await unit.participants.set_employment_status(idle, "new_employer", bot.clock.now())
    idle_user = bot.user(6103)
    await say(bot, idle_user, "/start")
    assert t("menu-vacancies") not in menu_labels(idle_user)

    # Typing the button's words is pressing it; someone it is not for is told when it opens.
    await import_vacancies(bot, vacancies_csv(vacancy_row("V1")))
    listing = await say(bot, bot.user(6102), t("menu-vacancies"))
    assert numbered(listing) == ["1. Operator V1"]
    refused = await say(bot, bot.user(6101), t("menu-vacancies"))
    assert refused.text == t("vacancies-not-yet")
    assert (await say(bot, bot.user(6101), "/loker")).text == t("vacancies-not-yet")


async def test_someone_not_registered_is_told_to_register(bot: BotHarness) -> None:
    t = bot.t()
    user = bot.user(6199)
    told = await say(bot, user, "/loker")
    assert told.text == t("not-registered")
    await tap(bot, user, "v:p:0:a", told.message_id)
    assert user.callback_answers[-1].get("text") == t("button-stale")


# --------------------------------------------------------------------- the list


async def test_the_list_puts_the_home_province_first_and_filters_by_the_persons_courses(bot: BotHarness) -> None:
    t = bot.t()
    await catalogue(bot)
    participant = await looking_for_work(bot, PERSON, province_code="32")  # Jawa Barat
    await completed(bot, participant, "K-AB")
    await import_vacancies(
        bot,
        vacancies_csv(
            vacancy_row("BANTEN", batas_lamaran="2027-01-10"),
            vacancy_row("JABAR", provinsi="Jawa Barat", kabupaten_kota="Kabupaten Bekasi", batas_lamaran="2027-03-01"),
            vacancy_row("ANY", provinsi="seluruh Indonesia", kabupaten_kota=""),
            vacancy_row("KOPI", kategori="Kuliner", provinsi="Jawa Barat", kabupaten_kota="Kota Bandung"),
            vacancy_row("LAS", kategori="Pengelasan; Alat Berat", provinsi="Banten", batas_lamaran="2027-01-05"),
        ),
    )
    user = bot.user(PERSON)
    listing = await open_list(bot, user)
    # Alat Berat only (the person's course): Jawa Barat, then all Indonesia, then Banten (soonest closing first).
    assert numbered(listing) == ["1. Operator JABAR", "2. Operator ANY", "3. Operator LAS", "4. Operator BANTEN"]
    text = listing.plain_text or ""
    assert t("vacancies-title-mine", categories="Alat Berat") in (listing.text or "")
    assert "Kabupaten Bekasi, Jawa Barat" in text and t.plain("vacancy-anywhere") in text
    assert "(halaman 1/1)" in text

    await user.press(t("btn-filter"))
    await bot.settle()
    choices = user.message(listing.message_id).button_texts()
    assert choices[:2] == [t("btn-vacancies-mine"), t("btn-all-categories")]
    assert {"Alat Berat", "Kuliner", "Pengelasan"} <= set(choices)
    await user.press(t("btn-all-categories"))
    await bot.settle()
    everything = user.message(listing.message_id)
    assert numbered(everything)[:2] == ["1. Operator JABAR", "2. Operator KOPI"]
    assert len(numbered(everything)) == 5
    await user.press(t("btn-filter"))
    await bot.settle()
    await user.press("Kuliner")
    await bot.settle()
    assert numbered(user.message(listing.message_id)) == ["1. Operator KOPI"]
    assert len(user.messages) == 1  # browsing edits the one message


async def test_without_courses_every_category_is_shown_and_paging_edits_in_place(bot: BotHarness) -> None:
    t = bot.t()
    await catalogue(bot)
    await looking_for_work(bot, PERSON)
    rows = [vacancy_row(f"AB{n:02d}", batas_lamaran=f"2027-01-{n + 1:02d}") for n in range(9)]
    await import_vacancies(bot, vacancies_csv(*rows, vacancy_row("KOPI", kategori="Kuliner")))
    user = bot.user(PERSON)
    listing = await open_list(bot, user)
    assert t("vacancies-title") in (listing.text or "")
    assert len(numbered(listing)) == 8 and "(halaman 1/2)" in (listing.plain_text or "")
    assert t("btn-previous") not in listing.button_texts()
    await user.press(t("btn-next"))
    await bot.settle()
    second = user.message(listing.message_id)
    assert numbered(second) == ["9. Operator AB08", "10. Operator KOPI"]
    assert "(halaman 2/2)" in (second.plain_text or "")
    # A vacancy's "Kembali" returns to the same page.
    await user.press("9. Operator AB08")
    await bot.settle()
    await user.press(t("btn-back"))
    await bot.settle()
    assert "(halaman 2/2)" in (user.message(listing.message_id).plain_text or "")
    assert len(user.messages) == 1


async def test_empty_lists_say_what_to_do(bot: BotHarness) -> None:
    t = bot.t()
    await catalogue(bot)
    await looking_for_work(bot, PERSON)
    idle = await seed_participant(bot, 6002)
    assert bot.app is not None
    async with bot.app.bot_data.services.store.write() as unit:
        await unit.participants.set_employment_status(idle, "not_working", bot.clock.now())
    told = await open_list(bot, bot.user(PERSON))
    assert told.text == t("vacancies-none-open", then=Raw(t("vacancies-will-tell")))
    assert (await open_list(bot, bot.user(6002))).text == t("vacancies-none-open", then=Raw(t("vacancies-ask-to-tell")))
    # Open vacancies, none in the person's category: say so, and how to see the others.
    participant = bot.participant(PERSON)
    await completed(bot, participant["id"], "K-LAS")
    await import_vacancies(bot, vacancies_csv(vacancy_row("KOPI", kategori="Kuliner")))
    listing = await open_list(bot, bot.user(PERSON))
    assert listing.text == t("vacancies-none-in-filter", title=Raw(t("vacancies-title-mine", categories="Pengelasan")))
    assert listing.button_texts() == [t("btn-filter")]


# --------------------------------------------------------------------- a vacancy


async def test_details_show_the_salary_the_place_and_how_to_apply(bot: BotHarness) -> None:
    t = bot.t()
    await catalogue(bot)
    await looking_for_work(bot, PERSON)
    link = "https://karier.example.co.id/lowongan/1"
    contact = "Kirim CV ke hrd@contoh.example.id atau WA 0812-1111-2222"
    await import_vacancies(
        bot,
        vacancies_csv(
            vacancy_row("BOTH", gaji_dari="3.000.000", gaji_sampai="4.500.000"),
            vacancy_row("FROM", gaji_dari="3.000.000", gaji_sampai="", cara_melamar=link),
            vacancy_row("UPTO", gaji_dari="", gaji_sampai="4.500.000", cara_melamar=contact),
            vacancy_row("NONE", gaji_dari="", gaji_sampai="", provinsi="seluruh Indonesia", kabupaten_kota=""),
        ),
    )
    user = bot.user(PERSON)
    listing = await open_list(bot, user)
    shown = {}
    for code in ("BOTH", "FROM", "UPTO", "NONE"):
        await tap(bot, user, f"v:d:{vacancy_id(bot, code)}:0:m", listing.message_id)
        shown[code] = user.message(listing.message_id)
    assert "💰 Rp3.000.000–Rp4.500.000/bulan" in (shown["BOTH"].plain_text or "")
    assert "💰 mulai Rp3.000.000/bulan" in (shown["FROM"].plain_text or "")
    assert "💰 hingga Rp4.500.000/bulan" in (shown["UPTO"].plain_text or "")
    assert "💰" not in (shown["NONE"].plain_text or "")
    both = shown["BOTH"].plain_text or ""
    for part in ("Operator BOTH", "PT Baja Pesisir", "Kota Cilegon, Banten", "31 Maret 2027", "• Bersedia kerja shift"):
        assert part in both, part
    more = [t("btn-vacancy-more"), t("btn-back")]
    assert shown["BOTH"].button_texts() == [t("btn-vacancy-interested"), *more]
    assert shown["FROM"].buttons()[0] == {"text": t("btn-vacancy-link"), "url": link}
    assert contact in (shown["UPTO"].plain_text or "")  # contacted directly: the contact in the summary already
    assert shown["UPTO"].button_texts() == more
    assert t.plain("vacancy-anywhere") in (shown["NONE"].plain_text or "")
    # "Selengkapnya": everything in place (sector, how to apply, the code), and back.
    await user.press(t("btn-vacancy-more"), message_id=listing.message_id)
    await bot.settle()
    full = user.message(listing.message_id)
    for part in ("Kode lowongan: NONE", "Konstruksi", t.plain("vacancy-apply-bot")):
        assert part in (full.plain_text or ""), part
    assert full.button_texts() == [t("btn-vacancy-interested"), t("btn-summary"), t("btn-back")]
    await user.press(t("btn-summary"), message_id=listing.message_id)
    await bot.settle()
    assert user.message(listing.message_id).plain_text == shown["NONE"].plain_text


async def test_every_sample_vacancy_fits_one_screen_and_the_rest_is_in_full(bot: BotHarness) -> None:
    """The sample vacancies' real requirements and contacts: each summary within one phone screen, its action button
    right under it; five requirements show three and a count, "Selengkapnya" every one."""
    t = bot.t()
    await catalogue(bot)
    await looking_for_work(bot, PERSON)
    await import_vacancies(bot, SAMPLE.read_bytes())
    user = bot.user(PERSON)
    listing = await open_list(bot, user)
    for row in bot.rows("SELECT id, code, requirements FROM vacancies"):
        await tap(bot, user, f"v:d:{row['id']}:0:a", listing.message_id)
        summary = user.message(listing.message_id)
        assert screen_lines(summary.plain_text or "") <= MAX_LINES, (row["code"], summary.plain_text)
        await tap(bot, user, f"v:m:{row['id']}:0:a", listing.message_id)
        full = user.message(listing.message_id).plain_text or ""
        assert all(line.strip() in full for line in row["requirements"].splitlines()), row["code"]
    many = "\n".join(f"Syarat nomor {n} yang cukup panjang untuk dua baris di layar ponsel kecil" for n in range(5))
    await import_vacancies(bot, vacancies_csv(vacancy_row("MANY", persyaratan=many)))
    await tap(bot, user, f"v:d:{vacancy_id(bot, 'MANY')}:0:a", listing.message_id)
    text = user.message(listing.message_id).plain_text or ""
    assert text.count("• Syarat nomor") == 3 and t.plain("vacancy-requirements-more", count=2) in text


def test_salaries_are_grouped_in_the_persons_language() -> None:
    translations = Translations("id")
    indonesian, english = translations.get("id"), translations.get("en")
    assert salary(indonesian, 3_000_000, 4_500_000) == "Rp3.000.000–Rp4.500.000"
    assert salary(english, 3_000_000, 4_500_000) == "Rp3,000,000–Rp4,500,000"
    assert salary(english, None, 4_500_000) == "up to Rp4,500,000"
    assert salary(indonesian, 3_000_000, 3_000_000) == "Rp3.000.000"
    assert salary(indonesian, None, None) is None


async def test_a_closed_vacancy_disappears_and_its_buttons_change_nothing(bot: BotHarness) -> None:
    t = bot.t()
    await catalogue(bot)
    await looking_for_work(bot, PERSON)
    await import_vacancies(bot, vacancies_csv(vacancy_row("SOON", batas_lamaran="2026-11-30"), vacancy_row("LATER")))
    user = bot.user(PERSON)
    listing = await open_list(bot, user)
    assert numbered(listing) == ["1. Operator SOON", "2. Operator LATER"]
    await user.press("1. Operator SOON")
    await bot.settle()
    detail = user.message(listing.message_id).plain_text
    bot.advance(timedelta(days=8))  # past 30 November 23:59 WIB
    await user.press(t("btn-vacancy-interested"))
    await bot.settle()
    assert user.callback_answers[-1].get("text") == t.plain("vacancy-closed")
    assert user.message(listing.message_id).plain_text == detail  # nothing changed
    assert bot.rows("SELECT * FROM vacancy_applications") == []
    await tap(bot, user, f"v:d:{vacancy_id(bot, 'SOON')}:0:m", listing.message_id)
    assert user.callback_answers[-1].get("text") == t.plain("vacancy-closed")
    assert numbered(await open_list(bot, user)) == ["1. Operator LATER"]


# --------------------------------------------------------------------- "Saya tertarik"


async def test_interest_asks_for_consent_then_records_it_and_may_be_withdrawn(bot: BotHarness) -> None:
    t = bot.t()
    await catalogue(bot)
    participant = await looking_for_work(bot, PERSON)
    await completed(bot, participant, "K-AB", certificate="VOK-2026-000123")
    await import_vacancies(bot, vacancies_csv(vacancy_row("CRANE")))
    user = bot.user(PERSON)
    listing = await open_list(bot, user)
    await user.press("1. Operator CRANE")
    await bot.settle()
    await user.press(t("btn-vacancy-interested"))
    await bot.settle()
    question = user.message(listing.message_id)
    text = question.plain_text or ""
    for part in ("PT Baja Pesisir", "Peserta 6001", "+6281200006001", "Pelatihan K-AB", "VOK-2026-000123"):
        assert part in text, part
    assert question.button_texts() == [t("btn-vacancy-consent-yes"), t("btn-vacancy-consent-no")]
    assert bot.rows("SELECT * FROM vacancy_applications") == []  # nothing before the yes

    # "Batal" goes back to the vacancy, nothing recorded.
    await user.press(t("btn-vacancy-consent-no"))
    await bot.settle()
    assert user.message(listing.message_id).button_texts()[0] == t("btn-vacancy-interested")
    await user.press(t("btn-vacancy-interested"))
    await bot.settle()
    await user.press(t("btn-vacancy-consent-yes"))
    await bot.settle()
    shown = user.message(listing.message_id)
    assert t.plain("vacancy-interest-recorded", employer="PT Baja Pesisir") in (shown.plain_text or "")
    assert shown.button_texts() == [t("btn-vacancy-withdraw"), t("btn-vacancy-more"), t("btn-back")]
    # Opened again later, the summary says where the application stands instead of the requirements.
    await tap(bot, user, f"v:d:{vacancy_id(bot, 'CRANE')}:0:m", listing.message_id)
    again = user.message(listing.message_id).plain_text or ""
    assert (
        "Anda sudah menyatakan minat" in again
        and t.plain("vacancy-progress-interested", employer="PT Baja Pesisir") in again
    )
    (row,) = bot.rows("SELECT * FROM vacancy_applications")
    assert (row["participant_id"], row["status"]) == (participant, "interested")
    assert row["consent_version"] == CONSENT_VERSION
    assert row["withdrawn_at"] is None
    audit = bot.rows("SELECT actor, actor_pseudonym, action, detail FROM audit_log WHERE action LIKE 'vacancy:%'")
    assert [(a["actor"], a["actor_pseudonym"], a["action"]) for a in audit] == [
        (0, user_hash(PERSON), "vacancy:consent")
    ]
    assert str(PERSON) not in audit[0]["detail"]

    # A repeated yes (an old consent message) changes nothing.
    vid = vacancy_id(bot, "CRANE")
    await tap(bot, user, f"v:y:{vid}:0:m", listing.message_id)
    assert user.callback_answers[-1].get("text") == t.plain("vacancy-already-interested")
    assert bot.rows("SELECT consented_at FROM vacancy_applications")[0][0] == row["consented_at"]

    await user.press(t("btn-vacancy-withdraw"))
    await bot.settle()
    shown = user.message(listing.message_id)
    assert t.plain("vacancy-interest-withdrawn", employer="PT Baja Pesisir") in (shown.plain_text or "")
    assert shown.button_texts() == [t("btn-vacancy-interested"), t("btn-vacancy-more"), t("btn-back")]
    assert bot.rows("SELECT withdrawn_at FROM vacancy_applications")[0][0] is not None
    actions = [a[0] for a in bot.rows("SELECT action FROM audit_log WHERE action LIKE 'vacancy:%' ORDER BY id")]
    assert actions == ["vacancy:consent", "vacancy:withdraw"]
    # Withdrawing again: nothing to withdraw.
    await tap(bot, user, f"v:w:{vid}:0:m", listing.message_id)
    assert user.callback_answers[-1].get("text") == t.plain("vacancy-not-interested")


async def test_once_sent_to_the_employer_the_interest_cannot_be_withdrawn(bot: BotHarness) -> None:
    t = bot.t()
    await catalogue(bot)
    participant = await looking_for_work(bot, PERSON)
    await import_vacancies(bot, vacancies_csv(vacancy_row("CRANE")))
    user = bot.user(PERSON)
    listing = await open_list(bot, user)
    vid = vacancy_id(bot, "CRANE")
    await tap(bot, user, f"v:i:{vid}:0:m", listing.message_id)
    assert t.plain("vacancy-consent-no-course") in (user.message(listing.message_id).plain_text or "")
    await tap(bot, user, f"v:y:{vid}:0:m", listing.message_id)
    assert bot.app is not None
    async with bot.app.bot_data.services.store.write() as unit:
        application = await unit.vacancies.application(vid, participant)
        assert application is not None
        await unit.vacancies.set_status(application.id, "sent", 1, bot.clock.now())
    await tap(bot, user, f"v:w:{vid}:0:m", listing.message_id)  # the old "Tarik minat"
    assert user.callback_answers[-1].get("text") == t.plain("vacancy-already-sent", employer="PT Baja Pesisir")
    (row,) = bot.rows("SELECT status, withdrawn_at FROM vacancy_applications")
    assert (row["status"], row["withdrawn_at"]) == ("sent", None)
    await tap(bot, user, f"v:d:{vid}:0:m", listing.message_id)
    shown = user.message(listing.message_id)
    assert t.plain("vacancy-progress-sent", employer="PT Baja Pesisir") in (shown.plain_text or "")
    assert shown.button_texts() == [t("btn-vacancy-more"), t("btn-back")]


async def test_forged_buttons_change_nothing(bot: BotHarness) -> None:
    t = bot.t()
    await catalogue(bot)
    await looking_for_work(bot, PERSON)
    other = await looking_for_work(bot, 6003)
    await import_vacancies(
        bot,
        vacancies_csv(vacancy_row("BOT"), vacancy_row("CALL", cara_melamar="Telepon HRD 0254-111222")),
    )
    user = bot.user(PERSON)
    listing = await open_list(bot, user)
    before = user.message(listing.message_id).plain_text
    bot_id, call_id = vacancy_id(bot, "BOT"), vacancy_id(bot, "CALL")
    # Someone else's interest cannot be withdrawn from here: the button acts for the one who presses it.
    assert bot.app is not None
    async with bot.app.bot_data.services.store.write() as unit:
        await unit.vacancies.apply(bot_id, other, CONSENT_VERSION, bot.clock.now())
    for data, answer in (
        (f"v:i:{call_id}:0:m", t.plain("vacancy-not-through-bot")),
        (f"v:y:{call_id}:0:m", t.plain("vacancy-not-through-bot")),
        ("v:y:999999:0:m", t.plain("vacancy-closed")),
        ("v:d:999999:0:a", t.plain("vacancy-closed")),
        (f"v:w:{bot_id}:0:m", t.plain("vacancy-not-interested")),
        ("v:p:0:77", t("button-stale")),
        ("v:d:x:0:a", t("button-stale")),
        ("v:q:1:0:a", t("button-stale")),
    ):
        await tap(bot, user, data, listing.message_id)
        assert user.callback_answers[-1].get("text") == answer, data
    assert user.message(listing.message_id).plain_text == before
    rows = bot.rows("SELECT participant_id, withdrawn_at FROM vacancy_applications")
    assert [(r[0], r[1]) for r in rows] == [(other, None)]


# --------------------------------------------------------------------- /dataku


async def test_mydata_lists_the_applications(bot: BotHarness) -> None:
    t = bot.t()
    await catalogue(bot)
    await looking_for_work(bot, PERSON)
    await import_vacancies(bot, vacancies_csv(vacancy_row("CRANE"), vacancy_row("LIFT", perusahaan="PT Angkat")))
    user = bot.user(PERSON)
    listing = await open_list(bot, user)
    for code in ("CRANE", "LIFT"):
        await tap(bot, user, f"v:y:{vacancy_id(bot, code)}:0:m", listing.message_id)
    await tap(bot, user, f"v:w:{vacancy_id(bot, 'LIFT')}:0:m", listing.message_id)
    await say(bot, user, "/dataku")
    await press(bot, user, t("btn-mydata-yes"))
    document = [m for m in user.messages if m.kind == "document"][-1]
    assert document.document is not None
    lines = document.document.decode("utf-8").splitlines()
    assert t.plain("mydata-file-section-applications") in lines
    start = lines.index(t.plain("mydata-file-section-applications"))
    section = "\n".join(lines[start:])
    assert t.plain("mydata-file-application", code="CRANE", employer="PT Baja Pesisir") in section
    assert t.plain("mydata-file-application", code="LIFT", employer="PT Angkat") in section
    assert t.plain("mydata-application-interested") in section
    assert f"{t.plain('mydata-file-consent-version')}: {CONSENT_VERSION}" in section
    withdrawn = [line for line in lines[start:] if t.plain("mydata-file-withdrawn-at") in line]
    assert len(withdrawn) == 2 and sum(line.endswith(": -") for line in withdrawn) == 1
