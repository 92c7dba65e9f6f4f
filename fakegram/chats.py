"""The bot's chats: finding the chat a request names, and putting the bot's messages into it.

Every simulated user has one private chat with the bot (its ``chat_id`` is the user's id); groups and supergroups
(negative ids) are :class:`~fakegram.groups.FakeGroup`. :class:`Chats` finds the chat of a request (by id or
``@username``; a group the bot was removed from answers 403), creates a bot message in it (in the topic the request
names, with its reply, its inline keyboard and the :class:`~fakegram.models.BotMessage` snapshot the tests read) and
applies edits the way Telegram does, refusing an edit that changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fakegram.content import NOT_MODIFIED, inline, kind_of, message_id
from fakegram.errors import bad
from fakegram.files import StoredFile
from fakegram.groups import FakeGroup
from fakegram.models import BotMessage, JSONDict
from fakegram.topics import THREAD_NOT_FOUND, thread_param
from fakegram.users import FakeUser

__all__ = ["Chat", "Chats"]

Chat = FakeUser | FakeGroup
"""A chat of the bot's: a private chat (the user) or a group."""


class Chats:
    """The users by id, the bot as the sender of its messages, and ``now`` as their date (Unix seconds)."""

    def __init__(self, bot_user: JSONDict, now: Callable[[], int]) -> None:
        self.bot_user = bot_user
        self._now = now
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}

    def add(self, user: FakeUser) -> None:
        self._users[user.user_id] = user

    def add_group(self, group: FakeGroup) -> None:
        self._groups[group.chat_id] = group

    def get(self, user_id: int) -> FakeUser | None:
        return self._users.get(user_id)

    def group(self, chat_id: int) -> FakeGroup | None:
        return self._groups.get(chat_id)

    def find(self, chat_id: int) -> Chat | None:
        """The private chat or group with this id, if there is one (no access checked)."""
        user = self._users.get(chat_id)
        return user if user is not None else self._groups.get(chat_id)

    def __iter__(self) -> Iterator[FakeUser]:
        return iter(list(self._users.values()))

    def chat(self, params: JSONDict, key: str = "chat_id", *, write: bool = True) -> Chat:
        """The chat named by ``params[key]``; 400 "chat not found" otherwise, 403 from a group the bot was removed
        from (``write=False``: only reading it, which a basic group still allows)."""
        chat_id = params.get(key)
        if chat_id is None or chat_id == "":
            raise bad(f"{key} is empty")
        if isinstance(chat_id, str):
            name = chat_id.removeprefix("@")
            for user in self._users.values():
                if user.username == name:
                    return user
            raise bad("chat not found")
        found = self.find(chat_id) if isinstance(chat_id, int) else None
        if found is None:
            raise bad("chat not found")
        if isinstance(found, FakeGroup):
            found.check_bot_access(write=write)
        return found

    def deliver(
        self,
        chat: Chat,
        params: JSONDict,
        content: JSONDict,
        *,
        text: str | None = None,
        caption: str | None = None,
        parse_mode: str | None = None,
        plain: str | None = None,
        entities: list[JSONDict] | None = None,
        stored: StoredFile | None = None,
        markup: JSONDict | None = None,
    ) -> JSONDict:
        """Create a bot message in the chat (in a group, in the topic it goes to); its API dict."""
        self.check_thread(chat, params)  # a wrong topic is refused before a wrong reply, as the Bot API does
        reply_to = self._reply_to(chat, params)
        thread = chat.bot_thread(params, reply_to) if isinstance(chat, FakeGroup) else 0
        new_id = chat.alloc_message_id()
        raw: JSONDict = {
            "message_id": new_id,
            "from": self.bot_user,
            "chat": chat.chat_dict,
            "date": self._now(),
            **content,
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        if isinstance(chat, FakeGroup):
            chat.place(raw, thread)
        keyboard = inline(markup)
        if keyboard is not None:
            raw["reply_markup"] = keyboard
        if params.get("protect_content"):
            raw["has_protected_content"] = True
        kind = kind_of(raw)
        view = BotMessage(
            message_id=new_id,
            chat_id=chat.chat_id,
            text=text,
            caption=caption,
            parse_mode=parse_mode,
            inline_keyboard=keyboard["inline_keyboard"] if keyboard else None,
            reply_markup=markup,
            kind=kind,
            document=stored.content if stored is not None and kind == "document" else None,
            file_name=stored.file_name if stored is not None else None,
            photo=stored.content if stored is not None and kind == "photo" else None,
            plain_text=plain,
            entities=list(entities or []),
            mime_type=stored.mime_type if stored is not None else None,
            file_id=stored.file_id if stored is not None else None,
            date=raw["date"],
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
            message_thread_id=raw.get("message_thread_id"),
            raw=raw,
        )
        chat.add_bot_message(view)
        chat.apply_reply_markup(markup)
        return raw

    @staticmethod
    def check_thread(chat: Chat, params: JSONDict) -> None:
        """Refuse a ``message_thread_id`` the chat has no open topic for (a private chat has none)."""
        if isinstance(chat, FakeGroup):
            chat.bot_thread(params)
        elif thread_param(params):
            raise bad(THREAD_NOT_FOUND)

    def _reply_to(self, chat: Chat, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            replied, allow = reply.get("message_id"), reply.get("allow_sending_without_reply")
        elif params.get("reply_to_message_id") is not None:
            replied, allow = params["reply_to_message_id"], params.get("allow_sending_without_reply")
        else:
            return None
        raw = chat.raw_message(replied) if isinstance(replied, int) else None
        if raw is None:
            if allow:
                return None
            raise bad("message to be replied not found")
        return {k: v for k, v in raw.items() if k != "reply_to_message"}

    def editable(self, params: JSONDict) -> tuple[Chat, BotMessage]:
        """The chat and the bot's message an edit names (a user's message cannot be edited by the bot)."""
        chat = self.chat(params)
        edited_id = message_id(params)
        view = chat.bot_message(edited_id)
        if view is None:
            if chat.raw_message(edited_id) is not None:
                raise bad("message can't be edited")
            raise bad("message to edit not found")
        return chat, view

    def edit(
        self, chat: Chat, view: BotMessage, raw_changes: JSONDict, markup: JSONDict | None, **changes: Any
    ) -> JSONDict:
        """Apply an edit (``raw_changes`` with ``None`` values delete keys); raise 'not modified'."""
        old = {k: v for k, v in view.raw.items() if k != "edit_date"}
        new = dict(old)
        for key, value in raw_changes.items():
            if value is None or value == []:
                new.pop(key, None)
            else:
                new[key] = value
        keyboard = inline(markup)
        if keyboard is None:
            new.pop("reply_markup", None)
        else:
            new["reply_markup"] = keyboard
        if new == old:
            raise bad(NOT_MODIFIED)
        new["edit_date"] = self._now()
        chat.replace_bot_message(
            view,
            raw=new,
            inline_keyboard=keyboard["inline_keyboard"] if keyboard else None,
            reply_markup=keyboard,
            **changes,
        )
        return new
