"""The help desk without a helpdesk group: the question reaches every operator and admin in their private chat (a
card with "Balas" / "Tutup" and a copy of each message), their answer reaches the asker signed; the FAQ is offered
first; closing, rating, erasure, roles, a flood and a restart mid-ticket."""

from __future__ import annotations

from tests.catalogue_data import seed_participant
from tests.conftest import ADMIN_ID
from tests.flows import press, say
from tests.harness import BotHarness

ASKER, VIEWER = 1001, 7003
QUESTION = "Saya belum menerima surat undangan pelatihan"


async def ask(bot: BotHarness, text: str = QUESTION) -> None:
    t = bot.t()
    bot.user(ADMIN_ID, "Dewi")  # the admin has a chat with the bot
    asker = bot.user(ASKER, "Siti")
    assert (await say(bot, asker, "/tanya")).text == t("helpdesk-ask")
    received = await say(bot, asker, text)
    assert received.text == t("helpdesk-received", ticket=1)


def tickets(bot: BotHarness) -> list[dict[str, object]]:
    return [dict(row) for row in bot.rows("SELECT * FROM tickets ORDER BY id")]


async def test_a_question_reaches_the_admin_and_the_answer_comes_back_signed(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await seed_participant(bot, ASKER)
    await ask(bot)
    await bot.drain_outbox()
    admin = bot.user(ADMIN_ID, "Dewi")
    card, copy = admin.new_messages()
    assert t("helpdesk-card-title", ticket=1, name="Peserta 1.").split("·")[0].strip() in (card.text or "")
    assert "3201********1001" in (card.text or "") and "3201010115" not in (card.text or "")
    assert card.button_texts() == [t("btn-helpdesk-reply"), t("btn-helpdesk-close")]
    assert copy.text == QUESTION  # a copy of the message, not a stored text
    assert "text" not in " ".join(str(v) for v in tickets(bot)[0].values())

    # The admin answers with Telegram's "reply" on the copy; the asker gets it signed, before any broadcast.
    await admin.send_text("Surat dikirim besok pagi, Bu.", reply_to=copy.message_id)
    await bot.settle()
    assert admin.new_messages()[-1].text == t("helpdesk-reply-sent", ticket=1)
    await bot.drain_outbox()
    asker = bot.user(ASKER)
    [answer] = asker.new_messages()
    assert answer.plain_text == "Petugas Dewi\nSurat dikirim besok pagi, Bu."
    [row] = bot.rows("SELECT params, priority FROM outbox WHERE kind = 'helpdesk_out'")
    assert row["params"] == "{}" and row["priority"] == 30  # the answer's text is forgotten once sent
    assert tickets(bot)[0]["first_response_at"] is not None


async def test_balas_sends_a_photo_and_tutup_closes_and_asks_for_a_rating(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await seed_participant(bot, ASKER)
    await ask(bot)
    await bot.drain_outbox()
    admin = bot.user(ADMIN_ID, "Dewi")
    admin.new_messages()
    asked = await press(bot, admin, t("btn-helpdesk-reply"))
    assert asked.text == t("helpdesk-reply-now", ticket=1)
    await admin.send_photo(b"\xff\xd8\xff\xe0fake-jpeg", caption="Contoh surat")
    await bot.settle()
    await bot.drain_outbox()
    asker = bot.user(ASKER)
    [photo] = asker.new_messages()
    assert photo.kind == "photo" and photo.plain_text == "Petugas Dewi\nContoh surat"

    card = next(m for m in admin.messages if m.button_texts())
    await admin.press(t("btn-helpdesk-close"), message_id=card.message_id)
    await bot.settle()
    await bot.drain_outbox()
    [closed] = asker.new_messages()
    assert t("helpdesk-closed-by-staff", ticket=1) in (closed.text or "")
    await asker.press("4")
    await bot.settle()
    assert tickets(bot)[0]["status"] == "closed" and tickets(bot)[0]["rating"] == 4
    actions = [row["action"] for row in bot.rows("SELECT action FROM audit_log ORDER BY id")]
    assert "helpdesk:answer" in actions and "helpdesk:close" in actions


async def test_the_faq_is_offered_first_and_can_answer_the_question(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    bot.user(ADMIN_ID, "Dewi")
    asker = bot.user(ASKER, "Siti")
    await say(bot, asker, "/tanya")
    offered = await say(bot, asker, "uang transport kapan cair?")
    assert t("helpdesk-suggest") in (offered.text or "")
    assert offered.button_texts() == [t("btn-helpdesk-send-anyway"), t("btn-helpdesk-answered")]
    assert (await press(bot, asker, t("btn-helpdesk-answered"))).text == t("helpdesk-suggest-done")
    await bot.drain_outbox()
    assert bot.user(ADMIN_ID).new_messages() == []
    assert tickets(bot)[0]["status"] == "closed" and tickets(bot)[0]["asked_at"] is None

    # "Tetap kirim ke petugas" sends the very message that was typed.
    await say(bot, asker, "/tanya")
    offered = await say(bot, asker, "uang transport kapan cair?")
    sent = await press(bot, asker, t("btn-helpdesk-send-anyway"))
    assert sent.text == t("helpdesk-received", ticket=2)
    await bot.drain_outbox()
    assert [m.text for m in bot.user(ADMIN_ID).new_messages()][-1] == "uang transport kapan cair?"


async def test_text_the_bot_cannot_place_can_go_to_the_staff(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await seed_participant(bot, ASKER)
    bot.user(ADMIN_ID, "Dewi")
    asker = bot.user(ASKER, "Siti")
    offer = await say(bot, asker, "halo kak, sertifikat saya belum keluar")
    assert offer.text == t("helpdesk-offer")
    assert (await press(bot, asker, t("btn-helpdesk-offer"))).text == t("helpdesk-received", ticket=1)
    # A forged message id is refused by Telegram's copy, never someone else's message: the copy is from this chat.
    await bot.drain_outbox()
    assert bot.user(ADMIN_ID).new_messages()[-1].text == "halo kak, sertifikat saya belum keluar"


async def test_a_flood_is_acknowledged_once_and_copied_in_order(staff_bot: BotHarness) -> None:
    bot = staff_bot
    await seed_participant(bot, ASKER)
    await ask(bot)
    await bot.drain_outbox()
    # The dispatcher busy elsewhere (as while it waits for a group's budget): the flood piles up in the outbox.
    assert bot.app is not None
    bot.app.bot_data.services.store.on_outbox = None
    # One row a batch: the ticket's other waiting copies are claimed with its first (and go with it).
    bot.app.bot_data.services.dispatcher.concurrency = 1
    asker = bot.user(ASKER)
    for number in range(12):
        await asker.send_text(f"pesan {number}")
    await asker.send_sticker()
    await bot.settle()
    assert asker.new_messages() == []  # acknowledged once, with the question
    await bot.drain_outbox()
    copies = [m for m in bot.user(ADMIN_ID).new_messages() if not m.button_texts()]
    assert [m.text for m in copies] == [QUESTION, *(f"pesan {n}" for n in range(12)), None]
    assert copies[-1].kind == "sticker"
    [run] = bot.server.requests_for("copyMessages")  # the thirteen waiting copies went as one call
    assert len(run.params["message_ids"]) == 13
    assert len(bot.server.requests_for("copyMessage")) == 1  # the question, before the flood
    assert tickets(bot)[0]["messages_in"] == 14


async def test_viewers_read_but_do_not_answer(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin = bot.user(ADMIN_ID)
    await say(bot, admin, f"/staf tambah {VIEWER} viewer Petugas Lihat")
    await seed_participant(bot, ASKER)
    await ask(bot)
    await bot.drain_outbox()
    viewer = bot.user(VIEWER, "Lihat")
    listed = await say(bot, viewer, "/tiket")
    assert t("helpdesk-tickets-head", count=1) in (listed.text or "")
    await viewer.press_data("hd:reply:1", message_id=listed.message_id)
    await bot.settle()
    assert viewer.callback_answers[-1]["text"] == t("helpdesk-not-allowed")
    assert bot.rows("SELECT COUNT(*) FROM ticket_replies")[0][0] == 0


async def test_erasure_unlinks_the_tickets_and_withdraws_what_was_not_copied(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await seed_participant(bot, ASKER)
    await ask(bot)
    await bot.drain_outbox()
    asker = bot.user(ASKER)
    await asker.send_text("satu lagi")  # still waiting in the outbox when the data is erased
    await bot.settle()
    await say(bot, asker, "/hapusdata")
    await press(bot, asker, t("btn-erase-yes"))
    [ticket] = tickets(bot)
    assert ticket["telegram_user_id"] == 0 and ticket["status"] == "closed"
    # The card and the copy the admin got are deleted from their chat.
    await bot.drain_outbox()
    assert bot.user(ADMIN_ID).messages == []
    assert bot.rows("SELECT COUNT(*) FROM outbox WHERE kind LIKE 'helpdesk%' AND status = 'pending'")[0][0] == 0


async def test_a_restart_mid_ticket_loses_nothing(staff_bot: BotHarness) -> None:
    bot = staff_bot
    await seed_participant(bot, ASKER)
    await ask(bot)
    await bot.restart()
    await bot.drain_outbox()
    assert [m.text for m in bot.user(ADMIN_ID).new_messages()][-1] == QUESTION


async def test_the_report_counts_the_help_desk(staff_bot: BotHarness) -> None:
    bot = staff_bot
    await seed_participant(bot, ASKER)
    await ask(bot)
    await bot.drain_outbox()
    admin = bot.user(ADMIN_ID)
    copy = admin.new_messages()[-1]
    await admin.send_text("Sudah kami cek.", reply_to=copy.message_id)
    await bot.settle()
    await bot.drain_outbox()
    report = await say(bot, admin, "/laporan")
    text = report.plain_text or ""
    assert "Tiket masuk 1, ditutup 0, masih terbuka 1" in text
    assert "Jawaban pertama: median 1 menit, p90 1 menit (1 tiket" in text
    assert "Kepuasan: - dari 5 (0 penilaian)" in text
