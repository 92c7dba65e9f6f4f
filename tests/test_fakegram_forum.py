"""Tests of fakegram's groups and forum topics, as python-telegram-bot sees them: topics and their service messages,
the bot's messages in a topic, staff members writing there, what Telegram refuses, and a group's rate limit."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes, MessageHandler, filters

from fakegram import GENERAL_TOPIC, FakeGroup, FakeTelegram

STAFF_ID = -1001234567890
BLUE, YELLOW = 0x6FB9F0, 0xFFD67E


def bad(description: str) -> re.Pattern[str]:
    """PTB strips "Bad Request: " and capitalises the rest, so match case-insensitively."""
    return re.compile(re.escape(description), re.IGNORECASE)


def last_description(fake: FakeTelegram, method: str) -> str | None:
    """The exact text the fake answered the latest ``method`` request with (PTB rewrites its case)."""
    return fake.requests_for(method)[-1].description


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server
    assert server.internal_errors == []


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def staff_group(fake: FakeTelegram) -> FakeGroup:
    """The staff supergroup with topics, the bot an administrator who manages them."""
    group = fake.group(STAFF_ID, "Tanya Petugas")
    group.set_bot_admin(can_manage_topics=True)
    return group


def application(fake: FakeTelegram) -> Application[Any, Any, Any, Any, Any, Any]:
    return ApplicationBuilder().token(fake.token).base_url(fake.base_url).base_file_url(fake.base_file_url).build()


# ------------------------------------------------------------------------------------------ topics


async def test_a_topic_is_created_edited_closed_reopened_and_deleted(
    fake: FakeTelegram, bot: Bot, staff_group: FakeGroup
) -> None:
    created = await bot.create_forum_topic(STAFF_ID, "Tiket #1 Budi", icon_color=YELLOW)
    thread = created.message_thread_id
    assert (created.name, created.icon_color) == ("Tiket #1 Budi", YELLOW)
    topic = staff_group.topics[thread]
    assert (topic.name, topic.icon_color, topic.closed, topic.deleted) == ("Tiket #1 Budi", YELLOW, False, False)
    [opening] = topic.messages
    assert opening["message_id"] == thread  # a topic's id is the id of the message that opened it
    assert opening["forum_topic_created"] == {"name": "Tiket #1 Budi", "icon_color": YELLOW}
    assert (opening["message_thread_id"], opening["is_topic_message"]) == (thread, True)
    assert opening["from"]["id"] == fake.bot_id
    assert staff_group.topic_messages(thread) == []  # service messages are no bot messages to read

    assert await bot.edit_forum_topic(STAFF_ID, thread, name="Tiket #1 Budi (NIK)")
    assert topic.name == "Tiket #1 Budi (NIK)"
    with pytest.raises(BadRequest, match=bad("TOPIC_NOT_MODIFIED")):
        await bot.edit_forum_topic(STAFF_ID, thread, name="Tiket #1 Budi (NIK)")
    assert last_description(fake, "editForumTopic") == "Bad Request: TOPIC_NOT_MODIFIED"
    assert await bot.edit_forum_topic(STAFF_ID, thread)  # nothing asked: True, nothing posted

    assert await bot.close_forum_topic(STAFF_ID, thread)
    assert (topic.closed, topic.name) == (True, "Tiket #1 Budi (NIK)")
    with pytest.raises(BadRequest, match=bad("TOPIC_NOT_MODIFIED")):
        await bot.close_forum_topic(STAFF_ID, thread)
    assert await bot.reopen_forum_topic(STAFF_ID, thread)
    with pytest.raises(BadRequest, match=bad("TOPIC_NOT_MODIFIED")):
        await bot.reopen_forum_topic(STAFF_ID, thread)
    assert (topic.closed, topic.deleted) == (False, False)
    services = [next(k for k in m if k.startswith("forum_topic_")) for m in topic.messages]
    assert services == ["forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened"]
    assert topic.messages[1]["forum_topic_edited"] == {"name": "Tiket #1 Budi (NIK)"}
    assert topic.messages[2]["reply_to_message"]["message_id"] == thread

    await bot.send_message(STAFF_ID, "isi tiket", message_thread_id=thread)
    assert await bot.delete_forum_topic(STAFF_ID, thread)
    assert topic.deleted
    assert topic.messages == []
    assert staff_group.topic_messages(thread) == []
    with pytest.raises(BadRequest, match=bad("TOPIC_ID_INVALID")):
        await bot.delete_forum_topic(STAFF_ID, thread)
    assert last_description(fake, "deleteForumTopic") == "Bad Request: TOPIC_ID_INVALID"
    with pytest.raises(BadRequest, match=bad("TOPIC_ID_INVALID")):
        await bot.close_forum_topic(STAFF_ID, thread)


async def test_topic_names_and_colours_are_read_as_telegram_reads_them(
    fake: FakeTelegram, bot: Bot, staff_group: FakeGroup
) -> None:
    long = await bot.create_forum_topic(STAFF_ID, "x" * 130)
    assert long.name == "x" * 128  # TDLib cuts a long name instead of refusing it
    assert long.icon_color == BLUE  # no colour given: the first of the six
    with pytest.raises(BadRequest, match=bad("title must be non-empty")):
        await bot.create_forum_topic(STAFF_ID, "   ")
    with pytest.raises(BadRequest, match=bad("invalid icon color specified")):
        await bot.create_forum_topic(STAFF_ID, "Tiket", icon_color=0x123456)
    with pytest.raises(BadRequest, match=bad("invalid forum topic identifier specified")):
        await bot.close_forum_topic(STAFF_ID, 0)
    with pytest.raises(BadRequest, match=bad("TOPIC_ID_INVALID")):
        await bot.close_forum_topic(STAFF_ID, 999)
    with pytest.raises(BadRequest, match=bad("TOPIC_ID_INVALID")):
        await bot.edit_forum_topic(STAFF_ID, GENERAL_TOPIC, name="Umum")  # General has methods of its own


# ------------------------------------------------------------------------------------------ the bot in a topic


async def test_bot_messages_land_in_the_topic_they_name(fake: FakeTelegram, bot: Bot, staff_group: FakeGroup) -> None:
    budi = fake.user(1001, first_name="Budi")
    thread = (await bot.create_forum_topic(STAFF_ID, "Tiket #1 Budi")).message_thread_id
    other = (await bot.create_forum_topic(STAFF_ID, "Tiket #2 Siti")).message_thread_id

    sent = await bot.send_message(STAFF_ID, "Pertanyaan dari Budi", message_thread_id=thread)
    assert (sent.is_topic_message, sent.message_thread_id) == (True, thread)
    assert sent.chat.type == "supergroup"
    assert sent.chat.is_forum
    # Telegram shows a message in a topic as a reply to the topic's opening message.
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.forum_topic_created is not None
    assert sent.reply_to_message.message_id == thread
    [seen] = await staff_group.wait_topic_messages(thread, 1)
    assert (seen.text, seen.message_thread_id, seen.chat_id) == ("Pertanyaan dari Budi", thread, STAFF_ID)

    photo = await bot.send_photo(STAFF_ID, b"\xff\xd8\xff-foto", caption="bukti", message_thread_id=thread)
    doc = await bot.send_document(STAFF_ID, b"a,b\n", filename="data.csv", message_thread_id=other)
    assert (photo.message_thread_id, doc.message_thread_id) == (thread, other)

    await budi.send_text("halo petugas")
    await budi.send_photo(b"\xff\xd8\xff-ktp", caption="KTP saya")
    copied = await bot.copy_message(STAFF_ID, budi.chat_id, 1, message_thread_id=thread)
    many = await bot.copy_messages(STAFF_ID, budi.chat_id, [1, 2, 50], message_thread_id=other)
    assert len(many) == 2  # 50 does not exist: skipped, as Telegram does
    forwarded = await bot.forward_message(STAFF_ID, budi.chat_id, 1, message_thread_id=thread)
    assert forwarded.forward_origin is not None
    assert forwarded.message_thread_id == thread

    in_thread = [(m.kind, m.content) for m in staff_group.topic_messages(thread)]
    assert in_thread == [
        ("text", "Pertanyaan dari Budi"),
        ("photo", "bukti"),
        ("text", "halo petugas"),
        ("text", "halo petugas"),
    ]
    assert [(m.kind, m.content) for m in staff_group.topic_messages(other)] == [
        ("document", None),
        ("text", "halo petugas"),
        ("photo", "KTP saya"),
    ]
    assert staff_group.message(copied.message_id)["message_thread_id"] == thread
    assert staff_group.topic_messages(other)[2].photo == b"\xff\xd8\xff-ktp"
    assert [await staff_group.wait_topic_messages(thread, 1) for _ in range(3)]  # the cursor moves on per topic
    assert len(await staff_group.wait_topic_messages(other, 3)) == 3

    general = await bot.send_message(STAFF_ID, "Pengumuman")
    assert (general.is_topic_message, general.message_thread_id, general.reply_to_message) == (None, None, None)
    assert [m.text for m in staff_group.topic_messages(GENERAL_TOPIC)] == ["Pengumuman"]
    assert staff_group.topic_messages()[0].message_thread_id is None

    edited = await bot.edit_message_text("Pertanyaan dari Budi (diperbarui)", STAFF_ID, sent.message_id)
    assert isinstance(edited, Message)
    assert edited.message_thread_id == thread
    assert staff_group.topic_messages(thread)[0].edited
    assert await bot.delete_message(STAFF_ID, sent.message_id)
    assert staff_group.topic_messages(thread)[0].content == "bukti"
    with pytest.raises(TimeoutError, match="expected 1 new bot message"):
        await staff_group.wait_topic_messages(other, 1, timeout=0.05)


async def test_what_telegram_refuses_in_groups_and_topics(fake: FakeTelegram, bot: Bot, staff_group: FakeGroup) -> None:
    budi = fake.user(1001, first_name="Budi")
    thread = (await bot.create_forum_topic(STAFF_ID, "Tiket #1")).message_thread_id

    for wrong in (999, GENERAL_TOPIC):  # General is the absence of a thread id, never thread 1
        with pytest.raises(BadRequest, match=bad("message thread not found")):
            await bot.send_message(STAFF_ID, "x", message_thread_id=wrong)
    assert last_description(fake, "sendMessage") == "Bad Request: message thread not found"
    with pytest.raises(BadRequest, match=bad("message thread not found")):
        await bot.send_message(budi.chat_id, "x", message_thread_id=thread)  # a private chat has no such topic
    await budi.send_text("halo")
    for send in (
        bot.copy_message(STAFF_ID, budi.chat_id, 1, message_thread_id=999),
        bot.copy_messages(STAFF_ID, budi.chat_id, [1], message_thread_id=999),
        bot.forward_message(STAFF_ID, budi.chat_id, 1, message_thread_id=999),
        bot.send_photo(STAFF_ID, b"\xff\xd8\xff", message_thread_id=999),
        bot.send_document(STAFF_ID, b"x", filename="x.txt", message_thread_id=999),
    ):
        with pytest.raises(BadRequest, match=bad("message thread not found")):
            await send

    # copyMessages checks its ids as Telegram does.
    with pytest.raises(BadRequest, match=bad("message identifiers must be in a strictly increasing order")):
        await bot.copy_messages(STAFF_ID, budi.chat_id, [2, 1])
    with pytest.raises(BadRequest, match=bad("too many message identifiers specified")):
        await bot.copy_messages(STAFF_ID, budi.chat_id, list(range(1, 102)))
    with pytest.raises(BadRequest, match=bad("messages can't be forwarded")):
        await bot.copy_messages(STAFF_ID, budi.chat_id, [40, 41])

    # A closed topic takes the messages of administrators only.
    await bot.close_forum_topic(STAFF_ID, thread)
    await bot.send_message(STAFF_ID, "admin masih boleh", message_thread_id=thread)
    staff_group.set_bot_member()
    with pytest.raises(BadRequest, match=bad("TOPIC_CLOSED")):
        await bot.send_message(STAFF_ID, "anggota biasa tidak", message_thread_id=thread)

    # The bot's rights.
    with pytest.raises(BadRequest, match=bad("not enough rights to create a topic")):
        await bot.create_forum_topic(STAFF_ID, "Tiket #2")
    assert last_description(fake, "createForumTopic") == "Bad Request: not enough rights to create a topic"
    assert await bot.reopen_forum_topic(STAFF_ID, thread)  # its own topic: no rights needed
    with pytest.raises(BadRequest, match=bad("not enough rights to delete the topic")):
        await bot.delete_forum_topic(STAFF_ID, thread)
    siti = fake.user(1002, first_name="Siti")
    theirs = staff_group.create_topic("Rapat", creator=siti).thread_id
    with pytest.raises(BadRequest, match=bad("not enough rights to close or open the topic")):
        await bot.close_forum_topic(STAFF_ID, theirs)
    with pytest.raises(BadRequest, match=bad("not enough rights to edit the topic")):
        await bot.edit_forum_topic(STAFF_ID, theirs, name="Rapat pagi")
    staff_group.set_bot_admin(can_manage_topics=False, can_delete_messages=False)
    with pytest.raises(BadRequest, match=bad("not enough rights to create a topic")):
        await bot.create_forum_topic(STAFF_ID, "Tiket #2")
    staff_group.set_bot_admin()
    assert await bot.close_forum_topic(STAFF_ID, theirs)

    # The topic is deleted: nothing can go there any more.
    await bot.delete_forum_topic(STAFF_ID, thread)
    with pytest.raises(BadRequest, match=bad("message thread not found")):
        await bot.send_message(STAFF_ID, "x", message_thread_id=thread)

    # Not a forum.
    plain = fake.group(-1009876543210, "Alumni", forum=False)
    with pytest.raises(BadRequest, match=bad("the chat is not a forum")):
        await bot.create_forum_topic(plain.chat_id, "Tiket")
    assert last_description(fake, "createForumTopic") == "Bad Request: the chat is not a forum"
    with pytest.raises(BadRequest, match=bad("the chat is not a forum")):
        await bot.close_forum_topic(budi.chat_id, 5)
    ignored = await bot.send_message(plain.chat_id, "tanpa topik", message_thread_id=12345)
    assert ignored.message_thread_id is None  # a group without topics ignores the parameter
    with pytest.raises(BadRequest, match=bad("chat not found")):
        await bot.send_message(-1001111111111, "x")

    # The bot is removed: 403, in Telegram's words.
    staff_group.remove_bot()
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(STAFF_ID, "x")
    assert last_description(fake, "sendMessage") == "Forbidden: bot was kicked from the supergroup chat"
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.copy_message(STAFF_ID, budi.chat_id, 1)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.create_forum_topic(STAFF_ID, "Tiket #3")
    staff_group.remove_bot(kicked=False)
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_photo(STAFF_ID, b"\xff\xd8\xff")


async def test_get_chat_and_get_chat_member(fake: FakeTelegram, bot: Bot, staff_group: FakeGroup) -> None:
    chat = await bot.get_chat(STAFF_ID)
    assert (chat.type, chat.title, chat.is_forum) == ("supergroup", "Tanya Petugas", True)
    me = await bot.get_chat_member(STAFF_ID, fake.bot_id)
    assert isinstance(me, ChatMemberAdministrator)
    assert me.can_manage_topics
    assert me.can_delete_messages
    assert not me.can_promote_members

    siti, budi = fake.user(1002, first_name="Siti"), fake.user(1001, first_name="Budi")
    staff_group.add_member(siti)
    assert isinstance(await bot.get_chat_member(STAFF_ID, siti.user_id), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(STAFF_ID, budi.user_id), ChatMemberLeft)
    staff_group.add_member(siti, admin=True)
    assert isinstance(await bot.get_chat_member(STAFF_ID, siti.user_id), ChatMemberAdministrator)
    staff_group.set_bot_member()
    assert isinstance(await bot.get_chat_member(STAFF_ID, fake.bot_id), ChatMemberMember)
    with pytest.raises(BadRequest, match=bad("user not found")):
        await bot.get_chat_member(STAFF_ID, 424242)

    # Removed from a supergroup, the bot cannot even read it; a basic group it can still read.
    staff_group.remove_bot()
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.get_chat_member(STAFF_ID, fake.bot_id)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.get_chat(STAFF_ID)
    basic = fake.group(-4567, "Panitia", forum=False, kind="group")
    assert (await bot.get_chat(basic.chat_id)).type == "group"
    basic.remove_bot()
    assert isinstance(await bot.get_chat_member(basic.chat_id, fake.bot_id), ChatMemberBanned)
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(basic.chat_id, "x")
    basic.remove_bot(kicked=False)
    assert isinstance(await bot.get_chat_member(basic.chat_id, fake.bot_id), ChatMemberLeft)
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(basic.chat_id, "x")

    with pytest.raises(ValueError, match="cannot have topics"):
        fake.group(-4568, "Panitia", kind="group")
    with pytest.raises(ValueError, match="-100"):
        fake.group(-4569, "Panitia")
    assert fake.group(STAFF_ID, "another title") is staff_group


# ------------------------------------------------------------------------------------------ staff in a topic


async def test_staff_messages_in_a_topic_reach_the_bot_as_topic_messages(
    fake: FakeTelegram, staff_group: FakeGroup
) -> None:
    seen: list[tuple[str, bool | None, int | None, str]] = []

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None
        assert message.chat.type == "supergroup"
        assert message.from_user is not None
        seen.append(("text", message.is_topic_message, message.message_thread_id, message.text or ""))

    async def on_close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None
        seen.append(("tutup", message.is_topic_message, message.message_thread_id, " ".join(context.args or [])))
        await message.reply_text("Tiket ditutup")

    app = application(fake)
    app.add_handler(CommandHandler("tutup", on_close))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    siti = fake.user(1002, first_name="Siti")
    staff_group.add_member(siti)
    thread = staff_group.create_topic("Tiket #1 Budi").thread_id
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        try:
            await siti.send_text_in(staff_group, thread, "NIK sudah dicek")
            await siti.send_command_in(staff_group, thread, "tutup", "selesai")
            await siti.send_command_in(staff_group, thread, "tutup", "lagi", addressed=True)
            replies = await staff_group.wait_topic_messages(thread, 2)
            await siti.send_text_in(staff_group, None, "di General")
            await fake.wait_until(lambda: fake.pending_updates == 0 and len(seen) == 4)
        finally:
            await app.updater.stop()
            await app.stop()

    assert seen == [
        ("text", True, thread, "NIK sudah dicek"),
        ("tutup", True, thread, "selesai"),
        ("tutup", True, thread, "lagi"),
        ("text", None, None, "di General"),
    ]
    # reply_text in a topic goes to the replied message's topic, as Telegram does.
    assert [(m.text, m.message_thread_id) for m in replies] == [("Tiket ditutup", thread)] * 2
    assert fake.pending_updates == 0


async def test_staff_updates_have_the_group_chat_and_privacy_mode(fake: FakeTelegram) -> None:
    group = fake.group(STAFF_ID, "Tanya Petugas")
    thread = group.create_topic("Tiket #1").thread_id
    siti, budi = fake.user(1002, first_name="Siti"), fake.user(1001, first_name="Budi")
    group.add_member(siti)
    with pytest.raises(PermissionError, match="not a member"):
        await budi.send_text_in(group, thread, "saya bukan petugas")
    with pytest.raises(LookupError, match="no topic 77"):
        await siti.send_text_in(group, 77, "x")

    # The bot is a plain member: privacy mode lets only commands, replies to it and mentions through.
    plain = await siti.send_text_in(group, thread, "obrolan biasa")
    assert fake.queued_updates == []
    assert group.message(plain)["text"] == "obrolan biasa"
    await siti.send_command_in(group, thread, "tutup", addressed=True)
    await siti.send_text_in(group, thread, "/tutup@other_bot")
    await siti.send_text_in(group, thread, "tolong @vokasi_test_bot")
    [command, mention] = [u["message"] for u in fake.queued_updates]
    assert command["text"] == "/tutup@vokasi_test_bot"
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 22}]
    assert command["chat"] == {"id": STAFF_ID, "title": "Tanya Petugas", "type": "supergroup", "is_forum": True}
    assert command["from"] == siti.user_dict
    assert (command["message_thread_id"], command["is_topic_message"]) == (thread, True)
    assert command["reply_to_message"]["forum_topic_created"] == {"name": "Tiket #1", "icon_color": BLUE}
    assert mention["text"] == "tolong @vokasi_test_bot"

    # An administrator bot gets everything; a reply names the message replied to.
    group.set_bot_admin()
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as bot:
        question = await bot.send_message(STAFF_ID, "Budi bertanya: jadwal?", message_thread_id=thread)
        await siti.reply_in(group, thread, question.message_id, "Senin jam 9")
        reply = fake.queued_updates[-1]["message"]
        assert reply["reply_to_message"]["message_id"] == question.message_id
        assert reply["reply_to_message"]["text"] == "Budi bertanya: jadwal?"
        parsed = Message.de_json(reply, bot)
        assert (parsed.is_topic_message, parsed.message_thread_id) == (True, thread)

        await bot.close_forum_topic(STAFF_ID, thread)
        with pytest.raises(PermissionError, match="closed"):
            await siti.send_text_in(group, thread, "x")
        group.add_member(siti, admin=True)
        await siti.send_text_in(group, thread, "admin menulis di topik tertutup")


async def test_a_staff_members_photo_is_copied_to_the_participant(fake: FakeTelegram, staff_group: FakeGroup) -> None:
    budi = fake.user(1001, first_name="Budi")
    siti = fake.user(1002, first_name="Siti")
    staff_group.add_member(siti)
    copies: list[int] = []

    async def forward_to_participant(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None
        assert message.is_topic_message
        copied = await context.bot.copy_message(budi.chat_id, message.chat_id, message.message_id)
        copies.append(copied.message_id)

    app = application(fake)
    app.add_handler(MessageHandler(filters.PHOTO & filters.ChatType.SUPERGROUP, forward_to_participant))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        try:
            thread = (await app.bot.create_forum_topic(STAFF_ID, "Tiket #1 Budi")).message_thread_id
            await siti.send_photo_in(staff_group, thread, b"\xff\xd8\xff-jadwal", caption="Jadwal ujian")
            [arrived] = await budi.wait_messages(1)
        finally:
            await app.updater.stop()
            await app.stop()

    assert (arrived.kind, arrived.photo, arrived.caption) == ("photo", b"\xff\xd8\xff-jadwal", "Jadwal ujian")
    assert arrived.message_thread_id is None
    assert copies == [arrived.message_id]
    assert "message_thread_id" not in arrived.raw


# ------------------------------------------------------------------------------------------ rate limit


async def test_a_group_has_a_budget_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    clock = FakeClock()
    async with (
        FakeTelegram(clock=clock) as fake,
        Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as bot,
    ):
        group = fake.group(STAFF_ID, "Tanya Petugas")
        group.set_bot_admin()
        other = fake.group(-1009876543210, "Alumni", forum=False)
        budi = fake.user(1001, first_name="Budi")
        await budi.send_text("satu")
        await budi.send_text("dua")
        await budi.send_text("tiga")
        fake.rate_limit(per_group_per_min=20, retry_after=3)
        thread = (await bot.create_forum_topic(STAFF_ID, "Tiket")).message_thread_id  # not a message sent
        copied = await bot.copy_messages(STAFF_ID, budi.chat_id, [1, 2, 3], message_thread_id=thread)
        assert len(copied) == 3  # one request, one token
        for i in range(19):
            await bot.send_message(STAFF_ID, f"pesan {i}", message_thread_id=thread if i % 2 else None)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(STAFF_ID, "terlalu banyak")
        assert caught.value.retry_after == timedelta(seconds=3)
        await bot.send_message(other.chat_id, "grup lain tidak terkena")
        await bot.send_message(budi.chat_id, "obrolan pribadi tidak terkena")
        clock.now += 3.0  # 20 a minute: one message every 3 seconds
        await bot.send_message(STAFF_ID, "lagi")
        with pytest.raises(RetryAfter):
            await bot.copy_message(STAFF_ID, budi.chat_id, 1)

        fake.rate_limit(per_chat_per_s=1, retry_after=1)  # the other limits still work, and apply to groups too
        await bot.send_message(STAFF_ID, "a")
        with pytest.raises(RetryAfter):
            await bot.send_message(STAFF_ID, "b")
