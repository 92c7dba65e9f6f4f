"""What a simulated user asks of the server: the few operations a Telegram client needs, as a Protocol.

A :class:`~fakegram.users.FakeUser` uploads files, queues updates (its messages, in its private chat or a group, its
edits and button presses), opens callback queries and reads the server's time and who the bot is (a group, too);
:class:`~fakegram.server.FakeTelegram` provides them. The user module depends on this Protocol instead of the server,
so the server can import the users without an import cycle. It is generic in the user type because the server's side
of each operation takes the user it concerns, and this module knows nothing of that class.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from fakegram.files import StoredFile
from fakegram.models import JSONDict

__all__ = ["ClientApi"]

UserT_contra = TypeVar("UserT_contra", contravariant=True)


class ClientApi(Protocol[UserT_contra]):
    """The server as a simulated user reaches it."""

    @property
    def bot_id(self) -> int: ...

    @property
    def bot_user(self) -> JSONDict:
        """The bot as the sender of a message (a ``User`` dict)."""
        ...

    @property
    def bot_username(self) -> str:
        """The bot's username, for a command or a mention addressed to it in a group."""
        ...

    def now(self) -> int:
        """The server's time, as the ``date`` of a message (Unix seconds)."""
        ...

    def store_file(
        self, content: bytes, *, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        """Keep a file the user sends, so the bot can ``getFile`` and download it."""
        ...

    def user_sends(self, user: UserT_contra) -> None:
        """The user writes to the bot (raises if the account is deactivated)."""
        ...

    def new_callback_query(self, user: UserT_contra) -> str:
        """Open a callback query of this user; its id, for the update and ``answerCallbackQuery``."""
        ...

    async def enqueue_update(self, user: UserT_contra, kind: str, payload: JSONDict) -> int:
        """Queue an update for ``getUpdates``; its ``update_id``."""
        ...

    def describe_recent_requests(self, count: int = ...) -> str:
        """The latest Bot API requests in a line, for the message of a timeout."""
        ...
