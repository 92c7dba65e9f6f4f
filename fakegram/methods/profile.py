"""The bot itself and the chats it is in: ``getMe``, ``getChat``, ``getChatMember``, and the settings the fake only
accepts.

``getMe`` describes the bot as Telegram does (it can join groups, reads only what is addressed to it there);
``getChat`` a private chat with a simulated user or a group (its type, title and whether it is a forum);
``getChatMember`` the bot's or a user's place in a chat (the bot's administrator rights, ``can_manage_topics``
among them). A supergroup the bot was removed from answers 403 to both, as Telegram does; a basic group can still
be read. The bot's name, descriptions and menu button, ``logOut`` and ``close`` change nothing the tests look at, so
they answer ``True``.
"""

from __future__ import annotations

from typing import Any

from fakegram.chats import Chats
from fakegram.errors import bad
from fakegram.groups import FakeGroup
from fakegram.methods import MethodTable
from fakegram.models import JSONDict

__all__ = ["ProfileMethods"]

_ACCEPTED = ("logOut", "close", "setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton")


class ProfileMethods:
    """What the bot says about itself and its chats."""

    def __init__(self, chats: Chats) -> None:
        self._chats = chats

    def methods(self) -> MethodTable:
        table: MethodTable = {"getMe": self._get_me, "getChat": self._get_chat, "getChatMember": self._get_chat_member}
        table.update(dict.fromkeys(_ACCEPTED, self._accept))
        return table

    async def _accept(self, params: JSONDict) -> Any:
        return True

    async def _get_me(self, params: JSONDict) -> Any:
        return {
            **self._chats.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_chat(self, params: JSONDict) -> Any:
        chat = self._chats.chat(params, write=False)
        return {
            **chat.chat_dict,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    async def _get_chat_member(self, params: JSONDict) -> Any:
        chat = self._chats.chat(params, write=False)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise bad("user_id is empty" if user_id in (None, "") else "invalid user_id specified")
        if user_id == self._chats.bot_user["id"]:
            user = self._chats.bot_user
        else:
            found = self._chats.get(user_id)
            if found is None:
                raise bad("user not found")
            user = found.user_dict
        if isinstance(chat, FakeGroup):
            return chat.chat_member(user)
        return {
            "user": user,
            "status": "member" if user["id"] in (chat.user_id, self._chats.bot_user["id"]) else "left",
        }
