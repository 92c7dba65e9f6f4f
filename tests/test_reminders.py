"""Session reminders: planned in the venue's zone, shifted by quiet hours, answered, cancelled, re-planned."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.services.provinces import ProvinceCatalog
from bot.services.reminders import QuietHours, ReminderPlanner
from bot.storage.catalogue import Course, CourseSession
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.harness import BotHarness

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def course(timezone: str) -> Course:
    return Course(
        id=1, code="X", title="Operator Crane", category="Alat Berat", description="", institute_name="LPK",
        institute_city="Kota", institute_contact="", regency="Kota", province_code="36", venue_address="Jl. A",
        timezone=timezone, capacity=10, registration_deadline=NOW, status="open", enrolled=0, waitlisted=0,
        first_start=None, last_end=None,
    )  # fmt: skip


def planner(**settings: object) -> ReminderPlanner:
    return ReminderPlanner(Settings(_env_file=None, **settings), ProvinceCatalog.load())  # type: ignore[arg-type]


def at(zone: ZoneInfo, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=zone)


def sessions_at(zone: ZoneInfo, *starts: tuple[int, int]) -> list[CourseSession]:
    """Sessions on (day of December 2026, hour) in the zone, eight hours each (or until 23:00)."""
    out = []
    for number, (day, hour) in enumerate(starts, start=1):
        start = at(zone, day, hour).astimezone(UTC)
        out.append(CourseSession(number, 1, number, start, start + timedelta(hours=min(8, 23 - hour)), "Teori", None))
    return out


def plan(zone: ZoneInfo, *starts: tuple[int, int], timezone: str = "Asia/Jakarta", **settings: object) -> list:
    return planner(**settings).plan(3, course(timezone), sessions_at(ZoneInfo(timezone), *starts), zone, NOW)


def plain_plan(planned: list, zone: ZoneInfo) -> list[tuple[str, datetime, bool]]:
    return [(m.kind, m.not_before.astimezone(zone), m.params["ask"]) for m in planned]


@pytest.mark.parametrize(("timezone", "zone"), [("Asia/Jakarta", WIB), ("Asia/Makassar", WITA), ("Asia/Jayapura", WIT)])
def test_reminders_are_computed_in_the_venue_zone(timezone: str, zone: ZoneInfo) -> None:
    planned = plan(zone, (7, 13), timezone=timezone)
    assert plain_plan(planned, zone) == [
        ("reminder_day_before", at(zone, 6, 18), True),  # the question, the evening before
        ("reminder_soon", at(zone, 7, 11), False),  # two hours before, no question
    ]
    assert all(m.expires_at == at(zone, 7, 13) for m in planned)
    assert planned[0].params["enrollment_id"] == 3 and planned[0].params["session_id"] == 1


def test_a_morning_session_is_reminded_when_the_quiet_hours_end() -> None:
    # 08:00: two hours before is 06:00, inside 21:00-07:00, so the day-of reminder comes at 07:00 (not the
    # evening before, where it would repeat the question three hours after the first one).
    assert plain_plan(plan(WIB, (7, 8)), WIB) == [
        ("reminder_day_before", at(WIB, 6, 18), True),
        ("reminder_soon", at(WIB, 7, 7), False),
    ]
    # Quiet hours are the participant's: for someone in Papua (WIT, two hours ahead) 06:00 WIB is 08:00 there.
    papua = plan(WIT, (7, 8))
    assert [m.not_before.astimezone(WIT).time() for m in papua] == [time(20, 0), time(8, 0)]


def test_an_evening_session_is_reminded_two_hours_before() -> None:
    assert plain_plan(plan(WIB, (7, 19)), WIB) == [
        ("reminder_day_before", at(WIB, 6, 18), True),
        ("reminder_soon", at(WIB, 7, 17), False),
    ]


def test_consecutive_days_ask_once_and_a_break_asks_again() -> None:
    six = plan(WIB, *((day, 8) for day in range(7, 13)))
    assert plain_plan(six, WIB) == [("reminder_day_before", at(WIB, 6, 18), True)] + [
        ("reminder_soon", at(WIB, day, 7), False) for day in range(7, 13)
    ]
    assert [m.params["day"] for m in six] == [1, 1, 2, 3, 4, 5, 6]
    assert {m.params["days"] for m in six} == {6}
    # Monday, Tuesday, then Thursday after a day off: Thursday is asked about again.
    gap = plan(WIB, (7, 13), (8, 13), (10, 13))
    assert [(m.kind, m.not_before.astimezone(WIB).day, m.params["ask"]) for m in gap] == [
        ("reminder_day_before", 6, True),
        ("reminder_soon", 7, False),
        ("reminder_soon", 8, False),
        ("reminder_day_before", 9, True),
        ("reminder_soon", 10, False),
    ]


def test_two_sessions_on_one_day_are_one_day() -> None:
    morning, afternoon = sessions_at(WIB, (7, 8), (7, 13))
    planned = planner().plan(3, course("Asia/Jakarta"), [morning, afternoon], WIB, NOW)
    assert [(m.kind, m.params["session_id"]) for m in planned] == [("reminder_day_before", 1), ("reminder_soon", 1)]
    assert planned[0].params["ends_at"] == afternoon.ends_at.isoformat()


def test_a_session_before_the_quiet_hours_end_is_reminded_the_evening_before() -> None:
    # A 06:30 start on the second day: no moment on the day before it, so the evening before, without question.
    assert plain_plan(plan(WIB, (7, 8), (8, 6)), WIB) == [
        ("reminder_day_before", at(WIB, 6, 18), True),
        ("reminder_soon", at(WIB, 7, 7), False),
        ("reminder_day_before", at(WIB, 7, 18), False),
    ]
    evening = plan(WIB, (7, 8), (8, 6))[-1]
    assert evening.message_key == "reminder-soon"  # the text without the question


def test_an_evening_reminder_in_quiet_hours_moves_earlier() -> None:
    planned = plan(WIB, (7, 8), reminder_day_before_at="21:30")
    assert plain_plan(planned, WIB) == [
        ("reminder_day_before", at(WIB, 6, 20, 59), True),
        ("reminder_soon", at(WIB, 7, 7), False),
    ]


def test_reminders_already_past_are_not_planned() -> None:
    start = datetime(2026, 11, 23, 14, 0, tzinfo=WIB)  # later today: the evening-before reminder is gone
    sessions = [CourseSession(7, 1, 1, start.astimezone(UTC), start + timedelta(hours=2), "Teori", None)]
    planned = planner().plan(1, course("Asia/Jakarta"), sessions, WIB, NOW)
    assert [m.kind for m in planned] == ["reminder_soon"]


def test_quiet_hours_windows() -> None:
    quiet = QuietHours(time(21, 0), time(7, 0))
    late = datetime(2026, 12, 6, 23, 30, tzinfo=WIB)
    assert quiet.next_allowed(late, WIB) == datetime(2026, 12, 7, 7, 0, tzinfo=WIB)
    assert quiet.last_before(late, WIB) == datetime(2026, 12, 6, 20, 59, tzinfo=WIB)
    early = datetime(2026, 12, 7, 5, 0, tzinfo=WIB)
    assert quiet.next_allowed(early, WIB) == datetime(2026, 12, 7, 7, 0, tzinfo=WIB)
    assert quiet.last_before(early, WIB) == datetime(2026, 12, 6, 20, 59, tzinfo=WIB)
    noon = datetime(2026, 12, 7, 12, 0, tzinfo=WIB)
    assert quiet.next_allowed(noon, WIB) == noon == quiet.last_before(noon, WIB)
    daytime = QuietHours(time(12, 0), time(13, 0))  # a window that does not cross midnight
    assert daytime.contains(datetime(2026, 12, 7, 12, 30, tzinfo=WIB), WIB)
    assert not daytime.contains(datetime(2026, 12, 7, 13, 0, tzinfo=WIB), WIB)


# ------------------------------------------------------------------------------------------ through the bot


def pending(bot: BotHarness, telegram_user_id: int) -> list[tuple[str, str]]:
    rows = bot.rows(
        "SELECT kind, not_before FROM outbox WHERE telegram_user_id = ? AND status = 'pending' ORDER BY not_before",
        (telegram_user_id,),
    )
    return [(row[0], row[1]) for row in rows]


async def enrol(bot: BotHarness, telegram_user_id: int, code: str) -> None:
    user = bot.user(telegram_user_id)
    await user.send_text("/pelatihan")
    await bot.settle()
    course = bot.rows("SELECT id FROM courses WHERE code = ?", (code,))[0][0]
    await user.press_data(f"c:y:{course}", message_id=user.messages[-1].message_id)
    await bot.settle()
    user.new_messages()


async def test_a_reminder_arrives_and_its_answer_is_stored(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("A-01", sesi="2026-12-07 13:00-16:00 Teori K3")))
    await seed_participant(bot, 8001)
    await enrol(bot, 8001, "A-01")
    assert pending(bot, 8001) == [
        ("reminder_day_before", "2026-12-06T11:00:00.000000Z"),  # 18:00 WIB
        ("reminder_soon", "2026-12-07T04:00:00.000000Z"),  # 11:00 WIB
    ]
    bot.clock.set(datetime(2026, 12, 6, 18, 0, tzinfo=WIB))
    await bot.drain_outbox()  # (the dispatcher's own sweep may get there first; either way it is sent once)
    user = bot.user(8001)
    reminder = (await user.wait_messages(1))[0]
    await bot.drain_outbox()  # waits for a run in progress to mark what it sent
    assert bot.rows("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")[0][0] == 1
    assert "Senin, 7 Desember 2026 13.00–16.00 WIB" in (reminder.plain_text or "")
    assert "Pelatihan A-01: besok pukul 13.00" in (reminder.plain_text or "")
    assert reminder.button_texts() == [t("btn-attend-yes"), t("btn-attend-no"), t("btn-location")]
    await user.press(t("btn-attend-yes"))
    await bot.settle()
    answered = user.message(reminder.message_id)
    assert answered.button_texts() == [t("btn-location")]
    assert (answered.text or "").endswith(t("attendance-yes"))
    assert [tuple(r) for r in bot.rows("SELECT intent FROM attendance")] == [("yes",)]
    # The day-of reminder says when, and only offers the place: the question was asked the evening before.
    user.new_messages()
    bot.clock.set(datetime(2026, 12, 7, 11, 0, tzinfo=WIB))
    await bot.drain_outbox()
    today = (await user.wait_messages(1))[0]
    assert "Pelatihan A-01: hari ini pukul 13.00, 2 jam lagi" in (today.plain_text or "")
    assert today.button_texts() == [t("btn-location")]
    # Changing one's mind (the answer's old buttons) replaces the answer.
    await user.press_data(reminder.callback_data()[1], message_id=reminder.message_id)
    await bot.settle()
    assert [tuple(r) for r in bot.rows("SELECT intent FROM attendance")] == [("no",)]
    # After the session, the buttons say so and change nothing.
    bot.clock.set(datetime(2026, 12, 7, 17, 0, tzinfo=WIB))
    await user.press_data(reminder.callback_data()[0], message_id=reminder.message_id)  # the old buttons' data
    await bot.settle()
    assert user.callback_answers[-1].get("text") == t("attendance-too-late", title="Pelatihan A-01")
    assert [tuple(r) for r in bot.rows("SELECT intent FROM attendance")] == [("no",)]


async def test_forged_attendance_buttons_change_nothing(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("A-01")))
    await seed_participant(bot, 8002)
    await seed_participant(bot, 8003)
    await enrol(bot, 8002, "A-01")
    enrollment, session_id = bot.rows(
        "SELECT e.id, s.id FROM enrollments e JOIN course_sessions s ON s.course_id = e.course_id"
    )[0]
    intruder = bot.user(8003)
    await intruder.send_text("/start")
    await bot.settle()
    for data in (f"r:y:{enrollment}:{session_id}", f"r:y:{enrollment}:99999", "r:y:99999:1"):
        await intruder.press_data(data, message_id=intruder.messages[-1].message_id)
        await bot.settle()
        assert intruder.callback_answers[-1].get("text") == t("button-stale"), data
    assert bot.rows("SELECT COUNT(*) FROM attendance")[0][0] == 0


async def test_cancelling_withdraws_the_reminders_and_rescheduling_replaces_them(bot: BotHarness) -> None:
    await import_catalogue(bot, catalogue_csv(course_row("A-01"), course_row("B-01", kapasitas="5")))
    await seed_participant(bot, 8004)
    await seed_participant(bot, 8005)
    await enrol(bot, 8004, "A-01")
    await enrol(bot, 8005, "B-01")
    assert len(pending(bot, 8004)) == 3  # two days in a row: the evening question, then one on each day

    user = bot.user(8004)
    enrollment = bot.rows("SELECT id FROM enrollments WHERE status = 'enrolled' ORDER BY id")[0][0]
    await user.press_data(f"s:x:{enrollment}", message_id=user.messages[-1].message_id)
    await bot.settle()
    assert pending(bot, 8004) == []
    assert bot.rows("SELECT COUNT(*) FROM outbox WHERE telegram_user_id = 8004 AND status = 'cancelled'")[0][0] == 3

    moved = "2026-12-07 08:00-16:00 Teori K3\n2026-12-10 13:00-16:00 Praktik"
    await import_catalogue(bot, catalogue_csv(course_row("A-01"), course_row("B-01", kapasitas="5", sesi=moved)))
    reminders = [p for p in pending(bot, 8005) if p[0].startswith("reminder")]
    assert reminders == [
        ("reminder_day_before", "2026-12-06T11:00:00.000000Z"),
        ("reminder_soon", "2026-12-07T00:00:00.000000Z"),  # 06:00 is quiet: 07:00 WIB, when the quiet hours end
        ("reminder_day_before", "2026-12-09T11:00:00.000000Z"),  # after a day off: asked again
        ("reminder_soon", "2026-12-10T04:00:00.000000Z"),
    ]
    notices = bot.rows("SELECT COUNT(*) FROM outbox WHERE telegram_user_id = 8005 AND kind = 'schedule_changed'")
    assert notices[0][0] == 1
    withdrawn = bot.rows(
        "SELECT COUNT(*) FROM outbox WHERE telegram_user_id = 8005 AND kind LIKE 'reminder%' AND status = 'cancelled'"
    )
    assert withdrawn[0][0] == 1  # the moved second session's day-of reminder


async def test_after_downtime_a_due_reminder_is_sent_unless_its_session_started(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(
        bot,
        catalogue_csv(course_row("A-01", sesi="2026-12-07 13:00-16:00 Teori\n2026-12-09 13:00-16:00 Praktik")),
    )
    await seed_participant(bot, 8006)
    await enrol(bot, 8006, "A-01")
    await bot.stop()
    # Down from before the first reminder until after the first session started, before the second.
    bot.clock.set(datetime(2026, 12, 8, 19, 0, tzinfo=WIB))
    await bot.start()
    user = bot.user(8006)
    sent = (await user.wait_messages(1))[0]
    heading = t("reminder-day-before", title="x", when_words="x", topic="Praktik", when="x", venue="x")
    assert heading.split("\n")[0] in (sent.text or "")
    assert "Rabu, 9 Desember 2026" in (sent.plain_text or "")
    assert "Pelatihan A-01: besok pukul 13.00" in (sent.plain_text or "")
    await bot.drain_outbox()
    states = bot.rows("SELECT kind, status, params FROM outbox WHERE telegram_user_id = 8006 ORDER BY not_before")
    assert [(row[0], row[1]) for row in states] == [
        ("reminder_day_before", "expired"),  # for the session that already started: never sent late
        ("reminder_soon", "expired"),
        ("reminder_day_before", "sent"),  # due while down, its session still ahead
        ("reminder_soon", "pending"),
    ]
    assert user.new_messages() == []
