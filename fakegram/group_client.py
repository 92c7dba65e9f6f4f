"""What a simulated user does in a group: writing in its topics, as a Telegram app would.

:class:`GroupClient` is a part of :class:`~fakegram.users.FakeUser`: the same person who has a private chat with the
bot can write in a group they are a member of (``group.add_member(user)``), in the General topic or a forum topic.
Each message is stored in the :class:`~fakegram.groups.FakeGroup` and, when it reaches the bot (always when the bot is
an administrator; else only what privacy mode lets through), queued as a ``message`` update. The methods return the
new message's id in the group, for replying to it or checking what the bot copies.
"""

from __future__ import annotations

from typing import Any

from fakegram.client_api import ClientApi
from fakegram.content import command_entities
from fakegram.groups import FakeGroup
from fakegram.models import JSONDict

__all__ = ["GroupClient"]


class GroupClient:
    """A user's messages in groups (``thread_id`` ``None`` is the General topic)."""

    _server: ClientApi[Any]
    user_id: int
    user_dict: dict[str, Any]

    async def send_text_in(
        self, group: FakeGroup, thread_id: int | None, text: str, entities: list[JSONDict] | None = None
    ) -> int:
        """Write ``text`` in a topic; a leading ``/command`` (or ``/command@bot``) gets its bot_command entity."""
        content: JSONDict = {"text": text}
        if command_entities(text) or entities:
            content["entities"] = [*command_entities(text), *(entities or [])]
        return await self._post_in(group, thread_id, content)

    async def send_command_in(
        self, group: FakeGroup, thread_id: int | None, command: str, args: str = "", *, addressed: bool = False
    ) -> int:
        """Send ``/command args`` in a topic; ``addressed`` writes it ``/command@botname``, as a group's app offers."""
        text = "/" + command.lstrip("/") + (f"@{self._server.bot_username}" if addressed else "")
        return await self.send_text_in(group, thread_id, f"{text} {args}" if args else text)

    async def send_photo_in(
        self, group: FakeGroup, thread_id: int | None, content: bytes, caption: str | None = None
    ) -> int:
        """Post a photo (one ``PhotoSize``) in a topic; the bot can ``getFile`` it or copy it elsewhere."""
        stored = self._server.store_file(content, kind="photo", mime_type="image/jpeg")
        message: JSONDict = {"photo": [stored.photo_size_dict()]}
        if caption is not None:
            message["caption"] = caption
        return await self._post_in(group, thread_id, message)

    async def send_document_in(
        self,
        group: FakeGroup,
        thread_id: int | None,
        content: bytes,
        file_name: str,
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> int:
        """Post a document in a topic."""
        stored = self._server.store_file(content, kind="document", file_name=file_name, mime_type=mime_type)
        message: JSONDict = {"document": stored.document_dict()}
        if caption is not None:
            message["caption"] = caption
        return await self._post_in(group, thread_id, message)

    async def reply_in(self, group: FakeGroup, thread_id: int | None, to_message_id: int, text: str) -> int:
        """Reply to a message of the group (the bot's or anyone's) with ``text``."""
        content: JSONDict = {"text": text}
        if command_entities(text):
            content["entities"] = command_entities(text)
        return await self._post_in(group, thread_id, content, to_message_id)

    async def _post_in(
        self, group: FakeGroup, thread_id: int | None, content: JSONDict, reply_to: int | None = None
    ) -> int:
        raw = group.post(self, thread_id, content, reply_to)
        if group.bot_receives(raw):
            await self._server.enqueue_update(self, "message", raw)
        return int(raw["message_id"])
