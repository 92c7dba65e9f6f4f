"""The files the fake server holds, as Telegram's file storage would.

A file comes in as an :class:`Upload` (a part of a bot's multipart request) or from a simulated user; the
:class:`FileStore` gives it a ``file_id``, a ``file_unique_id`` and a download path, and keeps it as a
:class:`StoredFile`, which knows the Bot API objects describing it (``Document``, ``PhotoSize``, ``File``).
"""

from __future__ import annotations

import mimetypes
import struct
from dataclasses import dataclass

from fakegram.models import JSONDict

__all__ = ["FileStore", "StoredFile", "Upload", "image_size"]

# Telegram's download paths put each kind of file in a folder of its own.
_FOLDERS = {"photo": "photos", "document": "documents", "voice": "voice", "sticker": "stickers"}


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part of a multipart request (``attach://`` or a field of its own), before it is stored."""

    filename: str
    content: bytes
    content_type: str | None


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file known to the server (uploaded by the bot or sent by a user)."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    kind: str
    file_name: str | None
    mime_type: str | None

    @property
    def size(self) -> int:
        return len(self.content)

    def document_dict(self) -> JSONDict:
        document: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name is not None:
            document["file_name"] = self.file_name
        if self.mime_type is not None:
            document["mime_type"] = self.mime_type
        return document

    def photo_size_dict(self) -> JSONDict:
        width, height = image_size(self.content)
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": width,
            "height": height,
            "file_size": self.size,
        }

    def file_dict(self) -> JSONDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


def image_size(content: bytes) -> tuple[int, int]:
    """Width/height of a PNG, GIF or JPEG image; (800, 600) when unknown."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(content):
            if content[index] != 0xFF:
                break
            marker = content[index + 1]
            (length,) = struct.unpack(">H", content[index + 2 : index + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", content[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return 800, 600


class FileStore:
    """Every file of the server, by ``file_id`` and by download path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._next = 1

    def store(
        self, content: bytes, *, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        number = self._next
        self._next += 1
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif mime_type:
            ext = mimetypes.guess_extension(mime_type) or ""
        stored = StoredFile(
            file_id=f"fg-{kind}-{number}",
            file_unique_id=f"fgu{number}",
            file_path=f"{_FOLDERS.get(kind, kind + 's')}/file_{number}{ext}",
            content=bytes(content),
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def __getitem__(self, file_id: str) -> StoredFile:
        return self._by_id[file_id]

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def at_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)
