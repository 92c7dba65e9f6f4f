"""Participants who finished a course, for the completion and survey tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.context import Services
from bot.services.enrollment import Enrolled
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.harness import BotHarness

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")
# The default test course (tests/catalogue_data.py) runs 7-8 December 2026, 08:00-16:00 WIB.
AFTER_COURSE = datetime(2026, 12, 8, 17, 0, tzinfo=WIB)
# Province codes: Jawa Barat (WIB) and Maluku (WIT).
JAWA_BARAT, MALUKU = "32", "81"


def services(bot: BotHarness) -> Services:
    assert bot.app is not None
    return bot.app.bot_data.services


async def course_under_way(
    bot: BotHarness, people: dict[int, str], code: str = "K1", *, waiting: tuple[int, ...] = (), **course: str
) -> int:
    """A course with these participants (Telegram id -> province code) enrolled and `waiting` on its waitlist,
    the clock after its end."""
    await import_catalogue(bot, catalogue_csv(course_row(code, **course)))
    course_id = int(bot.rows("SELECT id FROM courses WHERE code = ?", (code,))[0]["id"])
    for user_id, province in people.items():
        await seed_participant(bot, user_id, province)
        assert isinstance(await services(bot).enrollment.enrol(user_id, course_id, waitlist=False), Enrolled)
    for user_id in waiting:
        await seed_participant(bot, user_id)
        await services(bot).enrollment.enrol(user_id, course_id, waitlist=True)
    bot.advance(AFTER_COURSE - bot.clock.now())
    await bot.drain_outbox()  # the session reminders, long past (expired, not sent)
    for user_id in people:
        bot.user(user_id).new_messages()
    return course_id


async def tick(bot: BotHarness) -> None:
    """What the bot's minute job does, then the sending of what became due."""
    await services(bot).surveys.tick()
    await bot.drain_outbox()


async def completed(bot: BotHarness, people: dict[int, str], code: str = "K1") -> int:
    """Participants who completed a course just now; their first survey question has been sent."""
    course_id = await course_under_way(bot, people, code)
    await services(bot).completion.complete_course(course_id)
    await bot.drain_outbox()
    return course_id
