"""What a message may hold, checked as Telegram checks it.

Text and captions are rendered from their ``parse_mode`` (HTML) or ``entities`` into plain text and entities, within
Telegram's lengths (4,096 characters of text, 1,024 of caption, counted in UTF-16); reply markup is checked button
by button (callback data of 1-64 bytes, an action on every inline button). A request's ``message_id`` is read here
too, and the ``bot_command`` entity a user's app puts on a command. Each check raises the
:class:`~fakegram.errors.ApiError` Telegram answers with.
"""

from __future__ import annotations

import re
from typing import Any, Final

from fakegram._html import EntityParseError, parse_html, utf16_len
from fakegram.errors import bad
from fakegram.models import JSONDict

__all__ = [
    "CONTENT_KEYS",
    "COPYABLE_KEYS",
    "NOT_MODIFIED",
    "check_markup",
    "command_entities",
    "inline",
    "kind_of",
    "message_id",
    "render",
]

_MAX_TEXT: Final = 4096
_MAX_CAPTION: Final = 1024
_MAX_CALLBACK_DATA: Final = 64
_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)")

_INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

CONTENT_KEYS: Final = ("text", "document", "photo", "sticker", "voice", "venue", "location", "contact")
"""The fields of a message that say what kind of message it is."""

COPYABLE_KEYS: Final = ("text", "entities", "caption", "caption_entities", *CONTENT_KEYS[1:])
"""What ``copyMessage`` and ``forwardMessage`` carry over from the source message."""

NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


def kind_of(raw: JSONDict) -> str:
    """``text``, ``document``, ``photo``, ... for a message; ``other`` for a service message."""
    for key in CONTENT_KEYS:
        if key in raw:
            return key
    return "other"


def command_entities(text: str) -> list[JSONDict]:
    """The ``bot_command`` entity a Telegram app gives a text starting with ``/command`` (or ``/command@bot``)."""
    match = _COMMAND_RE.match(text)
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}] if match else []


def message_id(params: JSONDict) -> int:
    """The request's ``message_id`` (inline messages are not simulated)."""
    if "inline_message_id" in params and "message_id" not in params:
        raise bad("inline messages are not supported by fakegram")
    value = params.get("message_id")
    if not isinstance(value, int):
        raise bad("message_id is empty" if value in (None, "") else "MESSAGE_ID_INVALID")
    return value


def render(text: Any, parse_mode: Any, entities: Any, *, caption: bool = False) -> tuple[str, list[JSONDict]]:
    """The plain text and entities of a text or caption, as Telegram parses and limits it."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if entities not in (None, ""):
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            raise bad("can't parse entities JSON object")
        plain, result = text, list(entities)
    else:
        mode = parse_mode.lower() if isinstance(parse_mode, str) else ""
        if mode == "html":
            try:
                plain, result = parse_html(text)
            except EntityParseError as error:
                raise bad(f"can't parse entities: {error}") from None
        elif mode in ("", "markdown", "markdownv2"):
            plain, result = text, []
        else:
            raise bad("unsupported parse_mode")
    limit, what = (_MAX_CAPTION, "message caption is too long") if caption else (_MAX_TEXT, "message is too long")
    if utf16_len(plain) > limit:
        raise bad(what)
    return plain, result


def check_markup(markup: Any) -> JSONDict | None:
    """The request's ``reply_markup`` if Telegram would accept it; ``None`` when there is none."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad("can't parse keyboard button: KeyboardButton must be a String or an Object")
        for row in rows:
            for button in row:
                if not isinstance(button, str | dict) or (
                    isinstance(button, dict) and not isinstance(button.get("text"), str)
                ):
                    raise bad("can't parse keyboard button: Text must be a String")
    elif "remove_keyboard" not in markup and "force_reply" not in markup:
        raise bad("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad("can't parse inline keyboard button: Text must be a String")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= _MAX_CALLBACK_DATA:
                    raise bad("BUTTON_DATA_INVALID")
            elif not any(action in button for action in _INLINE_BUTTON_ACTIONS):
                raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")


def inline(markup: JSONDict | None) -> JSONDict | None:
    """The markup if it is an inline keyboard (the only kind a message keeps)."""
    return markup if markup is not None and "inline_keyboard" in markup else None
