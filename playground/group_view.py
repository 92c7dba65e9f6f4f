"""What the page shows of a message, and the staff's helpdesk group as the page's "Grup Petugas" panel.

:func:`message_json` turns a Bot API message, as fakegram holds it, into the page's JSON (text plus entities, files
by URL, inline buttons), for the phones and the group alike. :class:`GroupView` is the panel: the group's forum
topics (name, closed, how many messages Dewi has not seen), the one topic open on the page with its messages (both
sides: the bot's cards and copies, and what Dewi wrote, from fakegram's ``Topic.messages``), and Dewi writing in a
topic as a member of the group would, a ``/tutup`` being text that starts with a slash.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlparse

from fakegram import GENERAL_TOPIC, FakeGroup, Topic
from playground.world import ADMIN_ID, Playground

JSONDict = dict[str, Any]

_PLAIN_KINDS = ("sticker", "voice", "location")
# Service messages of a forum topic, as the page names them.
_SERVICE_KINDS = {
    "forum_topic_created": "created",
    "forum_topic_edited": "edited",
    "forum_topic_closed": "closed",
    "forum_topic_reopened": "reopened",
}


def message_json(raw: JSONDict, *, mine: bool) -> JSONDict:
    """A message as the page renders it (``mine``: sent by the person whose screen this is)."""
    message: JSONDict = {
        "id": raw["message_id"],
        "mine": mine,
        "date": raw.get("date", 0),
        "edited": "edit_date" in raw,
        "kind": "text",
    }
    if "text" in raw:
        message["text"] = raw["text"]
        message["entities"] = raw.get("entities", [])
    elif "caption" in raw:
        message["text"] = raw["caption"]
        message["entities"] = raw.get("caption_entities", [])
    if "photo" in raw:
        largest = raw["photo"][-1]
        message["kind"] = "photo"
        message["file"] = {"url": file_url(largest["file_id"]), "width": largest.get("width")}
    elif "document" in raw:
        document = raw["document"]
        message["kind"] = "document"
        message["file"] = {
            "url": file_url(document["file_id"]),
            "name": document.get("file_name") or "file",
            "size": document.get("file_size", 0),
            "mime": document.get("mime_type"),
        }
    elif "contact" in raw:
        contact = raw["contact"]
        message["kind"] = "contact"
        message["contact"] = {
            "name": " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p),
            "phone": contact.get("phone_number", ""),
        }
    else:
        for kind in _PLAIN_KINDS:
            if kind in raw:
                message["kind"] = kind
    keyboard = raw.get("reply_markup", {}).get("inline_keyboard")
    if keyboard:
        message["buttons"] = [
            [{"text": b.get("text", ""), "data": b.get("callback_data"), "url": _safe_url(b.get("url"))} for b in row]
            for row in keyboard
        ]
    return message


def file_url(file_id: str) -> str:
    return f"/api/files/{quote(file_id, safe='')}"


def _safe_url(url: object) -> str | None:
    if isinstance(url, str) and urlparse(url).scheme in ("http", "https", "tg", "mailto"):
        return url
    return None


def _service(raw: JSONDict) -> str | None:
    return next((kind for key, kind in _SERVICE_KINDS.items() if key in raw), None)


class GroupView:
    """The helpdesk group as Dewi sees it on the page: one topic open at a time, the others counting unread."""

    def __init__(self, world: Playground) -> None:
        self.world = world
        self.open: int | None = None
        self._read: dict[int, int] = {}
        """Per topic, the last message id Dewi has seen (everything up to it, when she left the topic)."""

    @property
    def group(self) -> FakeGroup:
        return self.world.helpdesk

    def topics(self) -> list[Topic]:
        """The tickets' topics, the latest activity on top (as Telegram lists them); General, first, only once
        something was written there (the help desk works in topics of their own)."""
        shown = [
            topic
            for topic in self.group.topics.values()
            if not topic.deleted and (topic.thread_id != GENERAL_TOPIC or topic.by_id)
        ]
        return sorted(shown, key=lambda topic: (topic.thread_id != GENERAL_TOPIC, -_last_id(topic)))

    def unread(self, topic: Topic) -> int:
        """Messages (not service messages) others wrote in the topic since Dewi last had it open."""
        if topic.thread_id == self.open:
            return 0
        seen = self._read.get(topic.thread_id, 0)
        return sum(
            1
            for message_id, raw in topic.by_id.items()
            if message_id > seen and raw.get("from", {}).get("id") != ADMIN_ID and _service(raw) is None
        )

    def open_topic(self, thread_id: int) -> None:
        """Show this topic (``KeyError`` if the group has none such); the one shown before counts as read."""
        topic = self.group.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise KeyError(thread_id)
        self._mark_read(self.open)
        self.open = thread_id
        self._mark_read(thread_id)

    def _mark_read(self, thread_id: int | None) -> None:
        topic = None if thread_id is None else self.group.topics.get(thread_id)
        if topic is not None:
            self._read[topic.thread_id] = _last_id(topic)

    def state(self) -> JSONDict:
        group, world = self.group, self.world
        open_topic = None if self.open is None else group.topics.get(self.open)
        if open_topic is not None and open_topic.deleted:
            open_topic = None  # erased with its ticket
        dewi = world.people.get(ADMIN_ID)
        return {
            "type": "group",
            "id": group.chat_id,
            "title": group.title,
            "writer": None if dewi is None else dewi.as_json(),
            "topics": [
                {
                    "id": topic.thread_id,
                    "name": topic.name,
                    "general": topic.thread_id == GENERAL_TOPIC,
                    "closed": topic.closed,
                    "unread": self.unread(topic),
                    "color": f"#{topic.icon_color:06x}",
                }
                for topic in self.topics()
            ],
            "open": None if open_topic is None else open_topic.thread_id,
            "messages": [] if open_topic is None else [self._message(raw) for raw in open_topic.messages],
        }

    def _message(self, raw: JSONDict) -> JSONDict:
        sender = raw.get("from", {})
        message = message_json(raw, mine=sender.get("id") == ADMIN_ID)
        message["sender"] = " ".join(p for p in (sender.get("first_name"), sender.get("last_name")) if p)
        service = _service(raw)
        if service is not None:
            message["kind"] = "service"
            details = raw.get("forum_topic_created") or raw.get("forum_topic_edited") or {}
            message["service"] = {"action": service, "name": details.get("name")}
        return message

    async def write(self, thread_id: int, text: str) -> int:
        """Dewi writes ``text`` in a topic; ``LookupError`` if there is no such topic, ``PermissionError`` if it
        is closed (only the group's administrators write there). The id of her message."""
        topic = self.group.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise LookupError(thread_id)
        return await self.world.user(ADMIN_ID).send_text_in(self.group, thread_id, text)


def _last_id(topic: Topic) -> int:
    return max(topic.by_id, default=topic.thread_id)
