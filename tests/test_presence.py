"""Real attendance: the venue's QR (window, rotation, wrong course, duplicates), the roll call, the location check."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.context import Services
from bot.services.catalogue_import import COLUMNS, COORDINATE_COLUMNS
from bot.services.enrollment import Enrolled
from fakegram import BotMessage, FakeTelegram, FakeUser
from tests.catalogue_data import course_row, import_catalogue, seed_participant
from tests.conftest import ADMIN_ID
from tests.harness import WIB, BotHarness

# The default test course runs 7-8 December 2026, 08:00-16:00 WIB (tests/catalogue_data.py).
DAY_ONE = datetime(2026, 12, 7, tzinfo=WIB)
# Kautsar Institute's venue in Cilegon, for the location check.
VENUE = ("-6.0174", "106.0539")


def services(bot: BotHarness) -> Services:
    assert bot.app is not None
    return bot.app.bot_data.services


async def courses(bot: BotHarness, people: dict[str, list[int]], **course: str) -> dict[str, int]:
    """Courses by code, each with these participants enrolled (the clock before their deadline)."""
    await import_catalogue(bot, with_coordinates(*(course_row(code, **course) for code in people)))
    ids = {}
    for code, user_ids in people.items():
        ids[code] = int(bot.rows("SELECT id FROM courses WHERE code = ?", (code,))[0]["id"])
        for user_id in user_ids:
            await seed_participant(bot, user_id)
            assert isinstance(await services(bot).enrollment.enrol(user_id, ids[code], waitlist=False), Enrolled)
    return ids


def with_coordinates(*rows: dict[str, str]) -> bytes:
    """A catalogue file with the optional lat, lon columns."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, *COORDINATE_COLUMNS], restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def at(bot: BotHarness, hour: int, minute: int = 0, day: int = 0) -> None:
    """Move the clock to this time of the course's first day (or a later one)."""
    bot.advance(DAY_ONE + timedelta(days=day, hours=hour, minutes=minute) - bot.clock.now())


async def say(bot: BotHarness, user: FakeUser, text: str) -> BotMessage:
    await user.send_text(text)
    await bot.settle()
    new = user.new_messages()
    assert new, "the bot did not answer"
    return new[-1]


async def show_qr(bot: BotHarness, admin: FakeUser, position: int = 1, code: str = "K1") -> BotMessage:
    """/absen, the session, "Tampilkan kode QR": the photo."""
    t = bot.t()
    listing = await say(bot, admin, "/absen")
    [label] = [b for b in listing.button_texts() if b.startswith(f"Sesi {position} ") and f"Pelatihan {code} " in b]
    await admin.press(label)
    await bot.settle()
    await admin.press(t("btn-presence-qr"))
    await bot.settle()
    photo = admin.new_messages()[-1]
    assert photo.kind == "photo" and photo.photo and photo.photo.startswith(b"\x89PNG")
    return photo


def code_of(message: BotMessage) -> str:
    found = re.search(r"\?start=h-([A-Za-z0-9_-]+)", message.caption or "")
    assert found, message.caption
    return found.group(1)


async def rotate(bot: BotHarness) -> None:
    """What the QR's job does every few minutes (run by hand: the test's clock is not the job queue's)."""
    assert bot.app is not None and bot.app.job_queue is not None
    jobs = [job for job in bot.app.job_queue.jobs() if (job.name or "").startswith("attendance_qr")]
    assert jobs, "no QR is being rotated"
    for job in jobs:
        await job.run(bot.app)
    await bot.settle()


def presence(bot: BotHarness) -> dict[int, tuple[str, str, str]]:
    return {
        r["telegram_user_id"]: (r["status"], r["source"], r["location"])
        for r in bot.rows(
            "SELECT p.telegram_user_id, sp.status, sp.source, sp.location FROM session_presence sp"
            " JOIN enrollments e ON e.id = sp.enrollment_id JOIN participants p ON p.id = e.participant_id"
        )
    }


async def test_qr_scan_in_the_window_duplicate_rotation_and_refusals(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await courses(bot, {"K1": [1001, 1002, 1004], "K2": [1003]}, kapasitas="5")
    admin = bot.user(ADMIN_ID)
    at(bot, 7, 5)
    photo = await show_qr(bot, admin)
    assert "Pelatihan K1" in (photo.caption or "")
    first = code_of(photo)
    assert f"https://t.me/{bot.server.bot_username}?start=h-{first}" in (photo.caption or "")

    # Inside the window: recorded with the time; scanning again gives the same answer and writes nothing new.
    at(bot, 7, 7)
    recorded = t("presence-recorded", position=1, title="Pelatihan K1", time="07.07 WIB")
    assert (await say(bot, bot.user(1001), f"/start h-{first}")).text == recorded
    at(bot, 7, 9)
    assert (await say(bot, bot.user(1001), f"/start h-{first}")).text == recorded
    assert presence(bot) == {1001: ("present", "qr", "not_checked")}
    assert len(bot.rows("SELECT * FROM session_presence")) == 1

    # Rotated: the photo is edited with a new code; the old one stops working a minute later.
    at(bot, 7, 10)
    await rotate(bot)
    edited = admin.message(photo.message_id)
    assert edited.edit_count == 1 and edited.photo != photo.photo
    second = code_of(edited)
    assert second != first
    at(bot, 7, 12)
    assert (await say(bot, bot.user(1002), f"/start h-{first}")).text == t("presence-code-replaced")
    assert 1002 not in presence(bot)
    assert (await say(bot, bot.user(1002), f"/start h-{second}")).text == t(
        "presence-recorded", position=1, title="Pelatihan K1", time="07.12 WIB"
    )

    # Another course's participant, an unknown code, someone not registered: each its own answer, nothing kept.
    assert (await say(bot, bot.user(1003), f"/start h-{second}")).text == t(
        "presence-not-enrolled", title="Pelatihan K1"
    )
    assert (await say(bot, bot.user(1004), "/start h-tidakada")).text == t("presence-code-unknown")
    stranger = bot.user(1009, "Tamu")
    await stranger.send_text(f"/start h-{second}")
    await bot.settle()
    told, notice = stranger.new_messages()
    assert told.text == t("presence-register-first")
    assert notice.text == t("consent-notice")
    assert set(presence(bot)) == {1001, 1002}

    # A code left unrotated (after a restart the job is gone) expires on its own.
    at(bot, 7, 30)
    assert (await say(bot, bot.user(1004), f"/start h-{second}")).text == t("presence-code-replaced")

    # After the session's end: closed, and the QR's job closes the photo.
    at(bot, 16, 1)
    await rotate(bot)
    assert admin.message(photo.message_id).caption == t("presence-qr-closed")
    assert (await say(bot, bot.user(1004), f"/start h-{second}")).text == t(
        "presence-closed", position=1, title="Pelatihan K1"
    )
    assert set(presence(bot)) == {1001, 1002}


async def test_scanning_before_the_window_opens(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await courses(bot, {"K1": [1001]})
    admin = bot.user(ADMIN_ID)
    at(bot, 9)  # session 1 under way; session 2 is tomorrow at 08:00
    photo = await show_qr(bot, admin, position=2)
    answer = await say(bot, bot.user(1001), f"/start h-{code_of(photo)}")
    assert answer.text == t("presence-not-open", title="Pelatihan K1", at="Selasa, 8 Desember 2026 07.00 WIB")
    assert presence(bot) == {}


async def test_roll_call_one_message_paged_and_forged_marks_refused(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    people = list(range(1001, 1010))  # nine: two pages of eight
    ids = await courses(bot, {"K1": people, "K2": [1020]}, kapasitas="10")
    admin = bot.user(ADMIN_ID)
    at(bot, 9)
    listing = await say(bot, admin, "/absen")
    [label] = [b for b in listing.button_texts() if b.startswith("Sesi 1 ") and "Pelatihan K1 " in b]
    await admin.press(label)
    await bot.settle()
    await admin.press(t("btn-roll-call"))
    await bot.settle()
    roll = admin.message(listing.message_id)  # the same message, edited in place
    assert roll.text is not None and "Presensi manual" in roll.text
    assert "Peserta 1001 · NIK 3201********1001" in roll.text and "Peserta 1009" not in roll.text
    await admin.press("1 ✅", message_id=listing.message_id)
    await bot.settle()
    await admin.press("2 📝", message_id=listing.message_id)
    await bot.settle()
    await admin.press(t("btn-next"), message_id=listing.message_id)
    await bot.settle()
    page_two = admin.message(listing.message_id)
    assert "Peserta 1009" in (page_two.text or "") and "Peserta 1001" not in (page_two.text or "")
    await admin.press("9 ❌", message_id=listing.message_id)
    await bot.settle()
    assert presence(bot) == {
        1001: ("present", "roll_call", "staff"),
        1002: ("excused", "roll_call", "staff"),
        1009: ("absent", "roll_call", "staff"),
    }
    assert [m.message_id for m in admin.messages] == [listing.message_id]  # all of it in the one message

    # Forged: an enrolment of another course under this session; a participant pressing the staff's buttons.
    session_id = int(
        bot.rows("SELECT id FROM course_sessions WHERE course_id = ? AND position = 1", (ids["K1"],))[0][0]
    )
    other = int(bot.rows("SELECT id FROM enrollments WHERE course_id = ?", (ids["K2"],))[0][0])
    await admin.press_data(f"pr:x:{session_id}:{other}:p:0", message_id=listing.message_id)
    await bot.settle()
    participant = bot.user(1001)
    await participant.send_text("/absen")
    await bot.settle()
    assert participant.new_messages()[-1].text == t("unknown-command")
    await participant.press_data(f"pr:m:{session_id}:0")
    await bot.settle()
    assert 1020 not in presence(bot)
    refused = [(r["action"], r["actor"]) for r in bot.rows("SELECT action, actor FROM audit_log WHERE allowed = 0")]
    # The forged mark by the admin (staff: by id), the participant's /absen and button (by pseudonym, actor 0).
    assert {("refused:button:presence", ADMIN_ID), ("refused:absen", 0), ("refused:button:presence", 0)} <= set(refused)
    alerts = [r.params for r in bot.server.requests_for("answerCallbackQuery") if r.params.get("show_alert")]
    assert len(alerts) == 2 and all(a["text"] == t("button-stale") for a in alerts)


@pytest.fixture
async def located_bot(server: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotHarness]:
    harness = BotHarness(
        server,
        tmp_path / "vokasi.db",
        admin_ids=str(ADMIN_ID),
        attendance_require_location=True,
        attendance_radius_m=300,
    )
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_location_accepted_within_the_radius_and_refused_beyond(located_bot: BotHarness) -> None:
    bot, t = located_bot, located_bot.t()
    await courses(bot, {"K1": [1001]}, lat=VENUE[0], lon=VENUE[1])
    await courses(bot, {"K2": [1002]})  # no coordinates: not checked
    admin = bot.user(ADMIN_ID)
    at(bot, 7, 30)
    code = code_of(await show_qr(bot, admin))
    participant = bot.user(1001)
    asked = await say(bot, participant, f"/start h-{code}")
    assert asked.text == t("presence-ask-location", title="Pelatihan K1")
    assert participant.reply_keyboard is not None
    assert participant.reply_keyboard[0][0].get("request_location") is True
    assert presence(bot) == {1001: ("absent", "qr", "pending")}

    await participant.send_location(-6.2, 106.8)  # Jakarta, some 90 km away
    await bot.settle()
    far = participant.new_messages()[-1]
    assert far.text is not None and far.text.startswith("Lokasi Anda sekitar") and "jarak 300 meter" in far.text
    assert presence(bot) == {1001: ("absent", "qr", "pending")}

    at(bot, 7, 34)
    await participant.send_location(-6.0180, 106.0545)  # about 90 m from the venue
    await bot.settle()
    assert participant.new_messages()[-1].text == t(
        "presence-recorded", position=1, title="Pelatihan K1", time="07.34 WIB"
    )
    assert presence(bot)[1001] == ("present", "qr", "inside")

    # A location nobody asked for gets what any other message gets.
    await participant.send_location(-6.0180, 106.0545)
    await bot.settle()
    assert participant.new_messages()[-1].text == t("menu-only-text")

    # A course without coordinates: recorded at once, "lokasi tidak diperiksa".
    other = code_of(await show_qr(bot, admin, code="K2"))
    assert (await say(bot, bot.user(1002), f"/start h-{other}")).text == t(
        "presence-recorded", position=1, title="Pelatihan K2", time="07.34 WIB"
    )
    assert presence(bot)[1002] == ("present", "qr", "not_checked")


async def test_completion_asks_staff_about_those_below_the_attendance_rule(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    ids = await courses(bot, {"K1": [1001, 1002, 1003]})
    sessions = [
        int(r[0])
        for r in bot.rows("SELECT id FROM course_sessions WHERE course_id = ? ORDER BY position", (ids["K1"],))
    ]
    enrolment = {
        r["telegram_user_id"]: int(r["id"])
        for r in bot.rows(
            "SELECT e.id, p.telegram_user_id FROM enrollments e JOIN participants p ON p.id = e.participant_id"
        )
    }
    marks = {1001: ("present", "present"), 1002: ("present", "absent"), 1003: ("absent", "excused")}
    for day, session_id in enumerate(sessions):
        at(bot, 9, day=day)
        for user_id, statuses in marks.items():
            await services(bot).presence.mark(ADMIN_ID, session_id, enrolment[user_id], statuses[day])
    at(bot, 17, day=1)
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, "/selesai")
    await admin.press(admin.last_message.button_texts()[0] if admin.last_message else "")
    await bot.settle()
    roster = admin.last_message
    assert roster is not None and roster.text is not None
    assert t("complete-roster-short", attended=1, counted=2) in roster.text
    await admin.press(t("btn-complete-all", count=3))
    await bot.settle()
    await admin.press(t("btn-complete-all-yes", count=3))
    await bot.settle()
    done = admin.last_message
    assert done is not None and done.text is not None
    assert t("complete-short", count=2) in done.text
    assert "Peserta 1002: belum memenuhi kehadiran, hadir 1 dari 2 sesi (minimal 80%)" in done.text
    assert "Peserta 1001" not in done.text

    def states() -> dict[int, str]:
        return {k: bot.rows("SELECT status FROM enrollments WHERE id = ?", (v,))[0][0] for k, v in enrolment.items()}

    assert states() == {1001: "completed", 1002: "enrolled", 1003: "enrolled"}
    await admin.press(t.plain("btn-complete-anyway", name="Peserta 1002"))
    await bot.settle()
    # Back in the roster, the one left is marked, and asked about the same way.
    roster = admin.message(done.message_id)
    assert t("complete-roster-short", attended=0, counted=2) in (roster.text or "")
    await admin.press("Peserta 1003", message_id=done.message_id)
    await bot.settle()
    assert "hadir 0 dari 2 sesi" in (admin.message(done.message_id).text or "")
    await admin.press(t.plain("btn-not-completed", name="Peserta 1003"), message_id=done.message_id)
    await bot.settle()
    assert states() == {1001: "completed", 1002: "completed", 1003: "dropped"}
    # The certificates count the sessions they were recorded present at; the one not completed has none.
    certified = {
        r["telegram_user_id"]: (r["sessions_attended"], r["sessions_total"])
        for r in bot.rows(
            "SELECT p.telegram_user_id, c.sessions_attended, c.sessions_total FROM certificates c"
            " JOIN participants p ON p.id = c.participant_id"
        )
    }
    assert certified == {1001: (2, 2), 1002: (1, 2)}
    kept = {r["action"] for r in bot.rows("SELECT action FROM audit_log WHERE allowed = 1")}
    assert {"completion:completed", "completion:dropped", "presence:present"} <= kept


async def test_jadwal_shows_attendance_of_past_sessions(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await courses(bot, {"K1": [1001]})
    admin = bot.user(ADMIN_ID)
    at(bot, 7, 30)
    code = code_of(await show_qr(bot, admin))
    await say(bot, bot.user(1001), f"/start h-{code}")
    at(bot, 12, day=1)  # session 2 under way, nothing recorded yet
    schedule = await say(bot, bot.user(1001), "/jadwal")
    assert schedule.text is not None
    summary = t("schedule-presence-summary", present=1, absent=0, excused=0, past=2)
    assert summary in schedule.text  # the short view: attendance in one line
    await bot.user(1001).press(t("btn-show-all"), message_id=schedule.message_id)
    await bot.settle()
    every = bot.user(1001).message(schedule.message_id).text or ""
    assert t("schedule-presence-present", position=1, day="7 Desember 2026") in every
    assert t("schedule-presence-none", position=2, day="8 Desember 2026") in every

    # Erasure keeps the record for the figures, linked to the anonymous participant row only.
    await services(bot).accounts.erase(1001)
    [row] = bot.rows(
        "SELECT sp.status, p.full_name, p.telegram_user_id FROM session_presence sp"
        " JOIN enrollments e ON e.id = sp.enrollment_id JOIN participants p ON p.id = e.participant_id"
    )
    assert (row["status"], row["full_name"], row["telegram_user_id"]) == ("present", None, None)


async def test_reports_show_real_attendance_apart_from_the_intent(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await courses(bot, {"K1": [1001, 1002]})
    [session_id] = [int(r[0]) for r in bot.rows("SELECT id FROM course_sessions WHERE position = 1")]
    enrolment = {
        r["telegram_user_id"]: int(r["id"])
        for r in bot.rows(
            "SELECT e.id, p.telegram_user_id FROM enrollments e JOIN participants p ON p.id = e.participant_id"
        )
    }
    at(bot, 9)
    async with services(bot).store.write() as unit:  # both had told the reminder "Saya akan hadir"
        for user_id in (1001, 1002):
            await unit.enrollments.record_attendance(enrolment[user_id], session_id, "yes", bot.clock.now())
    await services(bot).presence.mark(ADMIN_ID, session_id, enrolment[1001], "present")
    await services(bot).presence.mark(ADMIN_ID, session_id, enrolment[1002], "absent")
    at(bot, 17)
    admin = bot.user(ADMIN_ID)
    summary = await say(bot, admin, "/laporan")
    expected = t("report-attendance", rate="50%", present=1, expected=2, excused=0, no_shows=1)
    assert expected in (summary.text or "")
    await admin.press_data("l:i:0:0:0:0", message_id=summary.message_id)
    await bot.settle()
    by_institute = admin.new_messages()[-1]
    assert t("report-group-attendance", rate="50%", no_shows=1) in (by_institute.text or "")


def test_catalogue_coordinates_are_optional_and_checked() -> None:
    from bot.services.catalogue_import import CatalogueRejected, parse_catalogue
    from bot.services.provinces import ProvinceCatalog

    provinces = ProvinceCatalog.load()
    [course] = parse_catalogue(with_coordinates(course_row("K1", lat="-6,0174", lon="106.0539")), "k.csv", provinces)
    assert course.coordinates == (-6.0174, 106.0539)
    [course] = parse_catalogue(with_coordinates(course_row("K1")), "k.csv", provinces)
    assert course.coordinates is None
    for lat, lon in (("-6.0174", ""), ("106.05", "-6.01"), ("utara", "106")):
        with pytest.raises(CatalogueRejected) as rejected:
            parse_catalogue(with_coordinates(course_row("K1", lat=lat, lon=lon)), "k.csv", provinces)
        assert [p.key for p in rejected.value.problems] == ["err-import-coordinates"]
