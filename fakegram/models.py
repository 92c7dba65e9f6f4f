"""Plain data objects shared by the fake server and the simulated users."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["BotMessage", "JSONDict", "RecordedRequest"]

JSONDict = dict[str, Any]
"""A Bot API object (a request's parameters, an update, a message) as decoded JSON."""


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One Bot API request as the fake server saw it.

    ``params`` are decoded (JSON-encoded form fields parsed, numeric fields as ``int``); uploaded files
    are replaced by ``{"filename": ..., "size": ...}``. ``at`` is the ``time.monotonic()`` value (of the
    server's clock) when the request arrived; the log itself is appended when the response is produced.
    """

    method: str
    params: dict[str, Any]
    status: int
    at: float
    description: str | None = None
    response: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(slots=True)
class BotMessage:
    """A bot message as the simulated user (or the members of a group) currently see it.

    Objects are snapshots: an edit replaces the object in :attr:`FakeUser.messages` with a new one, so a
    reference kept by a test keeps showing the version it got.

    ``text``/``caption`` are what the bot sent (markup included, see ``parse_mode``); ``plain_text`` is
    the rendered text/caption with the markup removed, and ``entities`` its formatting entities.
    """

    message_id: int
    chat_id: int
    text: str | None
    caption: str | None
    parse_mode: str | None
    inline_keyboard: list[list[dict[str, Any]]] | None
    reply_markup: dict[str, Any] | None
    kind: str
    document: bytes | None = None
    file_name: str | None = None
    photo: bytes | None = None
    edited: bool = False
    edit_count: int = 0
    plain_text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    mime_type: str | None = None
    file_id: str | None = None
    date: int = 0
    reply_to_message_id: int | None = None
    message_thread_id: int | None = None
    """The forum topic the message is in (``None`` in a private chat and in a group's General topic)."""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def content(self) -> str | None:
        """``text`` for text messages, ``caption`` otherwise."""
        return self.text if self.text is not None else self.caption

    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, flattened row by row."""
        return [button for row in self.inline_keyboard or [] for button in row]

    def button_texts(self) -> list[str]:
        """The visible texts of the inline keyboard's buttons, flattened row by row."""
        return [str(button.get("text", "")) for button in self.buttons()]

    def callback_data(self) -> list[str]:
        """The ``callback_data`` of the inline buttons that have one."""
        return [str(b["callback_data"]) for b in self.buttons() if "callback_data" in b]

    def find_button(self, text_or_data: str) -> dict[str, Any] | None:
        """The inline button with this visible text, else the one with this callback data."""
        buttons = self.buttons()
        for button in buttons:
            if button.get("text") == text_or_data:
                return button
        for button in buttons:
            if button.get("callback_data") == text_or_data:
                return button
        return None
