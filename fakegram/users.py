"""The user side of the fake: a private chat with the bot, seen from a Telegram client (writing in groups is in
:mod:`fakegram.group_client`)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, Final, Literal

from fakegram.client_api import ClientApi
from fakegram.content import command_entities
from fakegram.group_client import GroupClient
from fakegram.models import BotMessage

__all__ = ["OWN", "FakeUser"]

OWN: Final = "own"
"""Default of :meth:`FakeUser.send_contact`'s ``user_id``: the contact is the sender's own."""

_PENDING_PREVIEW = 8


class FakeUser(GroupClient):
    """A simulated Telegram user in a private chat with the bot (``chat_id == user_id``), who may also write in
    groups (:class:`~fakegram.group_client.GroupClient`).

    ``send_*`` methods queue an update for ``getUpdates`` and return its ``update_id``. What the bot
    sends to this chat is visible through :attr:`messages`, :meth:`new_messages`, :meth:`wait_messages`,
    :attr:`reply_keyboard` and :attr:`callback_answers`.
    """

    def __init__(
        self,
        server: ClientApi[FakeUser],
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> None:
        self._server = server
        self.user_id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.user_dict: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        self.chat_dict: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value is not None:
                self.user_dict[key] = value
                self.chat_dict[key] = value
        if language_code is not None:
            self.user_dict["language_code"] = language_code
        self.chat_instance = str(user_id * 1_000_003 + server.bot_id)
        self.reply_keyboard: list[list[dict[str, Any]]] | None = None
        """The reply keyboard currently shown (buttons normalised to dicts), or ``None``."""
        self.reply_keyboard_markup: dict[str, Any] | None = None
        """The raw ``ReplyKeyboardMarkup`` currently shown, or ``None``."""
        self.callback_answers: list[dict[str, Any]] = []
        """``answerCallbackQuery`` calls for this user's queries (callback_query_id, text, show_alert)."""
        self.chat_actions: list[str] = []
        """Every ``sendChatAction`` action sent to this chat, in order."""
        self._next_message_id = 1
        self._raw: dict[int, dict[str, Any]] = {}
        self._bot_messages: dict[int, BotMessage] = {}
        self._log: list[int] = []
        self._cond = asyncio.Condition()

    def __repr__(self) -> str:
        return f"FakeUser(user_id={self.user_id}, first_name={self.first_name!r})"

    # ------------------------------------------------------------------ what the user sees

    @property
    def messages(self) -> list[BotMessage]:
        """Bot messages in this chat, oldest first, in their current state (deleted ones removed)."""
        return list(self._bot_messages.values())

    @property
    def last_message(self) -> BotMessage | None:
        """The newest bot message still in the chat."""
        return next(reversed(self._bot_messages.values()), None)

    def history(self) -> list[dict[str, Any]]:
        """The whole chat as a client shows it: both sides' messages (Bot API dicts, edits applied, deleted ones
        removed), oldest first."""
        return [self._raw[mid] for mid in sorted(self._raw)]

    def message(self, message_id: int) -> BotMessage:
        """The current state of one bot message; ``KeyError`` if unknown or deleted."""
        return self._bot_messages[message_id]

    def new_messages(self) -> list[BotMessage]:
        """Bot messages sent or edited since the previous call (or :meth:`wait_messages`).

        Each message appears once, in its current state, ordered by its first send/edit since the cursor.
        """
        result = self._pending()
        self._log = []
        return result

    async def wait_messages(self, count: int = 1, timeout: float = 5.0) -> list[BotMessage]:  # noqa: ASYNC109
        """Wait until ``count`` bot messages were sent/edited since the cursor; return exactly ``count``.

        The returned messages are consumed; any further new messages stay for the next call.

        Raises:
            TimeoutError: listing what did arrive and the latest Bot API requests.
        """
        async with self._cond:
            try:
                async with asyncio.timeout(timeout):
                    await self._cond.wait_for(lambda: len(self._pending()) >= count)
            except TimeoutError:
                got = self._pending()
                raise TimeoutError(
                    f"{self!r}: expected {count} new bot message(s) within {timeout}s, got {len(got)}: "
                    f"{[m.content for m in got][:_PENDING_PREVIEW]!r}. "
                    f"{self._server.describe_recent_requests()}"
                ) from None
        result = self._pending()[:count]
        taken = {m.message_id for m in result}
        self._log = [mid for mid in self._log if mid not in taken and mid in self._bot_messages]
        return result

    def _pending(self) -> list[BotMessage]:
        seen: set[int] = set()
        result: list[BotMessage] = []
        for mid in self._log:
            if mid in seen:
                continue
            seen.add(mid)
            message = self._bot_messages.get(mid)
            if message is not None:
                result.append(message)
        return result

    # ------------------------------------------------------------------ sending (user -> bot)

    async def send_text(
        self, text: str, entities: list[dict[str, Any]] | None = None, *, reply_to: int | None = None
    ) -> int:
        """Send a text message; a leading ``/command`` (optionally ``@botname``) gets a bot_command entity.

        ``entities`` adds formatting as a Telegram client does (``{"type": "bold", "offset": 0, "length": 4}``);
        ``reply_to`` makes it a reply to that message of the chat (Telegram's "Reply").
        """
        content: dict[str, Any] = {"text": text}
        if command_entities(text) or entities:
            content["entities"] = [*command_entities(text), *(entities or [])]
        if reply_to is not None:
            replied = self.raw_message(reply_to)
            if replied is None:
                raise LookupError(f"no message {reply_to} in {self!r}'s chat")
            content["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
        return await self._send_message(content)

    async def send_command(self, command: str, args: str = "") -> int:
        """Send ``/command args``."""
        text = "/" + command.lstrip("/")
        if args:
            text += " " + args
        return await self.send_text(text)

    async def send_contact(
        self,
        phone_number: str,
        *,
        user_id: int | Literal["own"] | None = OWN,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> int:
        """Share a contact. By default it is the user's own (carrying their ``user_id``); pass another
        ``user_id`` or ``None`` to share someone else's contact."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name if first_name is not None else self.first_name,
        }
        own = user_id == OWN
        surname = last_name if last_name is not None else (self.last_name if own else None)
        if surname is not None:
            contact["last_name"] = surname
        if own:
            contact["user_id"] = self.user_id
        elif user_id is not None:
            contact["user_id"] = user_id
        return await self._send_message({"contact": contact})

    async def send_document(
        self, content: bytes, file_name: str, mime_type: str = "text/csv", caption: str | None = None
    ) -> int:
        """Send a document; the bytes are stored so ``getFile`` and the file download work."""
        stored = self._server.store_file(content, kind="document", file_name=file_name, mime_type=mime_type)
        message: dict[str, Any] = {"document": stored.document_dict()}
        if caption is not None:
            message["caption"] = caption
        return await self._send_message(message)

    async def send_photo(self, content: bytes, caption: str | None = None) -> int:
        """Send a photo (one ``PhotoSize``); the bytes are downloadable via ``getFile``."""
        stored = self._server.store_file(content, kind="photo", mime_type="image/jpeg")
        message: dict[str, Any] = {"photo": [stored.photo_size_dict()]}
        if caption is not None:
            message["caption"] = caption
        return await self._send_message(message)

    async def send_sticker(self) -> int:
        """Send a (static, regular) sticker."""
        stored = self._server.store_file(b"RIFF\x00\x00\x00\x00WEBP", kind="sticker", mime_type="image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\N{THUMBS UP SIGN}",
            "file_size": stored.size,
        }
        return await self._send_message({"sticker": sticker})

    async def send_voice(self, duration: int = 1) -> int:
        """Send a voice note."""
        stored = self._server.store_file(b"OggS\x00fake-voice", kind="voice", mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }
        return await self._send_message({"voice": voice})

    async def send_location(self, latitude: float, longitude: float) -> int:
        """Send a location."""
        return await self._send_message({"location": {"latitude": latitude, "longitude": longitude}})

    async def edit_text(self, message_id: int, new_text: str) -> int:
        """Edit one of the user's own text messages; produces an ``edited_message`` update."""
        raw = self._raw.get(message_id)
        if raw is None or raw.get("from", {}).get("id") != self.user_id or "text" not in raw:
            raise LookupError(f"{self!r} has no text message {message_id} of their own to edit")
        new = dict(raw)
        new["text"] = new_text
        new["edit_date"] = self._server.now()
        new.pop("entities", None)
        if command_entities(new_text):
            new["entities"] = command_entities(new_text)
        self._raw[message_id] = new
        return await self._server.enqueue_update(self, "edited_message", new)

    async def press(self, button: str, *, message_id: int | None = None) -> int:
        """Press an inline button by its visible text (or callback_data if no text matches).

        Without ``message_id`` the newest bot message whose inline keyboard has such a button is used.
        Produces a ``callback_query`` update and returns its update id.

        Raises:
            LookupError: no such button (the message says which buttons exist).
            ValueError: the button exists but has no ``callback_data`` (e.g. a URL button).
        """
        message, found = self._find_button(button, message_id)
        data = found.get("callback_data")
        if not isinstance(data, str):
            raise ValueError(f"button {button!r} on message {message.message_id} has no callback_data: {found}")
        return await self._callback_query(message, data)

    async def press_data(self, data: str, message_id: int | None = None) -> int:
        """Send a callback query with arbitrary (possibly forged) ``data`` on a bot message.

        Default message: the newest bot message with an inline keyboard, else the newest bot message.
        """
        if message_id is not None:
            message = self._bot_messages.get(message_id)
            if message is None:
                raise LookupError(f"{self!r}: no bot message {message_id} in the chat")
        else:
            message = next((m for m in reversed(self._bot_messages.values()) if m.inline_keyboard), None)
            message = message or self.last_message
            if message is None:
                raise LookupError(f"{self!r}: the bot has not sent any message to press on")
        return await self._callback_query(message, data)

    async def press_reply(self, text: str) -> int:
        """Tap a button of the current reply keyboard (``request_contact`` buttons share the own contact).

        Raises:
            LookupError: the reply keyboard has no such button.
        """
        buttons = [b for row in self.reply_keyboard or [] for b in row]
        for button in buttons:
            if button.get("text") == text:
                if button.get("request_contact"):
                    return await self.send_contact(f"+62812{self.user_id % 10**7:07d}")
                if button.get("request_location"):
                    return await self.send_location(-6.2, 106.8)
                return await self.send_text(text)
        shown = [b.get("text") for b in buttons]
        raise LookupError(f"{self!r}: no reply keyboard button {text!r}; shown: {shown!r}")

    # ------------------------------------------------------------------ internals

    def _find_button(self, button: str, message_id: int | None) -> tuple[BotMessage, dict[str, Any]]:
        if message_id is not None:
            message = self._bot_messages.get(message_id)
            if message is None:
                raise LookupError(f"{self!r}: no bot message {message_id} in the chat")
            found = message.find_button(button)
            if found is None:
                raise LookupError(
                    f"{self!r}: message {message_id} has no button {button!r}; buttons: {message.button_texts()!r}"
                )
            return message, found
        for key in ("text", "callback_data"):
            for message in reversed(self._bot_messages.values()):
                for candidate in message.buttons():
                    if candidate.get(key) == button:
                        return message, candidate
        available = {m.message_id: m.button_texts() for m in reversed(self._bot_messages.values()) if m.inline_keyboard}
        raise LookupError(f"{self!r}: no inline button {button!r} in the chat; buttons by message id: {available!r}")

    async def _callback_query(self, message: BotMessage, data: str) -> int:
        query_id = self._server.new_callback_query(self)
        query: dict[str, Any] = {
            "id": query_id,
            "from": self.user_dict,
            "message": self._raw.get(message.message_id, message.raw),
            "chat_instance": self.chat_instance,
            "data": data,
        }
        return await self._server.enqueue_update(self, "callback_query", query)

    async def _send_message(self, content: dict[str, Any]) -> int:
        self._server.user_sends(self)
        message_id = self.alloc_message_id()
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": self.user_dict,
            "chat": self.chat_dict,
            "date": self._server.now(),
            **content,
        }
        self._raw[message_id] = message
        if self.reply_keyboard_markup and self.reply_keyboard_markup.get("one_time_keyboard"):
            self.reply_keyboard = None
            self.reply_keyboard_markup = None
        return await self._server.enqueue_update(self, "message", message)

    # --- used by the server

    def alloc_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def raw_message(self, message_id: int) -> dict[str, Any] | None:
        return self._raw.get(message_id)

    def bot_message(self, message_id: int) -> BotMessage | None:
        return self._bot_messages.get(message_id)

    def add_bot_message(self, view: BotMessage) -> None:
        self._raw[view.message_id] = view.raw
        self._bot_messages[view.message_id] = view
        self._log.append(view.message_id)

    def replace_bot_message(self, view: BotMessage, **changes: Any) -> BotMessage:
        old = self._bot_messages[view.message_id]
        new = dataclasses.replace(old, edited=True, edit_count=old.edit_count + 1, **changes)
        self._raw[new.message_id] = new.raw
        self._bot_messages[new.message_id] = new
        self._log.append(new.message_id)
        return new

    def delete_message(self, message_id: int) -> bool:
        if self._raw.pop(message_id, None) is None:
            return False
        self._bot_messages.pop(message_id, None)
        return True

    def apply_reply_markup(self, markup: dict[str, Any] | None) -> None:
        if not markup:
            return
        if "keyboard" in markup:
            self.reply_keyboard = [
                [b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in markup["keyboard"]
            ]
            self.reply_keyboard_markup = markup
        elif markup.get("remove_keyboard"):
            self.reply_keyboard = None
            self.reply_keyboard_markup = None

    async def notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()
