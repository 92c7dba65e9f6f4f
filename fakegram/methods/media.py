"""Documents and photos: sending them (uploaded or by ``file_id``), replacing a photo (``editMessageMedia``) and
``getFile``.

An uploaded file is kept in the :class:`~fakegram.files.FileStore` with the MIME type Telegram would infer (a photo
is always an image); a ``file_id`` must name a stored file of a fitting kind. The caption follows the rules of
text (1,024 characters). The download of a file by its path is the HTTP surface's, in the server.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from fakegram.chats import Chats
from fakegram.content import check_markup, render
from fakegram.errors import bad
from fakegram.files import FileStore, StoredFile, Upload
from fakegram.methods import MethodTable
from fakegram.models import JSONDict

__all__ = ["MediaMethods"]


class MediaMethods:
    """Messages carrying a file, and the files themselves."""

    def __init__(self, chats: Chats, files: FileStore) -> None:
        self._chats = chats
        self._files = files

    def methods(self) -> MethodTable:
        return {
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "editMessageMedia": self._edit_message_media,
            "getFile": self._get_file,
        }

    async def _send_document(self, params: JSONDict) -> Any:
        return self._send_media(params, "document")

    async def _send_photo(self, params: JSONDict) -> Any:
        return self._send_media(params, "photo")

    def _send_media(self, params: JSONDict, field: str) -> JSONDict:
        user = self._chats.chat(params)
        stored = self._resolve_file(params, field)
        markup = check_markup(params.get("reply_markup"))
        content: JSONDict = (
            {"photo": [stored.photo_size_dict()]} if field == "photo" else {"document": stored.document_dict()}
        )
        caption = params.get("caption")
        plain: str | None = None
        entities: list[JSONDict] = []
        if caption not in (None, ""):
            plain, entities = render(caption, params.get("parse_mode"), params.get("caption_entities"), caption=True)
            content["caption"] = plain
            if entities:
                content["caption_entities"] = entities
        return self._chats.deliver(
            user,
            params,
            content,
            caption=str(caption) if caption not in (None, "") else None,
            parse_mode=params.get("parse_mode") or None,
            plain=plain,
            entities=entities,
            stored=stored,
            markup=markup,
        )

    async def _edit_message_media(self, params: JSONDict) -> Any:
        """Replace a photo message's photo (uploaded, ``attach://<name>``, or by ``file_id``) and its caption."""
        user, view = self._chats.editable(params)
        media = params.get("media")
        if not isinstance(media, dict) or media.get("type") != "photo":
            raise bad("can't parse InputMedia: only photos are supported here")
        if view.kind != "photo":
            raise bad("there is no media in the message to edit")
        value = media.get("media")
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        stored = self._resolve_file({"photo": value}, "photo")
        caption = media.get("caption")
        plain, entities = (
            render(caption, media.get("parse_mode"), media.get("caption_entities"), caption=True)
            if caption not in (None, "")
            else ("", [])
        )
        return self._chats.edit(
            user,
            view,
            {"photo": [stored.photo_size_dict()], "caption": plain or None, "caption_entities": entities},
            check_markup(params.get("reply_markup")),
            photo=stored.content,
            file_id=stored.file_id,
            mime_type=stored.mime_type,
            caption=str(caption) if plain else None,
            parse_mode=media.get("parse_mode") or None,
            plain_text=plain or None,
            entities=entities,
        )

    def _resolve_file(self, params: JSONDict, kind: str) -> StoredFile:
        """The stored file for an upload or a ``file_id`` in ``params[kind]``."""
        value = params.get(kind)
        if isinstance(value, Upload):
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or mime
            if kind == "photo":
                mime = mime if mime and mime.startswith("image/") else "image/jpeg"
            return self._files.store(value.content, kind=kind, file_name=value.filename, mime_type=mime)
        if isinstance(value, str) and value:
            stored = self._files.get(value)
            if stored is None:
                raise bad("wrong file identifier/HTTP URL specified")
            if kind == "photo" and stored.kind != "photo":
                raise bad(f"can't use file of type {stored.kind.capitalize()} as Photo")
            return stored
        raise bad(f"there is no {kind} in the request")

    async def _get_file(self, params: JSONDict) -> Any:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise bad("invalid file_id")
        return stored.file_dict()
