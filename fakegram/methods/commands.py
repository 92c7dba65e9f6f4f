"""The bot's command lists (``setMyCommands`` and its kin) and the answers to button presses.

Command lists are kept per scope and language as Telegram keeps them (at most 100 commands of 1-32 lowercase
letters, digits and underscores, each with a description of 1-256 characters). A button press opens a callback
query; ``answerCallbackQuery`` may answer it once, and the answer reaches the user who pressed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from fakegram.errors import bad
from fakegram.methods import MethodTable
from fakegram.models import JSONDict
from fakegram.users import FakeUser

__all__ = ["CommandKey", "CommandMethods"]

_COMMAND_NAME_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_MAX_COMMANDS: Final = 100

CommandKey = tuple[str, int | str | None, int | None, str]
"""A command list's scope type, its chat and user (for the scopes that name one) and its language ("" for all)."""


@dataclass(slots=True)
class _CallbackQuery:
    user: FakeUser
    answered: bool = False


class CommandMethods:
    """Stored command lists and open callback queries."""

    def __init__(self) -> None:
        self._commands: dict[CommandKey, list[JSONDict]] = {}
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._next_callback_query = 1

    def methods(self) -> MethodTable:
        return {
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "answerCallbackQuery": self._answer_callback_query,
        }

    def stored(self, key: CommandKey) -> list[JSONDict]:
        """The commands stored for this scope and language (``[]`` if none)."""
        return list(self._commands.get(key, []))

    def open_query(self, user: FakeUser) -> str:
        """A new callback query of ``user``'s; its id."""
        query_id = str(4_000_000_000_000 + self._next_callback_query)
        self._next_callback_query += 1
        self._callback_queries[query_id] = _CallbackQuery(user)
        return query_id

    async def _answer_callback_query(self, params: JSONDict) -> Any:
        query_id = params.get("callback_query_id")
        query = self._callback_queries.get(str(query_id)) if query_id is not None else None
        if query is None or query.answered:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        query.answered = True
        answer: JSONDict = {
            "callback_query_id": str(query_id),
            "text": params.get("text"),
            "show_alert": bool(params.get("show_alert", False)),
        }
        for key in ("url", "cache_time"):
            if key in params:
                answer[key] = params[key]
        query.user.callback_answers.append(answer)
        await query.user.notify()
        return True

    @staticmethod
    def _key(params: JSONDict) -> CommandKey:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad("can't parse BotCommandScope JSON object")
        language = params.get("language_code") or ""
        if not isinstance(language, str) or (language and not re.fullmatch(r"[a-z]{2}", language)):
            raise bad("invalid language code specified")
        user_id = scope.get("user_id")
        return scope["type"], scope.get("chat_id"), user_id if isinstance(user_id, int) else None, language

    async def _set_my_commands(self, params: JSONDict) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > _MAX_COMMANDS:
            raise bad("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME_RE.fullmatch(name):
                raise bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad("command description is empty" if not description else "BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._key(params)
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSONDict) -> Any:
        return self.stored(self._key(params))

    async def _delete_my_commands(self, params: JSONDict) -> Any:
        self._commands.pop(self._key(params), None)
        return True
