"""The Bot API methods of the fake server, one module per kind of method.

``messages`` (sending, editing, deleting, copying and forwarding, into a private chat or a group's topic), ``media``
(documents, photos and ``getFile``), ``places`` (venues and locations), ``forum`` (creating, editing, closing,
reopening and deleting forum topics), ``commands`` (the bot's command lists and the answers to callback queries) and
``profile`` (the bot itself, its chats and its place in them). Each module has a class built from the parts of the
server it needs (the chats, the file store); its ``methods()`` returns a :data:`MethodTable`, which
:class:`~fakegram.server.FakeTelegram` registers. A new kind of method is a new module here and one more table in
the server's list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fakegram.models import JSONDict

__all__ = ["Method", "MethodTable"]

Method = Callable[[JSONDict], Awaitable[Any]]
"""A Bot API method: the decoded parameters in, the ``result`` out (or an ApiError raised)."""

MethodTable = dict[str, Method]
"""Bot API method names (as Telegram spells them) and their handlers."""
