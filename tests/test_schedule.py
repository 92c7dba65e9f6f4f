"""/jadwal on a phone: the course's title, the next session first in words, the next few, "Lihat semua" in
place (and back), a waitlist place marked as such."""

from __future__ import annotations

from datetime import datetime

from tests.catalogue_data import catalogue_csv, course_row, import_catalogue, seed_participant
from tests.flows import say
from tests.harness import WIB, BotHarness
from tests.test_reminders import enrol

SIX_DAYS = "\n".join(f"2026-12-{day:02d} 08:00-16:00 Materi {day - 6}" for day in range(7, 13))


async def test_the_next_session_first_the_next_few_and_see_all_in_place(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("SIX-01", sesi=SIX_DAYS)))
    await seed_participant(bot, 5201)
    await enrol(bot, 5201, "SIX-01")
    user = bot.user(5201)
    bot.clock.set(datetime(2026, 12, 6, 10, 0, tzinfo=WIB))
    await bot.drain_outbox()
    user.new_messages()
    schedule = await say(bot, user, "/jadwal")
    lines = (schedule.plain_text or "").splitlines()
    assert lines[2] == f"Pelatihan SIX-01 — {t('status-enrolled')}"
    assert lines[4] == "▶️ Sesi berikutnya: besok, 08.00 WIB — Materi 1"
    assert [line for line in lines if line.startswith("•")] == [
        f"• {day} Desember 2026 08.00–16.00 WIB: Materi {n}"
        for day, n in (("Selasa, 8", 2), ("Rabu, 9", 3), ("Kamis, 10", 4))
    ]
    assert t("sessions-more", count=2) in lines and len(lines) <= 12
    assert schedule.button_texts()[0] == t("btn-show-all")

    await user.press(t("btn-show-all"), message_id=schedule.message_id)
    await bot.settle()
    every = user.message(schedule.message_id)
    assert every.edited and "Materi 6" in (every.plain_text or "")
    assert every.button_texts()[0] == t("btn-summary")
    await user.press(t("btn-summary"), message_id=schedule.message_id)
    await bot.settle()
    assert user.message(schedule.message_id).plain_text == schedule.plain_text

    # On the day: "hari ini"; during the session: under way; later days by their date.
    bot.clock.set(datetime(2026, 12, 7, 6, 0, tzinfo=WIB))
    assert "Sesi berikutnya: hari ini, 08.00 WIB — Materi 1" in ((await say(bot, user, "/jadwal")).plain_text or "")
    bot.clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=WIB))
    assert "Sedang berlangsung sampai 16.00 WIB — Materi 1" in ((await say(bot, user, "/jadwal")).plain_text or "")
    bot.clock.set(datetime(2026, 12, 7, 17, 0, tzinfo=WIB))
    assert "Sesi berikutnya: besok, 08.00 WIB — Materi 2" in ((await say(bot, user, "/jadwal")).plain_text or "")


async def test_a_waitlist_place_is_marked_and_a_short_course_has_nothing_more(bot: BotHarness) -> None:
    t = bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("ONE-01", kapasitas="1")))
    await seed_participant(bot, 5202)
    await seed_participant(bot, 5203)
    await enrol(bot, 5202, "ONE-01")
    assert bot.app is not None
    course = bot.rows("SELECT id FROM courses WHERE code = 'ONE-01'")[0][0]
    await bot.app.bot_data.services.enrollment.enrol(5203, course, waitlist=True)
    waiting = await say(bot, bot.user(5203), "/jadwal")
    assert f"Pelatihan ONE-01 — {t('status-waitlisted')}" in (waiting.plain_text or "")
    assert "Sesi berikutnya: Senin, 7 Desember 2026, 08.00 WIB — Teori K3" in (waiting.plain_text or "")
    assert t("btn-show-all") not in waiting.button_texts()  # two sessions: everything is already shown
