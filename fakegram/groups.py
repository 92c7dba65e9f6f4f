"""Group chats: a group or supergroup with its members, the bot's place in it, its topics and its messages.

A :class:`FakeGroup` is what a test sets up (members, whether the bot is an administrator, topics) and reads (what
the bot sent into each topic, as :class:`~fakegram.models.BotMessage` snapshots, and a wait for them). It is also
the server's store of the group's messages, both sides, each in its topic: a message sent into a forum topic carries
``message_thread_id`` and ``is_topic_message`` and, when it replies to nothing else, replies to the topic's
``forum_topic_created`` message, as the Bot API shows it. The checks Telegram makes of the bot's access (403 once it
was removed) and of the topic a message goes to live here; so does privacy mode: a bot that is no administrator
gets only commands, replies to its messages and mentions of it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, Final, Literal, Protocol

from fakegram.client_api import ClientApi
from fakegram.errors import ApiError, bad
from fakegram.models import BotMessage, JSONDict
from fakegram.topics import GENERAL_TOPIC, ICON_COLORS, THREAD_NOT_FOUND, Topic, thread_param

__all__ = ["ADMIN_RIGHTS", "FakeGroup", "Member"]

ADMIN_RIGHTS: Final = (
    "can_manage_chat",
    "can_change_info",
    "can_delete_messages",
    "can_invite_users",
    "can_restrict_members",
    "can_pin_messages",
    "can_manage_topics",
    "can_promote_members",
    "can_manage_video_chats",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
"""An administrator's rights in a supergroup, as ``getChatMember`` lists them."""

_SUPERGROUP_MAX_ID: Final = -1_000_000_000_000
_PENDING_PREVIEW = 8

BotStatus = Literal["member", "administrator", "left", "kicked"]


class Member(Protocol):
    """A user who can be in a group (a :class:`~fakegram.users.FakeUser`)."""

    @property
    def user_id(self) -> int: ...

    @property
    def user_dict(self) -> dict[str, Any]: ...


class FakeGroup:
    """A group (``kind="group"``, id ``-N``) or supergroup (``kind="supergroup"``, id ``-100...``) with the bot in it.

    The bot starts as a plain member; :meth:`set_bot_admin` makes it an administrator. ``topics`` maps thread ids to
    :class:`~fakegram.topics.Topic` (the General topic, 1, always there; deleted topics stay, marked ``deleted``).
    """

    def __init__(
        self, server: ClientApi[Any], chat_id: int, title: str, *, forum: bool, kind: Literal["group", "supergroup"]
    ) -> None:
        if kind not in ("group", "supergroup"):
            raise ValueError(f"kind must be 'group' or 'supergroup', not {kind!r}")
        if kind == "supergroup" and chat_id >= _SUPERGROUP_MAX_ID:
            raise ValueError(f"a supergroup's id is -100 followed by digits (below {_SUPERGROUP_MAX_ID}): {chat_id}")
        if kind == "group" and not _SUPERGROUP_MAX_ID < chat_id < 0:
            raise ValueError(f"a basic group's id is negative and above {_SUPERGROUP_MAX_ID}: {chat_id}")
        if forum and kind == "group":
            raise ValueError("a basic group cannot have topics: pass forum=False (or kind='supergroup')")
        self.chat_id = chat_id
        self.title = title
        self.kind = kind
        self.forum = forum
        self.chat_dict: JSONDict = {"id": chat_id, "title": title, "type": kind}
        if forum:
            self.chat_dict["is_forum"] = True
        self.bot_status: BotStatus = "member"
        self.bot_rights: dict[str, bool] = dict.fromkeys(ADMIN_RIGHTS, False)
        self.chat_actions: list[str] = []
        """Every ``sendChatAction`` action sent to this group, in order."""
        self.topics: dict[int, Topic] = {GENERAL_TOPIC: Topic(GENERAL_TOPIC, "General", ICON_COLORS[0], server.bot_id)}
        self._server = server
        self._bot_user = server.bot_user
        self._members: dict[int, Member] = {}
        self._admins: set[int] = set()
        self._next_message_id = GENERAL_TOPIC + 1
        self._thread_of: dict[int, int] = {}
        self._bot_messages: dict[int, BotMessage] = {}
        self._logs: dict[int, list[int]] = {}
        self._cond = asyncio.Condition()

    def __repr__(self) -> str:
        return f"FakeGroup(chat_id={self.chat_id}, title={self.title!r})"

    # ------------------------------------------------------------------ setting it up

    def add_member(self, user: Member, *, admin: bool = False) -> None:
        """Make ``user`` a member (an administrator with ``admin``), who may then write in the group."""
        self._members[user.user_id] = user
        if admin:
            self._admins.add(user.user_id)
        else:
            self._admins.discard(user.user_id)

    @property
    def members(self) -> list[Member]:
        return list(self._members.values())

    def is_member(self, user_id: int) -> bool:
        return user_id in self._members

    def is_admin(self, user_id: int) -> bool:
        return user_id in self._admins

    def set_bot_admin(
        self, *, can_manage_topics: bool = True, can_delete_messages: bool = True, **rights: bool
    ) -> None:
        """Make the bot an administrator with these rights (``can_manage_chat`` always; any of ``ADMIN_RIGHTS``)."""
        unknown = set(rights) - set(ADMIN_RIGHTS)
        if unknown:
            raise ValueError(f"unknown administrator rights {sorted(unknown)}; known: {ADMIN_RIGHTS}")
        self.bot_status = "administrator"
        self.bot_rights = dict.fromkeys(ADMIN_RIGHTS, False)
        self.bot_rights.update(rights, can_manage_chat=True)
        self.bot_rights.update(can_manage_topics=can_manage_topics, can_delete_messages=can_delete_messages)

    def set_bot_member(self) -> None:
        """The bot is (back) in the group as a plain member, without administrator rights."""
        self.bot_status = "member"
        self.bot_rights = dict.fromkeys(ADMIN_RIGHTS, False)

    def remove_bot(self, *, kicked: bool = True) -> None:
        """The bot was removed (``kicked``, banned) or left: what it sends here is answered with 403."""
        self.set_bot_member()
        self.bot_status = "kicked" if kicked else "left"

    def create_topic(
        self,
        name: str,
        *,
        icon_color: int = ICON_COLORS[0],
        icon_custom_emoji_id: str | None = None,
        creator: Member | None = None,
    ) -> Topic:
        """A topic (created by ``creator``, else by the bot) with its ``forum_topic_created`` message. Called by a
        test, it queues no update, as if the topic had been there before."""
        if not self.forum:
            raise ValueError(f"{self!r} is no forum")
        thread_id = self.alloc_message_id()
        creator_id = creator.user_id if creator is not None else int(self._bot_user["id"])
        topic = self.topics[thread_id] = Topic(thread_id, name, icon_color, creator_id, icon_custom_emoji_id)
        created: JSONDict = {"name": name, "icon_color": icon_color}
        if icon_custom_emoji_id:
            created["icon_custom_emoji_id"] = icon_custom_emoji_id
        self.service_message(thread_id, {"forum_topic_created": created}, creator.user_dict if creator else None)
        return topic

    # ------------------------------------------------------------------ what the test reads

    @property
    def messages(self) -> list[BotMessage]:
        """What the bot sent into the group (every topic), oldest first, in its current state."""
        return list(self._bot_messages.values())

    def topic_messages(self, thread_id: int = GENERAL_TOPIC) -> list[BotMessage]:
        """What the bot sent into one topic (service messages aside), oldest first, in its current state."""
        return [view for view in self._bot_messages.values() if self._thread_of.get(view.message_id) == thread_id]

    def message(self, message_id: int) -> JSONDict:
        """Any message of the group (either side) as a Bot API dict; ``KeyError`` if unknown or deleted."""
        raw = self.raw_message(message_id)
        if raw is None:
            raise KeyError(message_id)
        return raw

    async def wait_topic_messages(
        self,
        thread_id: int = GENERAL_TOPIC,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Wait until the bot sent or edited ``count`` messages in the topic since the previous wait; return them.

        Raises:
            TimeoutError: listing what did arrive and the latest Bot API requests.
        """
        async with self._cond:
            try:
                async with asyncio.timeout(timeout):
                    await self._cond.wait_for(lambda: len(self._pending(thread_id)) >= count)
            except TimeoutError:
                got = [m.content for m in self._pending(thread_id)][:_PENDING_PREVIEW]
                raise TimeoutError(
                    f"{self!r}: expected {count} new bot message(s) in topic {thread_id} within {timeout}s, got "
                    f"{len(got)}: {got!r}. {self._server.describe_recent_requests()}"
                ) from None
        result = self._pending(thread_id)[:count]
        taken = {m.message_id for m in result}
        self._logs[thread_id] = [mid for mid in self._logs.get(thread_id, []) if mid not in taken]
        return result

    def _pending(self, thread_id: int) -> list[BotMessage]:
        ids = dict.fromkeys(mid for mid in self._logs.get(thread_id, []) if mid in self._bot_messages)
        return [self._bot_messages[mid] for mid in ids]

    # ------------------------------------------------------------------ what the server checks

    def check_bot_access(self, *, write: bool) -> None:
        """403 once the bot was removed (reading a basic group stays allowed, as in Telegram)."""
        if self.bot_status not in ("left", "kicked") or (self.kind == "group" and not write):
            return
        if self.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {self.kind} chat")
        raise ApiError(403, f"Forbidden: bot is not a member of the {self.kind} chat")

    def bot_thread(self, params: JSONDict, reply_to: JSONDict | None = None) -> int:
        """The topic a bot message goes to: ``message_thread_id``, else the replied message's, else General.

        Telegram refuses thread 1 (General) and unknown or deleted topics ("message thread not found"); a closed topic
        takes only administrators' messages (best guess for the others: "TOPIC_CLOSED"). A group that is no forum
        ignores the parameter, as the Bot API does.
        """
        if not self.forum:
            return GENERAL_TOPIC
        thread_id = thread_param(params)
        if thread_id == GENERAL_TOPIC:
            raise bad(THREAD_NOT_FOUND)
        if thread_id == 0:
            thread_id = int(reply_to.get("message_thread_id", GENERAL_TOPIC)) if reply_to else GENERAL_TOPIC
        topic = self.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise bad(THREAD_NOT_FOUND)
        if topic.closed and self.bot_status != "administrator":
            raise bad("TOPIC_CLOSED")
        return thread_id

    def bot_receives(self, raw: JSONDict) -> bool:
        """Whether a user's message reaches the bot: always when it is an administrator; in privacy mode only
        commands (``/cmd`` or ``/cmd@this_bot``), explicit replies to the bot and mentions of it (best guess: the
        implicit reply of a topic message to the topic's opening message, the bot's or not, does not count)."""
        if self.bot_status in ("left", "kicked"):
            return False
        if self.bot_status == "administrator":
            return True
        username = f"@{self._bot_user.get('username', '')}"
        text = str(raw.get("text", raw.get("caption", "")))
        entity = next(iter(raw.get("entities", [])), None)
        if entity is not None and entity["type"] == "bot_command" and entity["offset"] == 0:
            command = text.split()[0]
            if "@" not in command or command.endswith(username):
                return True
        replied = raw.get("reply_to_message")
        implicit = replied is not None and replied["message_id"] == raw.get("message_thread_id")
        if replied is not None and not implicit and replied.get("from", {}).get("id") == self._bot_user["id"]:
            return True
        return username in text.split()

    # ------------------------------------------------------------------ the messages

    def alloc_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def place(self, raw: JSONDict, thread_id: int) -> JSONDict:
        """Put a new message (not yet stored) in a topic: its thread fields and its implicit reply."""
        if thread_id != GENERAL_TOPIC:
            raw["message_thread_id"] = thread_id
            raw["is_topic_message"] = True
            opening = self.topics[thread_id].by_id.get(thread_id)
            if "reply_to_message" not in raw and opening is not None and opening is not raw:
                raw["reply_to_message"] = opening
        return raw

    def store(self, raw: JSONDict, thread_id: int) -> None:
        self.topics[thread_id].by_id[raw["message_id"]] = raw
        self._thread_of[raw["message_id"]] = thread_id

    def service_message(self, thread_id: int, action: JSONDict, sender: JSONDict | None = None) -> JSONDict:
        """A service message (``forum_topic_created``, ``..._closed``, ...) in a topic, from ``sender`` or the bot;
        the one that creates a topic has the topic's id (allocated just before)."""
        message_id = thread_id if "forum_topic_created" in action else self.alloc_message_id()
        raw = {
            "message_id": message_id,
            "from": sender or self._bot_user,
            "chat": self.chat_dict,
            "date": self._server.now(),
        }
        raw = self.place({**raw, **action}, thread_id)
        self.store(raw, thread_id)
        return raw

    def post(self, sender: Member, thread_id: int | None, content: JSONDict, reply_to: int | None = None) -> JSONDict:
        """A member's message in a topic (``None``: General), stored; raises what the user's app would not allow."""
        if sender.user_id not in self._members:
            raise PermissionError(f"user {sender.user_id} is not a member of {self!r}: add_member() first")
        thread = GENERAL_TOPIC if thread_id is None else thread_id
        topic = self.topics.get(thread)
        if topic is None or topic.deleted:
            raise LookupError(f"{self!r} has no topic {thread}; topics: {sorted(self.topics)}")
        if topic.closed and sender.user_id not in self._admins:
            raise PermissionError(f"topic {thread} of {self!r} is closed; only administrators write there")
        raw: JSONDict = {
            "message_id": self.alloc_message_id(),
            "from": sender.user_dict,
            "chat": self.chat_dict,
            "date": self._server.now(),
            **content,
        }
        if reply_to is not None:
            replied = self.raw_message(reply_to)
            if replied is None:
                raise LookupError(f"{self!r} has no message {reply_to} to reply to")
            raw["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
        self.place(raw, thread)
        self.store(raw, thread)
        return raw

    def delete_topic(self, thread_id: int) -> None:
        """The topic is gone, and every message in it."""
        topic = self.topics[thread_id]
        for message_id in topic.by_id:
            self._thread_of.pop(message_id, None)
            self._bot_messages.pop(message_id, None)
        topic.by_id.clear()
        topic.deleted = True
        self._logs.pop(thread_id, None)

    def raw_message(self, message_id: int) -> JSONDict | None:
        thread_id = self._thread_of.get(message_id)
        return None if thread_id is None else self.topics[thread_id].by_id.get(message_id)

    def bot_message(self, message_id: int) -> BotMessage | None:
        return self._bot_messages.get(message_id)

    def add_bot_message(self, view: BotMessage) -> None:
        thread_id = view.message_thread_id or GENERAL_TOPIC
        self.store(view.raw, thread_id)
        self._bot_messages[view.message_id] = view
        self._logs.setdefault(thread_id, []).append(view.message_id)

    def replace_bot_message(self, view: BotMessage, **changes: Any) -> BotMessage:
        old = self._bot_messages[view.message_id]
        new = dataclasses.replace(old, edited=True, edit_count=old.edit_count + 1, **changes)
        self.add_bot_message(new)
        return new

    def delete_message(self, message_id: int) -> bool:
        thread_id = self._thread_of.pop(message_id, None)
        if thread_id is None:
            return False
        self.topics[thread_id].by_id.pop(message_id, None)
        self._bot_messages.pop(message_id, None)
        return True

    def apply_reply_markup(self, markup: JSONDict | None) -> None:
        """Reply keyboards in groups are not simulated (an inline keyboard stays on its message)."""

    def chat_member(self, user: JSONDict) -> JSONDict:
        """A user's (or the bot's) ``ChatMember`` as ``getChatMember`` describes it."""
        if user["id"] == self._bot_user["id"]:
            status, rights = self.bot_status, self.bot_rights
        elif user["id"] in self._admins:
            status, rights = "administrator", dict.fromkeys(ADMIN_RIGHTS, True)
        else:
            status, rights = "member" if user["id"] in self._members else "left", {}
        member: JSONDict = {"user": user, "status": status}
        if status == "administrator":
            member.update(can_be_edited=False, is_anonymous=False, **rights)
            member["can_manage_voice_chats"] = rights["can_manage_video_chats"]
            if self.kind == "group":
                member.pop("can_manage_topics")  # a right of supergroups only
        elif status == "kicked":
            member["until_date"] = 0
        return member

    async def notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()
