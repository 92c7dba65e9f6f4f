"""Session reminders as a participant gets them, day by day (bot/services/reminders.py has the design).

The controllable clock jumps to each pending reminder in turn; what arrives, and when, is what a person sees.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from fakegram.models import BotMessage
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.harness import BotHarness
from tests.test_reminders import enrol

WIB = ZoneInfo("Asia/Jakarta")
QUESTION = "Apakah Anda akan hadir?"


def _moment(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


async def live_through(bot: BotHarness, telegram_user_id: int) -> list[tuple[datetime, BotMessage]]:
    """Move the clock to each pending message of the person until none is left; (local time, message) each."""
    user = bot.user(telegram_user_id)
    user.new_messages()
    got: list[tuple[datetime, BotMessage]] = []
    while True:
        due = bot.rows(
            "SELECT MIN(not_before) FROM outbox WHERE telegram_user_id = ? AND status = 'pending'",
            (telegram_user_id,),
        )[0][0]
        if due is None:
            return got
        when = _moment(due)
        bot.clock.set(when)
        await bot.drain_outbox()
        got += [(when.astimezone(WIB), message) for message in user.new_messages()]


def summary(got: list[tuple[datetime, BotMessage]]) -> list[tuple[str, str, bool]]:
    """(local day and time, the 'when' line, asks the question) per message."""
    return [
        (
            when.strftime("%d %H:%M"),
            (message.plain_text or "").split("\n")[2],
            QUESTION in (message.plain_text or ""),
        )
        for when, message in got
    ]


def never_in_quiet_hours(got: list[tuple[datetime, BotMessage]]) -> None:
    for when, _ in got:
        assert time(7, 0) <= when.time() < time(21, 0), when


async def one_session(bot: BotHarness, telegram_user_id: int, hours: str) -> list[tuple[datetime, BotMessage]]:
    await import_catalogue(bot, catalogue_csv(course_row("A-01", sesi=f"2026-12-07 {hours} Teori")))
    await seed_participant(bot, telegram_user_id)
    await enrol(bot, telegram_user_id, "A-01")
    return await live_through(bot, telegram_user_id)


async def test_a_morning_session_the_evening_before_and_at_seven(bot: BotHarness) -> None:
    got = await one_session(bot, 8101, "08:00-16:00")
    assert summary(got) == [
        ("06 18:00", "Pelatihan A-01: besok pukul 08.00", True),
        ("07 07:00", "Pelatihan A-01: hari ini pukul 08.00, 1 jam lagi", False),
    ]
    never_in_quiet_hours(got)
    assert all("segera" not in (m.plain_text or "") for _, m in got)


async def test_a_midday_session_the_evening_before_and_two_hours_before(bot: BotHarness) -> None:
    got = await one_session(bot, 8102, "13:00-16:00")
    assert summary(got) == [
        ("06 18:00", "Pelatihan A-01: besok pukul 13.00", True),
        ("07 11:00", "Pelatihan A-01: hari ini pukul 13.00, 2 jam lagi", False),
    ]


async def test_an_evening_session_the_evening_before_and_two_hours_before(bot: BotHarness) -> None:
    got = await one_session(bot, 8103, "19:00-21:00")
    assert summary(got) == [
        ("06 18:00", "Pelatihan A-01: besok pukul 19.00", True),
        ("07 17:00", "Pelatihan A-01: hari ini pukul 19.00, 2 jam lagi", False),
    ]
    never_in_quiet_hours(got)


async def test_a_six_day_course_sends_seven_reminders_and_asks_once(bot: BotHarness) -> None:
    t = bot.t()
    days = "\n".join(f"2026-12-{day:02d} 08:00-16:00 Materi {day - 6}" for day in range(7, 13))
    await import_catalogue(bot, catalogue_csv(course_row("SIX-01", sesi=days)))
    await seed_participant(bot, 8104)
    await enrol(bot, 8104, "SIX-01")
    got = await live_through(bot, 8104)
    assert summary(got) == [("06 18:00", "Pelatihan SIX-01: besok pukul 08.00", True)] + [
        (f"{day:02d} 07:00", "Pelatihan SIX-01: hari ini pukul 08.00, 1 jam lagi", False) for day in range(7, 13)
    ]
    texts = [m.plain_text or "" for _, m in got]
    assert "Materi 1 (hari ke-1 dari 6)" in texts[0] and "Senin, 7 Desember 2026 08.00–16.00 WIB" in texts[0]
    for day in range(1, 7):
        assert f"Materi {day} (hari ke-{day} dari 6)" in texts[day]
        assert "📍 Jl. Jenderal Sudirman No. 88" in texts[day]
    # The question (and its buttons) once; every reminder offers the place.
    assert sum(QUESTION in text for text in texts) == 1
    assert got[0][1].button_texts() == [t("btn-attend-yes"), t("btn-attend-no"), t("btn-location")]
    assert all(m.button_texts() == [t("btn-location")] for _, m in got[1:])
    never_in_quiet_hours(got)


async def test_after_a_day_off_the_question_comes_again(bot: BotHarness) -> None:
    sessions = "2026-12-07 08:00-16:00 A\n2026-12-08 08:00-16:00 B\n2026-12-10 08:00-16:00 C"
    await import_catalogue(bot, catalogue_csv(course_row("GAP-01", sesi=sessions)))
    await seed_participant(bot, 8105)
    await enrol(bot, 8105, "GAP-01")
    got = await live_through(bot, 8105)
    assert [(when, asks) for when, _, asks in summary(got)] == [
        ("06 18:00", True),
        ("07 07:00", False),
        ("08 07:00", False),
        ("09 18:00", True),  # Thursday follows a day without a session
        ("10 07:00", False),
    ]


async def test_cancelling_stops_the_reminders(bot: BotHarness) -> None:
    days = "\n".join(f"2026-12-{day:02d} 08:00-16:00 Materi {day - 6}" for day in range(7, 13))
    await import_catalogue(bot, catalogue_csv(course_row("SIX-01", sesi=days)))
    await seed_participant(bot, 8106)
    await enrol(bot, 8106, "SIX-01")
    user = bot.user(8106)
    bot.clock.set(datetime(2026, 12, 6, 18, 0, tzinfo=WIB))
    await bot.drain_outbox()
    assert len(user.new_messages()) == 1  # the evening question
    enrollment = bot.rows("SELECT id FROM enrollments WHERE status = 'enrolled'")[0][0]
    await user.press_data(f"s:x:{enrollment}", message_id=user.messages[-1].message_id)
    await bot.settle()
    user.new_messages()
    assert await live_through(bot, 8106) == []
    cancelled = bot.rows("SELECT COUNT(*) FROM outbox WHERE telegram_user_id = 8106 AND status = 'cancelled'")
    assert cancelled[0][0] == 6
