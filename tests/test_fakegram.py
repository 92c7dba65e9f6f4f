"""Tests of the fake Telegram Bot API server itself (fakegram), mostly as python-telegram-bot sees it."""

from __future__ import annotations

import asyncio
import json
import re
import struct
import zlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from fakegram import BotMessage, FakeTelegram, FakeUser
from fakegram._html import EntityParseError, parse_html, utf16_len


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def bad(description: str) -> re.Pattern[str]:
    """PTB strips "Bad Request: " and capitalises the rest, so match case-insensitively."""
    return re.compile(re.escape(description), re.IGNORECASE)


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
async def http(fake: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{fake.port}") as client:
        yield client


# ------------------------------------------------------------------------------------------ raw HTTP


async def test_get_me_wrong_token_and_unknown_method(fake: FakeTelegram, http: httpx.AsyncClient) -> None:
    me = (await http.get(f"/bot{fake.token}/getMe")).json()
    assert me["ok"] is True
    assert me["result"]["id"] == fake.bot_id
    assert me["result"]["is_bot"] is True
    assert me["result"]["username"] == "vokasi_test_bot"

    wrong = await http.post("/bot999:WRONG/getMe")
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    unknown = await http.post(f"/bot{fake.token}/fooBar")
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}

    assert [(r.method, r.status) for r in fake.requests] == [("getMe", 200), ("getMe", 401), ("fooBar", 404)]
    # Method names are case-insensitive, like in Telegram.
    assert (await http.get(f"/bot{fake.token}/GETME")).json()["ok"] is True
    assert len(fake.requests_for("getMe")) == 3


async def test_wrong_token_is_invalid_token_for_ptb(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("1:WRONG", base_url=fake.base_url, base_file_url=fake.base_file_url):
            pass


async def test_form_encoded_and_json_bodies(fake: FakeTelegram, http: httpx.AsyncClient) -> None:
    budi = fake.user(42)
    keyboard = {"inline_keyboard": [[{"text": "Ya", "callback_data": "yes"}]]}
    as_json = await http.post(
        f"/bot{fake.token}/sendMessage",
        json={"chat_id": 42, "text": "json body", "reply_markup": keyboard, "disable_notification": True},
    )
    as_form = await http.post(
        f"/bot{fake.token}/sendMessage",
        data={
            "chat_id": "42",
            "text": "form body",
            "reply_markup": json.dumps(keyboard),
            "protect_content": "true",
        },
    )
    # JSON bodies may also carry complex fields as JSON-encoded strings.
    json_string_markup = await http.post(
        f"/bot{fake.token}/sendMessage",
        json={"chat_id": "42", "text": "json string", "reply_markup": json.dumps(keyboard)},
    )
    for response in (as_json, as_form, json_string_markup):
        assert response.status_code == 200, response.text
        assert response.json()["result"]["reply_markup"] == keyboard

    first, second, third = fake.requests_for("sendMessage")
    assert first.params == {
        "chat_id": 42,
        "text": "json body",
        "reply_markup": keyboard,
        "disable_notification": True,
    }
    assert second.params == {
        "chat_id": 42,
        "text": "form body",
        "reply_markup": keyboard,
        "protect_content": True,
    }
    assert third.params["reply_markup"] == keyboard
    assert as_form.json()["result"]["has_protected_content"] is True
    assert [m.text for m in budi.messages] == ["json body", "form body", "json string"]
    assert [m.message_id for m in budi.messages] == [1, 2, 3]
    assert budi.messages[0].button_texts() == ["Ya"]

    bad_json = await http.post(
        f"/bot{fake.token}/sendMessage", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400


async def test_get_updates_offset_limit_and_long_poll(fake: FakeTelegram, http: httpx.AsyncClient) -> None:
    budi = fake.user(7)
    ids = [await budi.send_text(f"pesan {i}") for i in range(3)]
    assert ids == [1, 2, 3]
    assert fake.pending_updates == 3

    url = f"/bot{fake.token}/getUpdates"
    got = (await http.post(url, data={"limit": "2"})).json()["result"]
    assert [u["update_id"] for u in got] == [1, 2]
    assert got[0]["message"]["text"] == "pesan 0"
    assert fake.pending_updates == 1
    # Not acknowledged yet: handed out again; offset drops everything below it.
    got = (await http.post(url, json={"offset": 2})).json()["result"]
    assert [u["update_id"] for u in got] == [2, 3]
    assert fake.pending_updates == 0
    assert fake.delivered_update_ids == [1, 2, 2, 3]

    # Long poll: held until an update is queued.
    poll = asyncio.create_task(http.post(url, json={"offset": 4, "timeout": 30}, timeout=10))
    await fake.wait_until(lambda: fake.long_polls == 1)
    assert fake.queued_updates == []
    assert not poll.done()
    update_id = await budi.send_text("bangun")
    response = await asyncio.wait_for(poll, timeout=5)
    assert [u["update_id"] for u in response.json()["result"]] == [update_id]

    # Long poll with nothing to deliver returns an empty list after the timeout.
    empty = await http.post(url, json={"offset": update_id + 1, "timeout": 1})
    assert empty.json() == {"ok": True, "result": []}


async def test_long_poll_is_released_when_the_server_stops() -> None:
    fake = FakeTelegram()
    await fake.start()
    async with httpx.AsyncClient() as client:
        poll = asyncio.create_task(client.post(f"{fake.base_url}{fake.token}/getUpdates", json={"timeout": 60}))
        await fake.wait_until(lambda: fake.long_polls == 1)
        await asyncio.wait_for(fake.stop(), timeout=5)
        response = await asyncio.wait_for(poll, timeout=5)
    assert response.json() == {"ok": True, "result": []}
    assert fake.delivered_update_ids == []


# ------------------------------------------------------------------------------------------ PTB Application


async def test_ptb_application_echo_and_callback_query_through_polling(fake: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        assert update.effective_message.text is not None
        await update.effective_message.reply_text(
            f"Kamu bilang: <b>{update.effective_message.text}</b>",
            parse_mode=ParseMode.HTML,
            do_quote=True,
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton("Ya", callback_data="yes"),
                        InlineKeyboardButton("Tidak", callback_data="no"),
                    ]
                ]
            ),
        )

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer(f"dipilih: {query.data}")
        await query.edit_message_text(f"Pilihan: {query.data}")

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(fake.token).base_url(fake.base_url).base_file_url(fake.base_file_url).build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(on_button))

    budi = fake.user(1001, first_name="Budi", username="budi")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        try:
            await budi.send_text("halo")
            [reply] = await budi.wait_messages(1)
            assert reply.text == "Kamu bilang: <b>halo</b>"
            assert reply.plain_text == "Kamu bilang: halo"
            assert reply.parse_mode == "HTML"
            assert reply.entities == [{"type": "bold", "offset": 13, "length": 4}]
            assert reply.button_texts() == ["Ya", "Tidak"]
            assert reply.reply_to_message_id == 1

            await budi.press("Tidak")
            [edited] = await budi.wait_messages(1)
            assert edited.message_id == reply.message_id
            assert edited.text == "Pilihan: no"
            assert edited.edited
            assert edited.edit_count == 1
            assert edited.inline_keyboard is None  # editMessageText without reply_markup drops the keyboard
            assert budi.callback_answers == [
                {
                    "callback_query_id": budi.callback_answers[0]["callback_query_id"],
                    "text": "dipilih: no",
                    "show_alert": False,
                }
            ]
            assert reply.text == "Kamu bilang: <b>halo</b>"  # snapshots do not change under the test
            assert budi.messages == [edited]
        finally:
            await app.updater.stop()
            await app.stop()

    assert fake.pending_updates == 0
    assert sorted(set(fake.delivered_update_ids)) == [1, 2]
    methods = [r.method for r in fake.requests if r.method != "getUpdates"]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    assert {"sendMessage", "answerCallbackQuery", "editMessageText"} <= set(methods)
    assert all(r.status == 200 for r in fake.requests)


# ------------------------------------------------------------------------------------------ fault injection


async def test_blocked_and_deactivated_users_give_forbidden(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(5)
    sent = await bot.send_message(budi.chat_id, "sebelum")
    fake.block(budi.chat_id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(budi.chat_id, "halo")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.edit_message_text("baru", chat_id=budi.chat_id, message_id=sent.message_id)
    with pytest.raises(Forbidden):
        await bot.send_document(budi.chat_id, InputFile(b"a,b\n", filename="x.csv"))
    assert [r.status for r in fake.requests_for("sendMessage")] == [200, 403]
    fake.unblock(budi.chat_id)
    await bot.send_message(budi.chat_id, "lagi")

    fake.block(budi.chat_id)
    await budi.send_text("/start")  # writing to the bot unblocks it, as in Telegram
    await bot.send_message(budi.chat_id, "selamat datang kembali")

    fake.deactivate(budi.chat_id)
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.copy_message(budi.chat_id, budi.chat_id, sent.message_id)
    assert [m.text for m in budi.messages] == ["sebelum", "lagi", "selamat datang kembali"]


async def test_rate_limit_gives_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns about int retry_after otherwise
    clock = FakeClock()
    async with (
        FakeTelegram(clock=clock) as fake,
        Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as bot,
    ):
        budi, siti = fake.user(1), fake.user(2, first_name="Siti")
        fake.rate_limit(per_chat_per_s=1, retry_after=3)
        await bot.send_message(budi.chat_id, "satu")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(budi.chat_id, "dua")
        assert caught.value.retry_after == timedelta(seconds=3)
        await bot.send_message(siti.chat_id, "other chats are not limited")
        await bot.send_chat_action(budi.chat_id, "typing")  # not a message
        clock.now += 1.0
        await bot.send_message(budi.chat_id, "dua")

        fake.rate_limit(global_per_s=2, retry_after=1)
        await bot.send_message(budi.chat_id, "a")
        await bot.send_message(siti.chat_id, "b")
        with pytest.raises(RetryAfter):
            await bot.send_message(siti.chat_id, "c")
        clock.now += 0.5
        await bot.send_message(siti.chat_id, "c")

        response = fake.requests_for("sendMessage")[1].response
        assert response == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        }
        fake.rate_limit()  # disabled
        for i in range(10):
            await bot.send_message(budi.chat_id, str(i))


async def test_fail_next_gives_network_errors(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(3)
    fake.fail_next(2)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(budi.chat_id, "x")
    with pytest.raises(NetworkError):
        await bot.get_me()
    await bot.send_message(budi.chat_id, "ok now")

    fake.fail_next(1, status=500, methods={"sendDocument"})
    await bot.send_message(budi.chat_id, "not matching")
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_document(budi.chat_id, InputFile(b"data", filename="a.csv"))
    await bot.send_document(budi.chat_id, InputFile(b"data", filename="a.csv"))
    assert [m.content for m in budi.messages] == ["ok now", "not matching", None]
    assert [r.status for r in fake.requests_for("sendDocument")] == [500, 200]


# ------------------------------------------------------------------------------------------ files


async def test_multipart_uploads_and_resend_by_file_id(fake: FakeTelegram, bot: Bot) -> None:
    budi, siti = fake.user(10), fake.user(11, first_name="Siti")
    csv = b"nama,nik\nBudi,3201015501900001\n"
    message = await bot.send_document(
        budi.chat_id, InputFile(csv, filename="laporan.csv"), caption="<i>Laporan</i>", parse_mode="HTML"
    )
    assert message.document is not None
    assert message.document.file_name == "laporan.csv"
    assert message.document.file_size == len(csv)
    assert message.caption == "Laporan"
    doc = budi.last_message
    assert doc is not None
    assert (doc.kind, doc.document, doc.file_name, doc.caption) == (
        "document",
        csv,
        "laporan.csv",
        "<i>Laporan</i>",
    )
    assert doc.mime_type == "text/csv"
    [record] = fake.requests_for("sendDocument")
    assert record.params["document"] == {"filename": "laporan.csv", "size": len(csv)}
    assert record.params["chat_id"] == budi.chat_id

    png = _png(3, 2)
    photo_message = await bot.send_photo(budi.chat_id, InputFile(png, filename="foto.png"))
    assert photo_message.photo[-1].width == 3
    assert photo_message.photo[-1].height == 2
    photo = budi.last_message
    assert photo is not None
    assert (photo.kind, photo.photo) == ("photo", png)

    again = await bot.send_document(siti.chat_id, message.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == message.document.file_unique_id
    assert siti.messages[0].document == csv
    with pytest.raises(BadRequest, match=bad("wrong file identifier")):
        await bot.send_document(siti.chat_id, "no-such-file-id")
    with pytest.raises(BadRequest, match=bad("can't use file of type Document as Photo")):
        await bot.send_photo(siti.chat_id, message.document.file_id)

    downloaded = await (await bot.get_file(message.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == csv


async def test_get_file_and_download_of_a_user_document(fake: FakeTelegram) -> None:
    content = b"nama,kota\nSiti,Bandung\n"
    received: list[bytes] = []
    done = asyncio.Event()

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        assert update.message.document is not None
        assert update.message.document.file_name == "data.csv"
        telegram_file = await update.message.document.get_file()
        received.append(bytes(await telegram_file.download_as_bytearray()))
        done.set()

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(fake.token).base_url(fake.base_url).base_file_url(fake.base_file_url).build()
    )
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, poll_interval=0)
        try:
            await fake.user(77).send_document(content, "data.csv", caption="ini datanya")
            await asyncio.wait_for(done.wait(), timeout=5)
        finally:
            await app.updater.stop()
            await app.stop()
    assert received == [content]
    [get_file] = fake.requests_for("getFile")
    assert get_file.response is not None
    assert get_file.response["result"]["file_path"].startswith("documents/")


async def test_file_download_with_wrong_token_or_path_is_404(fake: FakeTelegram, http: httpx.AsyncClient) -> None:
    stored = fake.store_file(b"x", kind="document", file_name="a.txt")
    assert (await http.get(f"/file/bot{fake.token}/{stored.file_path}")).content == b"x"
    assert (await http.get(f"/file/botWRONG/{stored.file_path}")).status_code == 404
    assert (await http.get(f"/file/bot{fake.token}/documents/nope.txt")).status_code == 404


# ------------------------------------------------------------------------------------------ messages & edits


async def test_edit_and_delete_are_reflected_in_the_users_view(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(20)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Lanjut", callback_data="next")]])
    sent = await bot.send_message(budi.chat_id, "Langkah 1", reply_markup=keyboard)
    assert [m.text for m in budi.new_messages()] == ["Langkah 1"]

    edited = await bot.edit_message_text(
        "Langkah 2", chat_id=budi.chat_id, message_id=sent.message_id, reply_markup=keyboard
    )
    assert isinstance(edited, type(sent))
    assert edited.text == "Langkah 2"
    assert edited.edit_date is not None
    view = budi.message(sent.message_id)
    assert (view.text, view.edited, view.edit_count, view.button_texts()) == (
        "Langkah 2",
        True,
        1,
        ["Lanjut"],
    )
    assert budi.new_messages() == [view]

    with pytest.raises(BadRequest, match=bad("message is not modified")):
        await bot.edit_message_text(
            "Langkah 2", chat_id=budi.chat_id, message_id=sent.message_id, reply_markup=keyboard
        )
    await bot.edit_message_reply_markup(chat_id=budi.chat_id, message_id=sent.message_id)
    assert budi.message(sent.message_id).inline_keyboard is None
    assert budi.message(sent.message_id).edit_count == 2
    with pytest.raises(BadRequest, match=bad("message is not modified")):
        await bot.edit_message_reply_markup(chat_id=budi.chat_id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=bad("there is no caption in the message to edit")):
        await bot.edit_message_caption(chat_id=budi.chat_id, message_id=sent.message_id, caption="x")
    with pytest.raises(BadRequest, match=bad("message to edit not found")):
        await bot.edit_message_text("x", chat_id=budi.chat_id, message_id=999)

    doc = await bot.send_document(budi.chat_id, InputFile(b"1", filename="a.csv"), caption="lama")
    await bot.edit_message_caption(chat_id=budi.chat_id, message_id=doc.message_id, caption="baru")
    assert budi.message(doc.message_id).caption == "baru"
    with pytest.raises(BadRequest, match=bad("there is no text in the message to edit")):
        await bot.edit_message_text("x", chat_id=budi.chat_id, message_id=doc.message_id)

    user_update = await budi.send_text("pesan saya")
    assert user_update > 0
    with pytest.raises(BadRequest, match=bad("message can't be edited")):
        await bot.edit_message_text("x", chat_id=budi.chat_id, message_id=doc.message_id + 1)

    assert await bot.delete_message(budi.chat_id, sent.message_id)
    assert [m.message_id for m in budi.messages] == [doc.message_id]
    with pytest.raises(BadRequest, match=bad("message to delete not found")):
        await bot.delete_message(budi.chat_id, sent.message_id)
    assert await bot.delete_message(budi.chat_id, doc.message_id + 1)  # bots may delete incoming messages


async def test_send_message_validation(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(30)
    with pytest.raises(BadRequest, match=bad("message text is empty")):
        await bot.send_message(budi.chat_id, "   ")
    with pytest.raises(BadRequest, match=bad("message is too long")):
        await bot.send_message(budi.chat_id, "a" * 4097)
    await bot.send_message(budi.chat_id, "a" * 4096)
    with pytest.raises(BadRequest, match=bad("message is too long")):
        await bot.send_message(budi.chat_id, "\N{GRINNING FACE}" * 2049)  # 4098 UTF-16 code units
    with pytest.raises(BadRequest, match=bad("chat not found")):
        await bot.send_message(999_999, "siapa?")
    with pytest.raises(BadRequest, match=bad("BUTTON_DATA_INVALID")):
        await bot.send_message(
            budi.chat_id,
            "x",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="x" * 65)]]),
        )
    await bot.send_message(
        budi.chat_id,
        "x",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="x" * 64)]]),
    )
    with pytest.raises(BadRequest, match=bad('can\'t parse entities: Unsupported start tag "div"')):
        await bot.send_message(budi.chat_id, "<div>x</div>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=bad("can't parse entities")):
        await bot.send_message(budi.chat_id, "<b>tebal", parse_mode="HTML")
    with pytest.raises(BadRequest, match=bad("can't parse entities")):
        await bot.send_message(budi.chat_id, "<b><i>x</b></i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=bad("can't parse entities")):
        await bot.send_message(budi.chat_id, "1 < 2", parse_mode="HTML")
    ok = await bot.send_message(budi.chat_id, "1 &lt; 2 &amp; <a href='https://x.id'>tautan</a>", parse_mode="HTML")
    assert ok.text == "1 < 2 & tautan"
    assert ok.entities[0].type == "text_link"
    assert ok.entities[0].url == "https://x.id"
    assert (ok.entities[0].offset, ok.entities[0].length) == (8, 6)
    with pytest.raises(BadRequest, match=bad("message to be replied not found")):
        await bot.send_message(budi.chat_id, "balas", reply_parameters=ReplyParameters(message_id=12345))
    sent = await bot.send_message(
        budi.chat_id,
        "balas",
        reply_parameters=ReplyParameters(message_id=12345, allow_sending_without_reply=True),
    )
    assert sent.reply_to_message is None
    with pytest.raises(BadRequest, match=bad("query is too old and response timeout expired or query ID is invalid")):
        await bot.answer_callback_query("nope")


async def test_answer_callback_query_only_once(fake: FakeTelegram, bot: Bot, http: httpx.AsyncClient) -> None:
    budi = fake.user(31)
    await bot.send_message(
        budi.chat_id,
        "pilih",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="y")]]),
    )
    await budi.press("Ya")
    updates = (await http.post(f"/bot{fake.token}/getUpdates")).json()["result"]
    query = Update.de_json(updates[-1], bot).callback_query
    assert query is not None
    assert query.data == "y"
    assert query.message is not None
    assert query.from_user.id == budi.user_id
    assert await bot.answer_callback_query(query.id, text="Oke", show_alert=True)
    assert budi.callback_answers[-1]["show_alert"] is True
    with pytest.raises(BadRequest, match=bad("query is too old")):
        await bot.answer_callback_query(query.id)


async def test_copy_message_keeps_content(fake: FakeTelegram, bot: Bot) -> None:
    budi, admin = fake.user(40), fake.user(41, first_name="Admin")
    await budi.send_document(b"isi", "bukti.pdf", mime_type="application/pdf", caption="bukti saya")
    await budi.send_text("teks biasa")
    copied = await bot.copy_message(admin.chat_id, budi.chat_id, 1)
    assert copied.message_id == 1
    copy_doc = admin.messages[0]
    assert (copy_doc.kind, copy_doc.document, copy_doc.file_name, copy_doc.caption) == (
        "document",
        b"isi",
        "bukti.pdf",
        "bukti saya",
    )
    await bot.copy_message(
        admin.chat_id,
        budi.chat_id,
        2,
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Setujui", callback_data="ok")]]),
    )
    assert admin.messages[1].text == "teks biasa"
    assert admin.messages[1].button_texts() == ["Setujui"]
    with pytest.raises(BadRequest, match=bad("message to copy not found")):
        await bot.copy_message(admin.chat_id, budi.chat_id, 99)
    forwarded = await bot.forward_message(admin.chat_id, budi.chat_id, 2)
    assert forwarded.forward_origin is not None
    assert forwarded.text == "teks biasa"


async def test_reply_keyboard_state(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(50)

    def shown() -> list[list[dict[str, Any]]] | None:
        return budi.reply_keyboard

    share = KeyboardButton("Bagikan nomor", request_contact=True)
    await bot.send_message(budi.chat_id, "nomor?", reply_markup=ReplyKeyboardMarkup([[share]], one_time_keyboard=True))
    assert shown() == [[{"text": "Bagikan nomor", "request_contact": True}]]
    await bot.send_message(budi.chat_id, "tanpa keyboard")  # keyboards persist like in a real client
    assert shown() is not None
    await budi.press_reply("Bagikan nomor")  # one_time: hidden after the user answers
    assert shown() is None
    assert fake.queued_updates[-1]["message"]["contact"]["user_id"] == budi.user_id

    await bot.send_message(budi.chat_id, "menu", reply_markup=ReplyKeyboardMarkup([["A", "B"]]))
    assert shown() == [[{"text": "A"}, {"text": "B"}]]
    await budi.send_text("A")
    assert shown() is not None
    with pytest.raises(LookupError, match="shown"):
        await budi.press_reply("C")
    await bot.send_message(budi.chat_id, "selesai", reply_markup=ReplyKeyboardRemove())
    assert shown() is None


async def test_commands_per_scope_and_language(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Mulai"), BotCommand("help", "Bantuan")])
    await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(99))
    assert fake.commands() == [
        {"command": "start", "description": "Mulai"},
        {"command": "help", "description": "Bantuan"},
    ]
    assert fake.commands(language_code="en") == [{"command": "start", "description": "Start"}]
    assert fake.commands("chat", chat_id=99) == [{"command": "admin", "description": "Admin"}]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert await bot.delete_my_commands(language_code="en")
    assert fake.commands(language_code="en") == []
    with pytest.raises(BadRequest, match=bad("BOT_COMMAND_INVALID")):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])


async def test_misc_methods(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(60, first_name="Budi", last_name="Santoso", username="budis")
    chat = await bot.get_chat(budi.chat_id)
    assert (chat.id, chat.type, chat.first_name, chat.last_name, chat.username) == (
        60,
        "private",
        "Budi",
        "Santoso",
        "budis",
    )
    assert await bot.send_chat_action(budi.chat_id, "typing")
    assert budi.chat_actions == ["typing"]
    assert await bot.delete_webhook(drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert info.url == ""
    assert await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    assert await bot.log_out()
    assert await bot.close()


# ------------------------------------------------------------------------------------------ user side


async def test_user_updates_have_real_shapes(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(70, first_name="Budi", language_code="id")
    await budi.send_text("/start@vokasi_test_bot")
    await budi.send_command("start", "abc")
    await budi.send_contact("+6281234567890")
    await budi.send_contact("+6281111111111", user_id=None, first_name="Ibu")
    await budi.send_contact("+6282222222222", user_id=71, first_name="Adik")
    await budi.send_photo(_png(1, 1), caption="foto")
    await budi.send_sticker()
    await budi.send_voice()
    await budi.send_location(-6.9, 107.6)
    edit_id = await budi.edit_text(2, "/start xyz")
    updates = [Update.de_json(u, bot) for u in fake.queued_updates]
    messages = [u.message for u in updates[:-1]]
    assert all(m is not None for m in messages)
    m = [msg for msg in messages if msg is not None]
    assert m[0].text == "/start@vokasi_test_bot"
    assert m[0].entities[0].type == "bot_command"
    assert (m[0].entities[0].offset, m[0].entities[0].length) == (0, 22)
    assert (m[1].text, m[1].entities[0].length) == ("/start abc", 6)
    assert m[1].from_user is not None
    assert m[1].from_user.language_code == "id"
    assert m[1].chat.type == "private"
    assert m[2].contact is not None
    assert (m[2].contact.user_id, m[2].contact.first_name) == (70, "Budi")
    assert m[3].contact is not None
    assert m[3].contact.user_id is None
    assert m[4].contact is not None
    assert m[4].contact.user_id == 71
    assert m[5].photo
    assert m[5].caption == "foto"
    assert m[6].sticker is not None
    assert m[7].voice is not None
    assert m[8].location is not None
    assert m[8].location.latitude == pytest.approx(-6.9)
    assert [u.update_id for u in updates] == list(range(1, 11))
    assert updates[-1].update_id == edit_id
    assert updates[-1].edited_message is not None
    assert updates[-1].edited_message.text == "/start xyz"
    assert [msg.message_id for msg in m] == list(range(1, 10))
    with pytest.raises(LookupError):
        await budi.edit_text(99, "x")


async def test_press_lookup_and_forged_data(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(80)
    with pytest.raises(LookupError):
        await budi.press_data("anything")
    first = await bot.send_message(
        budi.chat_id,
        "Provinsi?",
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Jawa Barat", callback_data="prov:32")],
                [InlineKeyboardButton("Situs", url="https://example.invalid")],
            ]
        ),
    )
    second = await bot.send_message(
        budi.chat_id,
        "Lagi?",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Jawa Barat", callback_data="again:32")]]),
    )
    await budi.press("Jawa Barat")  # newest message with that button
    await budi.press("Jawa Barat", message_id=first.message_id)
    await budi.press("prov:32")  # by callback data
    with pytest.raises(LookupError, match="buttons by message id"):
        await budi.press("Jawa Timur")
    with pytest.raises(LookupError, match="Situs"):
        await budi.press("Lanjut", message_id=first.message_id)
    with pytest.raises(ValueError, match="no callback_data"):
        await budi.press("Situs")
    await budi.press_data("forged:1")
    await budi.press_data("forged:2", message_id=first.message_id)
    queries = [u["callback_query"] for u in fake.queued_updates]
    assert [(q["message"]["message_id"], q["data"]) for q in queries] == [
        (second.message_id, "again:32"),
        (first.message_id, "prov:32"),
        (first.message_id, "prov:32"),
        (second.message_id, "forged:1"),
        (first.message_id, "forged:2"),
    ]
    assert len({q["id"] for q in queries}) == 5
    assert all(q["chat_instance"] == queries[0]["chat_instance"] for q in queries)


async def test_press_shows_the_message_as_currently_shown(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(81)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ok", callback_data="ok")]])
    sent = await bot.send_message(budi.chat_id, "lama", reply_markup=markup)
    await bot.edit_message_text("baru", chat_id=budi.chat_id, message_id=sent.message_id, reply_markup=markup)
    await budi.press("Ok")
    assert fake.queued_updates[-1]["callback_query"]["message"]["text"] == "baru"


async def test_wait_messages_cursor_and_timeouts(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(90)

    async def bot_talks() -> None:
        await bot.send_message(budi.chat_id, "satu")
        await bot.send_message(budi.chat_id, "dua")
        await bot.send_message(budi.chat_id, "tiga")

    talker = asyncio.create_task(bot_talks())
    first_two = await budi.wait_messages(2)
    assert [m.text for m in first_two] == ["satu", "dua"]
    await talker
    [third] = await budi.wait_messages(1)
    assert third.text == "tiga"
    assert budi.new_messages() == []
    await bot.edit_message_text("satu!", chat_id=budi.chat_id, message_id=first_two[0].message_id)
    [edited] = budi.new_messages()
    assert (edited.text, edited.edited) == ("satu!", True)
    assert budi.last_message is not None
    assert budi.last_message.text == "tiga"
    assert isinstance(budi.messages[0], BotMessage)

    with pytest.raises(TimeoutError, match=r"expected 1 new bot message\(s\) within 0.05s, got 0"):
        await budi.wait_messages(1, timeout=0.05)

    def never() -> bool:
        return False

    with pytest.raises(TimeoutError, match="never"):
        await fake.wait_until(never, timeout=0.05)


async def test_wait_until_wakes_on_requests(fake: FakeTelegram, bot: Bot) -> None:
    budi = fake.user(91)
    waiter = asyncio.create_task(fake.wait_until(lambda: len(fake.requests_for("sendMessage")) >= 3, timeout=5))
    for text in ("a", "b", "c"):
        await bot.send_message(budi.chat_id, text)
    await waiter
    fake.reset_log()
    assert fake.requests == []
    assert fake.requests_for("sendMessage") == []


async def test_many_users_many_requests(fake: FakeTelegram, bot: Bot) -> None:
    users: list[FakeUser] = [fake.user(1000 + i) for i in range(50)]
    for _round in range(4):
        await asyncio.gather(*(bot.send_message(u.chat_id, f"hai {u.user_id}") for u in users))
    assert all(len(u.messages) == 4 for u in users)
    assert all([m.message_id for m in u.messages] == [1, 2, 3, 4] for u in users)
    assert len(fake.requests_for("sendMessage")) == 200


# ------------------------------------------------------------------------------------------ HTML parser


def test_html_parser_entities_and_utf16_offsets() -> None:
    plain, entities = parse_html(
        '\N{GRINNING FACE} <b>tebal <i>miring</i></b> <pre><code class="language-python">x = 1</code></pre>'
        " <tg-spoiler>rahasia</tg-spoiler> <blockquote expandable>kutipan</blockquote>"
    )
    assert plain == "\N{GRINNING FACE} tebal miring x = 1 rahasia kutipan"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 12},
        {"type": "italic", "offset": 9, "length": 6},
        {"type": "pre", "offset": 16, "length": 5, "language": "python"},
        {"type": "spoiler", "offset": 22, "length": 7},
        {"type": "expandable_blockquote", "offset": 30, "length": 7},
    ]
    for bad in ("<span>x</span>", "<b>x", "x</b>", "<b>x</i>", "a < b", "<unknown>x</unknown>"):
        with pytest.raises(EntityParseError):
            parse_html(bad)


@given(st.text(alphabet=st.characters(blacklist_characters="<&", blacklist_categories=["Cs"])))
def test_html_parser_keeps_plain_text(text: str) -> None:
    assert parse_html(text) == (text, [])
    wrapped, entities = parse_html(f"<b>{text}</b>")
    assert wrapped == text
    assert entities == ([{"type": "bold", "offset": 0, "length": utf16_len(text)}] if text else [])
