"""Forum topics: ``createForumTopic``, ``editForumTopic``, ``closeForumTopic``, ``reopenForumTopic`` and
``deleteForumTopic``, each with the service message Telegram posts in the topic.

The checks follow the Bot API server and TDLib behind it, in their order: a chat that is no forum supergroup answers
"the chat is not a forum"; a ``message_thread_id`` that is missing or not positive "invalid forum topic identifier
specified"; then the bot's rights: creating needs ``can_manage_topics`` ("not enough rights to create a topic"),
editing, closing and reopening need it too unless the bot created the topic ("not enough rights to edit the topic",
"not enough rights to close or open the topic"), deleting needs ``can_delete_messages`` ("not enough rights to
delete the topic"). Telegram's servers then answer TOPIC_ID_INVALID for a topic that does not exist or was deleted
and TOPIC_NOT_MODIFIED for a change that changes nothing (closing a closed topic, a name it already has). The rights
texts are TDLib's (ForumTopicManager), the others what bots report Telegram answering. Best guesses: TOPIC_ID_INVALID
for the General topic (it has methods of its own, not simulated), and which check comes first when several fail
where TDLib leaves it to the server.
"""

from __future__ import annotations

from typing import Any

from fakegram.chats import Chats
from fakegram.errors import bad
from fakegram.groups import FakeGroup
from fakegram.methods import MethodTable
from fakegram.models import JSONDict
from fakegram.topics import GENERAL_TOPIC, Topic, check_icon_color, clean_topic_name

__all__ = ["ForumMethods"]


class ForumMethods:
    """The topics of the bot's forum supergroups."""

    def __init__(self, chats: Chats) -> None:
        self._chats = chats

    def methods(self) -> MethodTable:
        return {
            "createForumTopic": self._create,
            "editForumTopic": self._edit,
            "closeForumTopic": self._close,
            "reopenForumTopic": self._reopen,
            "deleteForumTopic": self._delete,
        }

    def _forum(self, params: JSONDict) -> FakeGroup:
        chat = self._chats.chat(params)
        if not isinstance(chat, FakeGroup) or not chat.forum:
            raise bad("the chat is not a forum")
        return chat

    def _topic(self, params: JSONDict, right: str, refusal: str) -> tuple[FakeGroup, Topic]:
        """The forum and the topic a request names, once the bot may act on it (``right``, or its own topic)."""
        group = self._forum(params)
        thread_id = params.get("message_thread_id")
        if not isinstance(thread_id, int) or thread_id <= 0:
            raise bad("invalid forum topic identifier specified")
        topic = group.topics.get(thread_id)
        own = topic is not None and topic.creator_id == self._chats.bot_user["id"] and right == "can_manage_topics"
        if topic is not None and not topic.deleted and not own and not group.bot_rights[right]:
            raise bad(refusal)
        if topic is None or topic.deleted or thread_id == GENERAL_TOPIC:
            raise bad("TOPIC_ID_INVALID")
        return group, topic

    async def _create(self, params: JSONDict) -> Any:
        group = self._forum(params)
        if not group.bot_rights["can_manage_topics"]:
            raise bad("not enough rights to create a topic")
        name = clean_topic_name(params.get("name"))
        color = check_icon_color(params.get("icon_color"))
        emoji = params.get("icon_custom_emoji_id")
        return group.create_topic(
            name, icon_color=color, icon_custom_emoji_id=str(emoji) if emoji else None
        ).forum_topic()

    async def _edit(self, params: JSONDict) -> Any:
        group, topic = self._topic(params, "can_manage_topics", "not enough rights to edit the topic")
        name = params.get("name")
        edited: JSONDict = {}
        if name not in (None, ""):
            edited["name"] = clean_topic_name(name)
        if "icon_custom_emoji_id" in params:
            edited["icon_custom_emoji_id"] = str(params["icon_custom_emoji_id"] or "")
        if not edited:
            return True  # nothing asked: TDLib answers at once, and nothing is posted
        old_emoji = topic.icon_custom_emoji_id or ""
        new_name, new_emoji = edited.get("name", topic.name), edited.get("icon_custom_emoji_id", old_emoji)
        if (new_name, new_emoji) == (topic.name, old_emoji):
            raise bad("TOPIC_NOT_MODIFIED")
        topic.name, topic.icon_custom_emoji_id = new_name, new_emoji or None
        group.service_message(topic.thread_id, {"forum_topic_edited": edited})
        return True

    async def _close(self, params: JSONDict) -> Any:
        return self._toggle(params, closed=True)

    async def _reopen(self, params: JSONDict) -> Any:
        return self._toggle(params, closed=False)

    def _toggle(self, params: JSONDict, *, closed: bool) -> bool:
        group, topic = self._topic(params, "can_manage_topics", "not enough rights to close or open the topic")
        if topic.closed == closed:
            raise bad("TOPIC_NOT_MODIFIED")
        topic.closed = closed
        group.service_message(topic.thread_id, {"forum_topic_closed" if closed else "forum_topic_reopened": {}})
        return True

    async def _delete(self, params: JSONDict) -> Any:
        group, topic = self._topic(params, "can_delete_messages", "not enough rights to delete the topic")
        group.delete_topic(topic.thread_id)
        return True
