"""What a broadcast says beyond the staff member's words (issue 22): recipients see who sends it (PROGRAMME_NAME)
first and how to ask (the help desk) last, on text and photos alike; a broadcast sent late in the evening tells staff
it waits for the recipients' morning instead of "sedang dikirim" all night. Runs on SQLite and, with
--backend=postgresql, PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.handlers.broadcast_progress import refresh_progress
from fakegram import FakeTelegram
from tests.catalogue_data import seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import say
from tests.harness import BotHarness
from tests.survey_flows import WIB, services

WORKER = 2001


def lines(bot: BotHarness, body: str) -> list[str]:
    t = bot.t()
    sender = t.plain("broadcast-sender", programme=bot.settings.programme_name)
    return [sender.replace("<b>", "").replace("</b>", ""), "", body, "", t.plain("broadcast-how-to-ask")]


async def test_a_broadcast_at_23_14_waits_for_the_morning_and_says_so(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await seed_participant(bot, WORKER)  # Jawa Barat: WIB
    worker = bot.user(WORKER)
    bot.advance(datetime(2026, 11, 23, 23, 14, tzinfo=WIB) - bot.clock.now())
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, "/siaran")
    panel = (await say(bot, admin, "Besok ada pendaftaran gelombang 2")).message_id
    await admin.press(t("btn-broadcast-send", count=1))
    await bot.settle()
    await bot.drain_outbox()
    assert worker.new_messages() == []  # quiet hours until 07:00
    assert bot.app is not None
    await refresh_progress(bot.app.bot, services(bot))
    waiting = t("broadcast-waiting-morning", id=1, time="07.00", sent=0, pending=1, failed=0)
    assert admin.message(panel).text == waiting
    assert "menunggu pagi, 07.00 waktu penerima" in waiting

    bot.advance(datetime(2026, 11, 24, 7, 0, tzinfo=WIB) - bot.clock.now())
    await bot.drain_outbox()
    [announcement] = worker.new_messages()
    assert (announcement.plain_text or "").split("\n") == lines(bot, "Besok ada pendaftaran gelombang 2")
    await refresh_progress(bot.app.bot, services(bot))
    assert admin.message(panel).text == t("broadcast-done", id=1, sent=1, blocked=0, failed=0)


async def test_a_photo_announcement_keeps_the_photo_and_gets_the_lines_in_its_caption(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await seed_participant(bot, WORKER)
    bot.user(WORKER)  # they have a chat with the bot
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, "/siaran")
    await admin.send_photo(b"\xff\xd8 poster", caption="Jadwal baru")
    await bot.settle()
    notice, preview, panel = admin.new_messages()
    assert notice.text == t("broadcast-preview") and preview.photo == b"\xff\xd8 poster"
    await admin.press(t("btn-broadcast-send", count=1), message_id=panel.message_id)
    await bot.settle()
    await bot.drain_outbox()
    [copy] = bot.user(WORKER).new_messages()
    assert copy.photo == b"\xff\xd8 poster"
    assert (copy.caption or "").split("\n") == lines(bot, "Jadwal baru")


async def test_too_long_with_the_lines_is_refused_and_asked_again(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await seed_participant(bot, WORKER)
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, "/siaran")
    assert (await say(bot, admin, "x" * 4090)).text == t("broadcast-too-long")
    assert bot.rows("SELECT step FROM broadcasts")[0][0] == "message"  # still waits for the announcement
    await say(bot, admin, "Pendek saja")
    assert bot.rows("SELECT step FROM broadcasts")[0][0] == "audience"


async def test_the_sender_is_the_configured_programme_name(server: FakeTelegram, tmp_path: Path) -> None:
    bot = BotHarness(server, tmp_path / "vokasi.db", admin_ids=str(ADMIN_ID), programme_name="Vokasi Jabar & Banten")
    await bot.start()
    try:
        await seed_participant(bot, WORKER)
        admin = bot.user(ADMIN_ID)
        await say(bot, admin, "/siaran")
        await admin.send_text("Halo")
        await bot.settle()
        preview = admin.new_messages()[1]
        assert (preview.plain_text or "").startswith("📢 Pengumuman dari Vokasi Jabar & Banten")
        assert "&amp;" in (preview.text or "")  # the name is escaped in the HTML
    finally:
        await bot.stop()
