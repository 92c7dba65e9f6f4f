"""The bot itself and the chats it is in: ``getMe``, ``getChat``, and the settings the fake only accepts.

``getMe`` describes the bot as Telegram does (it can join groups, reads only what is addressed to it there);
``getChat`` a private chat with a simulated user. The bot's name, descriptions and menu button, ``logOut`` and
``close`` change nothing the tests look at, so they answer ``True``.
"""

from __future__ import annotations

from typing import Any

from fakegram.chats import Chats
from fakegram.methods import MethodTable
from fakegram.models import JSONDict

__all__ = ["ProfileMethods"]

_ACCEPTED = ("logOut", "close", "setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton")


class ProfileMethods:
    """What the bot says about itself and its chats."""

    def __init__(self, chats: Chats) -> None:
        self._chats = chats

    def methods(self) -> MethodTable:
        table: MethodTable = {"getMe": self._get_me, "getChat": self._get_chat}
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
        user = self._chats.chat(params)
        return {
            **user.chat_dict,
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
