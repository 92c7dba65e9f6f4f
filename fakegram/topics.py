"""Forum topics as Telegram keeps them: a topic's state, its messages, and the rules for its name and icon.

A topic of a forum supergroup is named by its ``message_thread_id``, the id of the ``forum_topic_created`` service
message that opened it; the General topic is thread 1 and its messages carry no thread id at all. A :class:`Topic`
holds the topic's name, icon, whether it is closed or deleted, who created it, and the messages in it (both sides, as
Bot API dicts). :func:`clean_topic_name` and :func:`check_icon_color` read a ``createForumTopic`` request's name and
colour the way TDLib, behind the Bot API server, does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from fakegram.errors import bad
from fakegram.models import JSONDict

__all__ = [
    "GENERAL_TOPIC",
    "ICON_COLORS",
    "MAX_TOPIC_NAME",
    "THREAD_NOT_FOUND",
    "Topic",
    "check_icon_color",
    "clean_topic_name",
    "thread_param",
]

GENERAL_TOPIC: Final = 1
"""The General topic's thread id (the Bot API never puts it on a message, and refuses it as ``message_thread_id``)."""

ICON_COLORS: Final = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
"""The six icon colours ``createForumTopic`` allows (the first is the fake's default when none is given)."""

MAX_TOPIC_NAME: Final = 128
THREAD_NOT_FOUND: Final = "message thread not found"


@dataclass(slots=True, eq=False)
class Topic:
    """One topic of a forum (or the General topic, thread 1, of any group)."""

    thread_id: int
    name: str
    icon_color: int
    creator_id: int
    """The user (or the bot) who created it: the creator may edit, close and reopen it without admin rights."""
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False
    by_id: dict[int, JSONDict] = field(default_factory=dict, repr=False)
    """The messages in the topic by id (service messages included), as Bot API dicts; emptied when it is deleted."""

    @property
    def messages(self) -> list[JSONDict]:
        """The messages in the topic, both sides and service messages, oldest first."""
        return [self.by_id[message_id] for message_id in sorted(self.by_id)]

    def forum_topic(self) -> JSONDict:
        """The ``ForumTopic`` object ``createForumTopic`` answers with."""
        topic: JSONDict = {"message_thread_id": self.thread_id, "name": self.name, "icon_color": self.icon_color}
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


def thread_param(params: JSONDict) -> int:
    """A request's ``message_thread_id`` as the Bot API reads it: absent, negative or not a number is 0."""
    value = params.get("message_thread_id")
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            return 0
    return value if isinstance(value, int) and value > 0 else 0


def clean_topic_name(name: object) -> str:
    """The name TDLib sends on: control characters dropped, spaces trimmed, cut to 128 characters (TDLib truncates a
    longer name rather than refusing it); an empty result is refused."""
    text = "" if name is None else str(name)
    text = "".join(" " if char in "\n\t" else char for char in text if char >= " " or char in "\n\t")
    text = text.strip()[:MAX_TOPIC_NAME].strip()
    if not text:
        raise bad("title must be non-empty")
    return text


def check_icon_color(value: object) -> int:
    """The icon colour of a new topic (absent, 0 or not a number: the default one).

    Best guess: TDLib answers "invalid icon color specified" outside 0..0xFFFFFF; for other values than the six the
    Bot API documents, the server's answer is not known, so the fake refuses them with the same text.
    """
    try:
        color = int(str(value)) if value not in (None, "") else 0
    except ValueError:
        color = 0  # the Bot API reads a field that is not a number as 0
    if color == 0:
        return ICON_COLORS[0]
    if color not in ICON_COLORS:
        raise bad("invalid icon color specified")
    return color
