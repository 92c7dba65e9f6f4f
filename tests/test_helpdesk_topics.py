"""The help desk in a staff supergroup with forum topics (HELPDESK_CHAT_IDS): one topic per ticket, opened with a
card (NIK masked); the asker's messages copied in, the staff's messages in the topic copied out signed; /tutup,
/catatan, /jawab, /ambil; reopening; roles; the group lost; erasure deleting the topic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fakegram import FakeGroup, FakeTelegram
from tests.catalogue_data import seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import press, say
from tests.harness import BotHarness

GROUP = -1001234567890
ASKER, VIEWER = 1001, 7003
JPEG = b"\xff\xd8\xff\xe0fake-jpeg"


@pytest.fixture
async def desk(server: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotHarness]:
    harness = BotHarness(server, tmp_path / "vokasi.db", admin_ids=str(ADMIN_ID), helpdesk_chat_ids=str(GROUP))
    group = server.group(GROUP, "Petugas Vokasi")
    group.set_bot_admin(can_manage_topics=True)
    group.add_member(server.user(ADMIN_ID, "Dewi"))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def open_ticket(bot: BotHarness) -> tuple[FakeGroup, int]:
    """The asker asks; the ticket's topic is made with the card and the copy of the question."""
    t = bot.t()
    await seed_participant(bot, ASKER)
    asker = bot.user(ASKER, "Siti")
    await say(bot, asker, "/tanya")
    assert (await say(bot, asker, "Saya belum menerima surat undangan")).text == t("helpdesk-received", ticket=1)
    await bot.drain_outbox()
    group = bot.server.group(GROUP, "Petugas Vokasi")
    [thread] = [topic.thread_id for topic in group.topics.values() if topic.thread_id != 1]
    return group, thread


async def test_a_ticket_gets_a_topic_and_staff_answer_from_it(desk: BotHarness) -> None:
    bot, t = desk, desk.t()
    group, thread = await open_ticket(bot)
    topic = group.topics[thread]
    assert topic.name == "Peserta 1. · 3201********1001"
    card, copy = group.topic_messages(thread)
    assert "3201********1001" in (card.text or "") and "3201010115" not in (card.text or "")
    assert copy.text == "Saya belum menerima surat undangan"

    dewi = bot.user(ADMIN_ID)
    await dewi.send_text_in(group, thread, "Jadwal dikirim hari Senin, Bu.")
    await dewi.send_photo_in(group, thread, JPEG, caption="Ini contohnya")
    await bot.settle()
    await bot.drain_outbox()
    asker = bot.user(ASKER)
    text, photo = await asker.wait_messages(2)  # the photo's copy may still be on its way under load
    assert asker.new_messages() == []
    assert text.plain_text == "Petugas Dewi\nJadwal dikirim hari Senin, Bu."
    assert photo.kind == "photo" and photo.plain_text == "Petugas Dewi\nIni contohnya"

    # The asker's photo goes into the topic as a photo.
    await asker.send_photo(JPEG, caption="foto KTP saya")
    await bot.settle()
    await bot.drain_outbox()
    assert group.topic_messages(thread)[-1].kind == "photo"

    # A note stays in the topic; a saved answer goes out in the asker's language.
    await dewi.send_command_in(group, thread, "catatan", "sudah cek data")
    await dewi.send_command_in(group, thread, "jawab", "jadwal")
    await bot.settle()
    await bot.drain_outbox()
    [saved] = asker.new_messages()
    faq = bot.app.bot_data.services.helpdesk.faq  # type: ignore[union-attr]
    entry = faq.get("jadwal")
    assert entry is not None and entry.answer["id"].split("\n")[0][:40] in (saved.plain_text or "")
    assert t("helpdesk-noted") in [m.text for m in group.topic_messages(thread)]


async def test_tutup_closes_the_topic_and_a_new_message_reopens_it(desk: BotHarness) -> None:
    bot, t = desk, desk.t()
    group, thread = await open_ticket(bot)
    dewi = bot.user(ADMIN_ID)
    await dewi.send_command_in(group, thread, "tutup")
    await bot.settle()
    await bot.drain_outbox()
    assert group.topics[thread].closed
    asker = bot.user(ASKER)
    [closed] = asker.new_messages()
    assert t("helpdesk-closed-by-staff", ticket=1) in (closed.text or "")
    await press(bot, asker, "5")

    await asker.send_text("Maaf, satu lagi")
    await bot.settle()
    await bot.drain_outbox()
    assert not group.topics[thread].closed
    assert group.topic_messages(thread)[-1].text == "Maaf, satu lagi"
    [row] = bot.rows("SELECT id, status, rating FROM tickets")
    assert (row["id"], row["status"], row["rating"]) == (1, "open", 5)


async def test_viewers_are_refused_in_the_topic(desk: BotHarness) -> None:
    bot, t = desk, desk.t()
    await say(bot, bot.user(ADMIN_ID), f"/staf tambah {VIEWER} viewer Lihat")
    group, thread = await open_ticket(bot)
    viewer = bot.user(VIEWER, "Lihat")
    group.add_member(viewer)
    await viewer.send_text_in(group, thread, "Saya jawab ya")
    await bot.settle()
    await bot.drain_outbox()
    assert bot.user(ASKER).new_messages() == []
    assert group.topic_messages(thread)[-1].text == t("helpdesk-not-allowed")


async def test_a_lost_group_moves_the_tickets_to_private_chats(desk: BotHarness) -> None:
    bot, t = desk, desk.t()
    group, _thread = await open_ticket(bot)
    group.remove_bot()
    asker = bot.user(ASKER)
    await asker.send_text("Halo, masih ada?")
    await bot.settle()
    await bot.drain_outbox()
    dewi = bot.user(ADMIN_ID)
    shown = dewi.new_messages()
    texts = [m.text or "" for m in shown]
    assert any(text == "Halo, masih ada?" for text in texts)  # nothing the asker wrote is lost
    assert any(t("helpdesk-card-title", ticket=1, name="Peserta 1.") in text for text in texts)
    assert sum("⚠️" in text for text in texts) == 1  # the admins are told once
    [row] = bot.rows("SELECT group_chat_id, thread_id FROM tickets")
    assert row["group_chat_id"] is None


async def test_erasure_deletes_the_topic(desk: BotHarness) -> None:
    bot, t = desk, desk.t()
    group, thread = await open_ticket(bot)
    asker = bot.user(ASKER)
    await say(bot, asker, "/hapusdata")
    await press(bot, asker, t("btn-erase-yes"))
    await bot.drain_outbox()
    assert group.topics[thread].deleted
    [row] = bot.rows("SELECT telegram_user_id, status FROM tickets")
    assert (row["telegram_user_id"], row["status"]) == (0, "closed")


async def test_a_topic_deleted_by_hand_moves_only_its_ticket(desk: BotHarness) -> None:
    bot, t = desk, desk.t()
    group, thread = await open_ticket(bot)
    topic = group.topics[thread]
    topic.deleted = True  # a staff member deleted it in Telegram
    topic.messages.clear()
    await bot.user(ASKER).send_text("Halo?")
    await bot.settle()
    await bot.drain_outbox()
    texts = [m.text or "" for m in bot.user(ADMIN_ID).new_messages()]
    assert texts[-1] == "Halo?"
    assert any(t("helpdesk-card-title", ticket=1, name="Peserta 1.") in text for text in texts)
    assert not any("⚠️" in text for text in texts)  # the group itself still works: no alert
    [row] = bot.rows("SELECT group_chat_id, thread_id FROM tickets")
    assert row["group_chat_id"] is None
