"""A small, strict parser for Telegram's HTML ``parse_mode``.

It turns the marked-up text into the plain text plus message entities (offsets and lengths in UTF-16
code units, like the Bot API) and rejects what Telegram rejects: unknown tags, unbalanced tags and a
bare ``<``.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["EntityParseError", "parse_html", "utf16_len"]

_TAG_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}

_TOKEN_RE = re.compile(r"<[^>]*>?|&[^;&<\s]{1,10};|[^<&]+|&")
_TAG_RE = re.compile(r"<(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^>]*)?)>\Z", re.DOTALL)
_ATTR_RE = re.compile(r"([a-zA-Z_-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """Raised for markup Telegram would answer with ``Bad Request: can't parse entities: ...``."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(token: str) -> str:
    body = token[1:-1]
    if body.startswith("#"):
        try:
            code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return token
    return _NAMED_ENTITIES.get(body, token)


def _attrs(raw: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for match in _ATTR_RE.finditer(raw):
        value = next((v for v in match.group(2, 3, 4) if v is not None), "")
        result[match.group(1).lower()] = html.unescape(value)
    return result


class _Open:
    __slots__ = ("attrs", "entity_type", "index", "language", "name", "start")

    def __init__(self, name: str, entity_type: str, start: int, attrs: dict[str, str], index: int) -> None:
        self.name = name
        self.entity_type = entity_type
        self.start = start
        self.attrs = attrs
        self.index = index
        self.language: str | None = None


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML; return ``(plain_text, entities)``.

    Raises:
        EntityParseError: with a Telegram-like description of the problem.
    """
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    offset = 0
    for match in _TOKEN_RE.finditer(text):
        token = match.group(0)
        first = token[0]
        if first == "<":
            tag = _TAG_RE.match(token)
            if tag is None:
                raise EntityParseError(f"Unsupported start tag at byte offset {_byte_offset(text, match.start())}")
            closing, name, raw_attrs = tag.group(1) == "/", tag.group(2).lower(), tag.group(3)
            if closing:
                if not stack:
                    raise EntityParseError(
                        f'Unexpected end tag "{name}" at byte offset {_byte_offset(text, match.start())}'
                    )
                top = stack.pop()
                if top.name != name:
                    raise EntityParseError(
                        f'Can\'t find end tag corresponding to start tag "{top.name}" '
                        f"at byte offset {_byte_offset(text, match.start())}"
                    )
                _close(top, offset, stack, entities)
                continue
            entity_type = _TAG_TYPES.get(name)
            attrs = _attrs(raw_attrs)
            if entity_type is None or (name == "span" and attrs.get("class") != "tg-spoiler"):
                raise EntityParseError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, match.start())}'
                )
            if name == "blockquote" and "expandable" in attrs:
                entity_type = "expandable_blockquote"
            stack.append(_Open(name, entity_type, offset, attrs, match.start()))
        else:
            chunk = _decode_entity(token) if first == "&" and len(token) > 1 else token
            out.append(chunk)
            offset += utf16_len(chunk)
    if stack:
        top = stack[-1]
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{top.name}" '
            f"at byte offset {_byte_offset(text, top.index)}"
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close(top: _Open, offset: int, stack: list[_Open], entities: list[dict[str, Any]]) -> None:
    length = offset - top.start
    if top.name == "code" and stack and stack[-1].name == "pre":
        language = top.attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].language = language.removeprefix("language-")
            return
    if length <= 0:
        return
    entity: dict[str, Any] = {"type": top.entity_type, "offset": top.start, "length": length}
    if top.entity_type == "text_link":
        href = top.attrs.get("href")
        if not href:
            return
        entity["url"] = href
    if top.entity_type == "pre" and top.language:
        entity["language"] = top.language
    entities.append(entity)
