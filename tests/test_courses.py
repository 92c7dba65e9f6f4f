"""The catalogue from a participant's phone: browsing, details, enrolling, the waitlist, Jadwal Saya, .ics."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
from openpyxl import Workbook

from bot.services.catalogue_import import COLUMNS
from fakegram import FakeTelegram, FakeUser
from tests.catalogue_data import SAMPLE, catalogue_csv, course_row, import_catalogue, seed_participant
from tests.flows import say
from tests.harness import BotHarness


def course_id(bot: BotHarness, code: str) -> int:
    return int(bot.rows("SELECT id FROM courses WHERE code = ?", (code,))[0]["id"])


def enrolment_states(bot: BotHarness, code: str) -> dict[int, str]:
    rows = bot.rows(
        "SELECT p.telegram_user_id, e.status FROM enrollments e JOIN participants p ON p.id = e.participant_id"
        " JOIN courses c ON c.id = e.course_id WHERE c.code = ?",
        (code,),
    )
    return {row[0]: row[1] for row in rows}


async def open_list(bot: BotHarness, user: FakeUser) -> int:
    listing = await say(bot, user, "/pelatihan")
    return listing.message_id


async def tap(bot: BotHarness, user: FakeUser, data: str, message_id: int) -> None:
    await user.press_data(data, message_id=message_id)
    await bot.settle()


async def test_browsing_edits_one_message_with_the_home_province_first(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, SAMPLE.read_bytes())
    user = bot.user(5001)
    await seed_participant(bot, 5001, province_code="31")  # DKI Jakarta
    listing = await say(bot, user, "/pelatihan")
    text = listing.plain_text or ""
    assert "(halaman 1/2)" in text
    first_two = [b for b in listing.button_texts() if b[0].isdigit()][:2]
    assert all("." in b for b in first_two)
    # Jakarta's two courses come first.
    assert text.index("Kota Jakarta") < text.index("Kota Cilegon")
    assert len([b for b in listing.button_texts() if b[0].isdigit()]) == 8
    assert t("btn-next") in listing.button_texts()

    await user.press(t("btn-next"))
    await bot.settle()
    page_two = user.message(listing.message_id)
    assert "(halaman 2/2)" in (page_two.plain_text or "")
    assert len([b for b in page_two.button_texts() if b[0].isdigit()]) == 2
    assert t("btn-previous") in page_two.button_texts()
    assert len(user.messages) == 1  # browsing never sent a second message


async def test_filter_by_category(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, SAMPLE.read_bytes())
    user = bot.user(5002)
    await seed_participant(bot, 5002)
    message_id = await open_list(bot, user)
    await user.press(t("btn-filter"))
    await bot.settle()
    categories = user.message(message_id).button_texts()
    assert "Alat Berat" in categories
    await user.press("Alat Berat")
    await bot.settle()
    filtered = user.message(message_id)
    assert t("courses-title-filtered", category="Alat Berat") in (filtered.text or "")
    titles = [b for b in filtered.button_texts() if b[0].isdigit()]
    assert titles == ["1. Operator Crane", "2. Operator Forklift"]


async def test_course_detail_shows_sessions_in_the_venue_zone(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, SAMPLE.read_bytes())
    user = bot.user(5003)
    await seed_participant(bot, 5003)
    message_id = await open_list(bot, user)
    for code, label in (
        ("MDO-DM-01", "08.00–15.00 WITA"),
        ("JYP-MOTOR-01", "08.00–15.00 WIT"),
        ("CLG-CRANE-01", "WIB"),
    ):
        await tap(bot, user, f"c:d:{course_id(bot, code)}:0:a", message_id)
        detail = user.message(message_id)
        assert label in (detail.plain_text or ""), code
        assert detail.button_texts() == [t("btn-enrol"), t("btn-location"), t("btn-course-more"), t("btn-back")]
    crane = user.message(message_id).plain_text or ""
    assert "▶️ Mulai Senin, 7 Desember 2026" in crane and "🕗 Biasanya 08.00–16.00 WIB" in crane
    assert "Pelabuhan Ciwandan" not in crane and t("course-summary-elsewhere") in crane
    assert "20 kursi tersisa" in crane
    await user.press(t("btn-course-more"), message_id=message_id)
    await bot.settle()
    every = user.message(message_id).plain_text or ""
    assert "Senin, 7 Desember 2026 08.00–16.00 WIB: Pengenalan crane dan K3 dasar" in every
    assert "Pelabuhan Ciwandan" in every  # a session at another venue


async def test_enrol_then_schedule_and_calendar_file(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, SAMPLE.read_bytes())
    user = bot.user(5004)
    await seed_participant(bot, 5004)
    message_id = await open_list(bot, user)
    crane = course_id(bot, "CLG-CRANE-01")
    await tap(bot, user, f"c:d:{crane}:0:a", message_id)
    await user.press(t("btn-enrol"))
    await bot.settle()
    assert user.message(message_id).text == t("enrol-confirm", title="Operator Crane")
    await user.press(t("btn-enrol-confirm"))
    await bot.settle()
    assert user.message(message_id).text == t("enrolled", title="Operator Crane")
    sessions = user.new_messages()[-1]
    assert "Senin, 7 Desember 2026 08.00–16.00 WIB" in (sessions.plain_text or "")
    assert enrolment_states(bot, "CLG-CRANE-01") == {5004: "enrolled"}

    schedule = await say(bot, user, t("menu-schedule"))
    assert "Operator Crane" in (schedule.plain_text or "")
    assert t("status-enrolled") in (schedule.text or "")
    await user.press(t("btn-ics"))
    await bot.settle()
    document = user.new_messages()[-1]
    assert document.kind == "document"
    assert document.file_name == "jadwal-pelatihan.ics"
    assert document.document is not None
    calendar = icalendar.Calendar.from_ical(document.document)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    session_rows = bot.rows(
        "SELECT starts_at, ends_at FROM course_sessions WHERE course_id = ? ORDER BY position", (crane,)
    )
    assert len(events) == len(session_rows) == 10
    assert events[0].decoded("dtstart") == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 08:00 WIB
    assert events[0].decoded("dtend") == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert str(events[0]["summary"]).startswith("Operator Crane: ")
    assert len({str(e["uid"]) for e in events}) == 10


async def test_enrolment_rules_explain_why_not(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(
        bot,
        catalogue_csv(
            course_row("A-01"),
            course_row("B-01", sesi="2026-12-07 09:00-12:00 Tumpang tindih"),
            course_row("C-01", status="tutup"),
            course_row("D-01", batas_pendaftaran="2026-11-24 12:00", sesi="2026-12-20 08:00-16:00 Nanti"),
        ),
    )
    user = bot.user(5005)
    await seed_participant(bot, 5005)
    message_id = await open_list(bot, user)
    listing = user.message(message_id)
    assert "Pelatihan C-01" not in (listing.plain_text or "")  # closed courses are not offered
    await tap(bot, user, f"c:y:{course_id(bot, 'A-01')}", message_id)
    assert enrolment_states(bot, "A-01") == {5005: "enrolled"}

    async def refused(data: str, key: str, title: str) -> None:
        await tap(bot, user, data, message_id)
        assert user.new_messages()[-1].text == t(key, title=title), data

    await refused(f"c:y:{course_id(bot, 'A-01')}", "enrol-already", "Pelatihan A-01")
    await refused(f"c:y:{course_id(bot, 'B-01')}", "enrol-limit", "Pelatihan A-01")
    await refused(f"c:e:{course_id(bot, 'C-01')}:0:a", "enrol-closed", "Pelatihan C-01")
    bot.advance(timedelta(days=2))
    await refused(f"c:y:{course_id(bot, 'D-01')}", "enrol-deadline-passed", "Pelatihan D-01")
    await tap(bot, user, "c:y:999999", message_id)
    assert user.new_messages()[-1].text == t("button-stale")
    assert bot.rows("SELECT COUNT(*) FROM enrollments")[0][0] == 1

    visitor = bot.user(5099)  # not registered: may browse, may not enrol
    visitor_list = await open_list(bot, visitor)
    await tap(bot, visitor, f"c:y:{course_id(bot, 'B-01')}", visitor_list)
    assert visitor.new_messages()[-1].text == t("not-registered")
    assert bot.rows("SELECT COUNT(*) FROM enrollments")[0][0] == 1


async def test_overlapping_sessions_are_refused_when_two_courses_are_allowed(
    server: FakeTelegram, tmp_path: Path
) -> None:
    bot = BotHarness(server, tmp_path / "two.db", max_active_enrollments=2)
    await bot.start()
    try:
        t = bot.t()
        await import_catalogue(
            bot,
            catalogue_csv(
                course_row("A-01"),
                course_row("B-01", sesi="2026-12-07 09:00-12:00 Tumpang tindih"),
                course_row("E-01", sesi="2026-12-21 08:00-16:00 Lain hari"),
            ),
        )
        user = bot.user(5006)
        await seed_participant(bot, 5006)
        message_id = await open_list(bot, user)
        await tap(bot, user, f"c:y:{course_id(bot, 'A-01')}", message_id)
        await tap(bot, user, f"c:y:{course_id(bot, 'B-01')}", message_id)
        assert user.new_messages()[-1].text == t("enrol-overlap", title="Pelatihan A-01")
        await tap(bot, user, f"c:y:{course_id(bot, 'E-01')}", message_id)
        assert enrolment_states(bot, "E-01") == {5006: "enrolled"}
    finally:
        await bot.stop()


async def test_waitlist_promotion_when_a_seat_frees_up(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("SMALL-01", kapasitas="1")))
    small = course_id(bot, "SMALL-01")
    first, second = bot.user(5007), bot.user(5008)
    await seed_participant(bot, 5007)
    await seed_participant(bot, 5008)
    first_list = await open_list(bot, first)
    await tap(bot, first, f"c:y:{small}", first_list)
    second_list = await open_list(bot, second)
    await tap(bot, second, f"c:e:{small}:0:a", second_list)
    offer = second.message(second_list)
    assert offer.text == t("enrol-confirm-waitlist", title="Pelatihan SMALL-01")
    await second.press(t("btn-join-waitlist"))
    await bot.settle()
    assert second.message(second_list).text == t("waitlisted", title="Pelatihan SMALL-01", position=1)
    assert enrolment_states(bot, "SMALL-01") == {5007: "enrolled", 5008: "waitlisted"}

    # The first participant cancels from Jadwal Saya; the seat goes to the second, who is told.
    second.new_messages()
    await say(bot, first, "/jadwal")
    await first.press(t("btn-cancel-enrollment", title="Pelatihan SMALL-01"))
    await bot.settle()
    assert first.new_messages()[-1].text == t("cancel-confirm", title="Pelatihan SMALL-01")
    await first.press(t("btn-cancel-yes"))
    await bot.settle()
    assert first.new_messages()[-1].text == t("cancelled", title="Pelatihan SMALL-01")
    assert enrolment_states(bot, "SMALL-01") == {5007: "cancelled", 5008: "enrolled"}
    told = (await second.wait_messages(1))[0]
    assert t("waitlist-promoted", title="Pelatihan SMALL-01", first="Senin, 7 Desember 2026 08.00 WIB") == told.text
    await bot.drain_outbox()
    outbox = bot.rows("SELECT kind, status FROM outbox WHERE telegram_user_id = 5008 ORDER BY id")
    # Told at once, and the promoted person now has the reminders (the evening question, one on each day).
    assert sorted((row[0], row[1]) for row in outbox) == [
        ("reminder_day_before", "pending"),
        ("reminder_soon", "pending"),
        ("reminder_soon", "pending"),
        ("waitlist_promoted", "sent"),
    ]


async def test_cancelling_is_refused_for_another_persons_enrolment_and_after_the_start(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("A-01")))
    owner, intruder = bot.user(5009), bot.user(5010)
    await seed_participant(bot, 5009)
    await seed_participant(bot, 5010)
    listing = await open_list(bot, owner)
    await tap(bot, owner, f"c:y:{course_id(bot, 'A-01')}", listing)
    enrolment = int(bot.rows("SELECT id FROM enrollments")[0][0])
    intruder_list = await open_list(bot, intruder)
    for data in (f"s:x:{enrolment}", f"s:c:{enrolment}", "s:x:424242", "s:zz", "c:y:abc"):
        await tap(bot, intruder, data, intruder_list)
        assert intruder.callback_answers[-1].get("text") == t("button-stale"), data
    assert enrolment_states(bot, "A-01") == {5009: "enrolled"}

    bot.advance(timedelta(days=14, hours=1))  # past the first session on 7 December
    await say(bot, owner, "/jadwal")
    await owner.press(t("btn-cancel-enrollment", title="Pelatihan A-01"))
    await bot.settle()
    assert owner.callback_answers[-1].get("text") == t("cancel-started", title="Pelatihan A-01")
    assert enrolment_states(bot, "A-01") == {5009: "enrolled"}


async def test_reimport_with_new_times_tells_enrolled_participants(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("A-01", kapasitas="1")))
    enrolled, waiting = bot.user(5011), bot.user(5012)
    await seed_participant(bot, 5011)
    await seed_participant(bot, 5012)
    await tap(bot, enrolled, f"c:y:{course_id(bot, 'A-01')}", await open_list(bot, enrolled))
    await tap(bot, waiting, f"c:w:{course_id(bot, 'A-01')}", await open_list(bot, waiting))
    enrolled.new_messages()
    waiting.new_messages()

    moved = "2026-12-07 08:00-16:00 Teori K3\n2026-12-09 10:00-15:00 Praktik"
    report = await import_catalogue(bot, catalogue_csv(course_row("A-01", kapasitas="2", sesi=moved)))
    assert (report.created, report.updated, report.rescheduled, report.notified, report.promoted) == (0, 1, 1, 1, 1)
    notice = (await enrolled.wait_messages(1))[0]
    assert t("schedule-changed", title="Pelatihan A-01", changes="").split("\n")[0] in (notice.text or "")
    assert "Selasa, 8 Desember 2026 08.00–16.00 WIB" in (notice.plain_text or "")
    assert "Rabu, 9 Desember 2026 10.00–15.00 WIB" in (notice.plain_text or "")
    assert "Teori K3" not in (notice.plain_text or "")  # unchanged sessions are not listed
    # The larger capacity gave the waiting person a seat.
    promoted = (await waiting.wait_messages(1))[0]
    assert (promoted.text or "").startswith(t("waitlist-promoted", title="Pelatihan A-01", first="x")[:20])
    assert enrolment_states(bot, "A-01") == {5011: "enrolled", 5012: "enrolled"}


async def test_a_hundred_people_press_daftar_for_the_last_five_seats(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("LAST-01", kapasitas="5")))
    course = course_id(bot, "LAST-01")
    users = [bot.user(6000 + i) for i in range(100)]
    for i in range(100):
        await seed_participant(bot, 6000 + i)
    lists = [await open_list(bot, user) for user in users]
    # Every press is queued before the bot fetches any of them, so they are handled concurrently.
    await asyncio.gather(
        *(user.press_data(f"c:y:{course}", message_id=m) for user, m in zip(users, lists, strict=True))
    )
    await bot.settle(timeout=60)

    states = enrolment_states(bot, "LAST-01")
    assert list(states.values()).count("enrolled") == 5
    assert len(states) == 5  # the others did not silently join the waitlist
    offered = [
        u
        for u, m in zip(users, lists, strict=True)
        if u.message(m).text == t("enrol-confirm-waitlist", title="Pelatihan LAST-01")
    ]
    enrolled = [
        u for u, m in zip(users, lists, strict=True) if u.message(m).text == t("enrolled", title="Pelatihan LAST-01")
    ]
    assert len(enrolled) == 5
    assert len(offered) == 95
    assert {u.user_id for u in enrolled} == set(states)


async def test_staff_import_the_catalogue_by_sending_the_file(server: FakeTelegram, tmp_path: Path) -> None:
    bot = BotHarness(server, tmp_path / "staff.db", admin_ids="7001")
    await bot.start()
    try:
        t = bot.t()
        admin, stranger = bot.user(7001), bot.user(7002)
        await admin.send_document(SAMPLE.read_bytes(), "katalog.csv")
        await bot.settle()
        report = admin.new_messages()[-1]
        assert report.text == t("import-done", created=10, updated=0, rescheduled=0, notified=0, promoted=0)
        assert bot.rows("SELECT COUNT(*) FROM courses")[0][0] == 10

        bad = catalogue_csv(course_row("OK-01"), course_row("BAD-01", provinsi="Atlantis", kapasitas="0"))
        await admin.send_document(bad, "katalog.csv")
        await bot.settle()
        rejected = admin.new_messages()[-1].text or ""
        assert rejected.startswith(t("import-rejected", count=2))
        assert t("import-problem", row=3, reason=t("err-import-province-unknown", value="Atlantis")) in rejected
        assert "baris 3: kapasitas" in rejected
        assert bot.rows("SELECT COUNT(*) FROM courses WHERE code = 'OK-01'")[0][0] == 0  # all or nothing

        workbook = Workbook()
        sheet = workbook.active
        sheet.append(list(COLUMNS))
        sheet.append([course_row("XLSX-01")[column] for column in COLUMNS])
        buffer = io.BytesIO()
        workbook.save(buffer)
        await admin.send_document(
            buffer.getvalue(),
            "katalog.xlsx",
            mime_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        await bot.settle()
        assert admin.new_messages()[-1].text == t(
            "import-done", created=1, updated=0, rescheduled=0, notified=0, promoted=0
        )

        await stranger.send_document(bad, "katalog.csv")  # not staff: the file is not read
        await bot.settle()
        assert stranger.new_messages()[-1].text == t("not-registered")
        assert bot.rows("SELECT COUNT(*) FROM courses")[0][0] == 11
    finally:
        await bot.stop()


async def test_erasing_data_gives_the_seat_to_the_waitlist(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("ONE-01", kapasitas="1")))
    leaving, waiting = bot.user(5020), bot.user(5021)
    await seed_participant(bot, 5020)
    await seed_participant(bot, 5021)
    await tap(bot, leaving, f"c:y:{course_id(bot, 'ONE-01')}", await open_list(bot, leaving))
    await tap(bot, waiting, f"c:w:{course_id(bot, 'ONE-01')}", await open_list(bot, waiting))
    waiting.new_messages()
    await say(bot, leaving, "/hapusdata")
    await leaving.press(t("btn-erase-yes"))
    await bot.settle()
    assert (await waiting.wait_messages(1))[0].text == t(
        "waitlist-promoted", title="Pelatihan ONE-01", first="Senin, 7 Desember 2026 08.00 WIB"
    )
    # The erased person's cancelled enrolment stays for statistics, no longer linked to a Telegram account.
    assert enrolment_states(bot, "ONE-01") == {None: "cancelled", 5021: "enrolled"}


async def test_a_long_course_lists_its_first_sessions_and_counts_the_rest(bot: BotHarness) -> None:
    t = bot.t()
    days = [f"2026-12-{day:02d} 08:00-16:00 Sesi ke-{day} dengan topik yang cukup panjang" for day in range(7, 27)]
    await import_catalogue(bot, catalogue_csv(course_row("LONG-01", sesi="\n".join(days))))
    user = bot.user(5030)
    await seed_participant(bot, 5030)
    message_id = await open_list(bot, user)
    await tap(bot, user, f"c:a:{course_id(bot, 'LONG-01')}:0:a", message_id)
    detail = user.message(message_id).plain_text or ""
    assert "Sesi ke-21 " in detail and "Sesi ke-22 " not in detail  # 7..21 is fifteen sessions
    assert t("sessions-more", count=5) in detail
    assert len(detail) < 4096


async def test_optional_fields_left_empty_are_not_shown(bot: BotHarness) -> None:
    """No lone "-" for a course without a description, no "(-)" after an institute without a contact."""
    await import_catalogue(
        bot,
        catalogue_csv(
            course_row("BARE-01", deskripsi="", kontak_lpk="", lpk="LPK Citra Rasa"),
            course_row("FULL-01", lpk="LPK Citra Boga"),
        ),
    )
    user = bot.user(5031)
    await seed_participant(bot, 5031)
    message_id = await open_list(bot, user)
    for view in ("d", "a"):  # the summary and "Selengkapnya"
        await tap(bot, user, f"c:{view}:{course_id(bot, 'BARE-01')}:0:a", message_id)
        bare = (user.message(message_id).plain_text or "").splitlines()
        assert "-" not in bare and not any("(-)" in line or line.endswith(": -") for line in bare), view
        after = bare[2] if view == "d" else bare[3]  # in the whole view, a blank line before the institute
        assert bare[1].startswith("Alat Berat") and after.startswith("📍" if view == "d" else "🏫"), view
    assert "🏫 Lembaga pelatihan (LPK): LPK Citra Rasa" in bare
    await tap(bot, user, f"c:d:{course_id(bot, 'FULL-01')}:0:a", message_id)
    summary = (user.message(message_id).plain_text or "").splitlines()
    assert summary[:3] == ["Pelatihan FULL-01", "Alat Berat · LPK Citra Boga", "Pelatihan singkat."]
    await tap(bot, user, f"c:a:{course_id(bot, 'FULL-01')}:0:a", message_id)
    full = (user.message(message_id).plain_text or "").splitlines()
    assert full[:5] == ["Pelatihan FULL-01", "Alat Berat", "", "Pelatihan singkat.", ""]
    assert "🏫 Lembaga pelatihan (LPK): LPK Citra Boga (0254-5550101)" in full


async def test_a_province_without_open_courses_is_told_and_sees_the_nearest_first(bot: BotHarness) -> None:
    t = bot.t()
    rows = [
        course_row("A1", kabupaten_kota="Kota Ambon", provinsi="Maluku", lpk="LPK Ambon", kota_lpk="Kota Ambon"),
        course_row(
            "B1", kabupaten_kota="Kota Bandung", provinsi="Jawa Barat", lpk="LPK Bandung", kota_lpk="Kota Bandung"
        ),
        course_row("C1", kategori="Kuliner"),  # Kota Cilegon, Banten
    ]
    await import_catalogue(bot, catalogue_csv(*rows))
    jakarta, cilegon = bot.user(5001), bot.user(5002)
    await seed_participant(bot, 5001, province_code="31")  # DKI Jakarta: no course there
    await seed_participant(bot, 5002, province_code="36")  # Banten

    listing = await say(bot, jakarta, "/pelatihan")
    text = listing.plain_text or ""
    assert listing.text is not None and listing.text.startswith(t("courses-none-home", province="DKI Jakarta"))
    # Banten (Serang, about 80 km) and Jawa Barat (Bandung, about 120 km) before Maluku, although "Pelatihan A1"
    # comes first by date and title.
    assert text.index("Pelatihan C1") < text.index("Pelatihan B1") < text.index("Pelatihan A1")

    # Filtered by a category: the notice names it.
    await tap(bot, jakarta, "c:p:0:0", listing.message_id)  # the first category: Alat Berat
    filtered = jakarta.message(listing.message_id).text or ""
    assert filtered.startswith(t("courses-none-home-filtered", province="DKI Jakarta", category="Alat Berat"))
    assert filtered.index("Pelatihan B1") < filtered.index("Pelatihan A1") and "Pelatihan C1" not in filtered

    # Someone whose province has a course sees it first, without the notice.
    own = (await say(bot, cilegon, "/pelatihan")).text or ""
    assert own.startswith(t("courses-title"))
    assert own.index("Pelatihan C1") < own.index("Pelatihan B1") < own.index("Pelatihan A1")


async def test_a_list_deleted_while_its_button_was_pressed_comes_back_as_a_new_message(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, SAMPLE.read_bytes())
    user = bot.user(5003)
    await seed_participant(bot, 5003, province_code="31")
    listing = await say(bot, user, "/pelatihan")
    await user.press(t("btn-next"), message_id=listing.message_id)
    assert user.delete_message(listing.message_id)  # deleted on the phone before the bot edits it
    await bot.settle()
    [page_two] = user.new_messages()
    assert page_two.message_id != listing.message_id and "(halaman 2/2)" in (page_two.plain_text or "")
    assert t("err-internal") not in (page_two.text or "")
