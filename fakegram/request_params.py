"""Reading a Bot API request's parameters the way Telegram does.

Parameters come from the query string and from a JSON, form-encoded or multipart body. Form fields are strings, so
the fields Telegram expects as JSON objects, numbers or booleans are decoded here; a file part of a multipart body
becomes an :class:`~fakegram.files.Upload`, under its own field name or the one that names it with ``attach://``.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, hdrs, web

from fakegram.errors import bad
from fakegram.files import Upload
from fakegram.models import JSONDict

__all__ = ["loggable", "read_params"]

_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "allowed_updates",
        "commands",
        "scope",
        "media",
        "menu_button",
        "rights",
        "message_ids",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "user_id",
        "max_connections",
        "duration",
        "width",
        "height",
    }
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "is_personal",
        "allow_paid_broadcast",
        "show_caption_above_media",
        "remove_caption",
    }
)


def _coerce(key: str, value: str) -> Any:
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad(f"can't parse {key} JSON object") from None
    if key in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            pass
        try:
            return float(value)
        except ValueError:
            return value
    if key in _BOOL_FIELDS:
        return value.strip().lower() in ("true", "1")
    if key in _FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value
    return value


async def read_params(request: web.Request) -> JSONDict:
    """The request's parameters, decoded; uploaded files as :class:`Upload`."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad("request body must be a JSON object")
            raw.update(body)
        elif content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    raise bad("unsupported multipart part")
                if part.filename is not None:
                    content = bytes(await part.read(decode=True))
                    uploads[part.name] = Upload(part.filename, content, part.headers.get(hdrs.CONTENT_TYPE))
                else:
                    raw[part.name] = await part.text()
        else:
            raw.update(await request.post())
    params: JSONDict = {key: _coerce(key, value) if isinstance(value, str) else value for key, value in raw.items()}
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            name = value.removeprefix("attach://")
            if name in uploads:
                params[key] = uploads.pop(name)
    for key, upload in uploads.items():
        params.setdefault(key, upload)
    return params


def loggable(params: JSONDict) -> JSONDict:
    """The parameters as the request log keeps them: an uploaded file by its name and size, not its bytes."""
    return {
        k: ({"filename": v.filename, "size": len(v.content)} if isinstance(v, Upload) else v) for k, v in params.items()
    }
