"""Sending, editing, deleting, copying and forwarding messages, and the chat actions shown meanwhile.

``sendMessage`` renders and limits the text and checks the keyboard; the three ``editMessage*`` methods change a
message of the bot's (400 "message is not modified" when nothing changes); ``copyMessage``, ``copyMessages`` and
``forwardMessage`` replay messages of any chat (a group's too) into another (service messages cannot be), in the
topic ``message_thread_id`` names; ``sendChatAction`` records what the user would see ("typing...").
"""

from __future__ import annotations

import itertools
from typing import Any, Final

from fakegram.chats import Chat, Chats
from fakegram.content import COPYABLE_KEYS, check_markup, inline, kind_of, message_id, render
from fakegram.errors import bad
from fakegram.files import FileStore
from fakegram.methods import MethodTable
from fakegram.models import JSONDict

__all__ = ["MessageMethods"]

_MAX_COPIED: Final = 100
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class MessageMethods:
    """The text messages of the bot's chats (the files they carry are looked up in ``files``)."""

    def __init__(self, chats: Chats, files: FileStore) -> None:
        self._chats = chats
        self._files = files

    def methods(self) -> MethodTable:
        return {
            "sendMessage": self._send_message,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "copyMessage": self._copy_message,
            "copyMessages": self._copy_messages,
            "forwardMessage": self._forward_message,
        }

    async def _send_message(self, params: JSONDict) -> Any:
        user = self._chats.chat(params)
        text = params.get("text")
        plain, entities = render(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise bad("message text is empty")
        markup = check_markup(params.get("reply_markup"))
        content: JSONDict = {"text": plain}
        if entities:
            content["entities"] = entities
        return self._chats.deliver(
            user,
            params,
            content,
            text=str(text),
            parse_mode=params.get("parse_mode") or None,
            plain=plain,
            entities=entities,
            markup=markup,
        )

    async def _send_chat_action(self, params: JSONDict) -> Any:
        user = self._chats.chat(params)
        action = params.get("action")
        if action not in _CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        user.chat_actions.append(str(action))
        return True

    async def _edit_message_text(self, params: JSONDict) -> Any:
        user, view = self._chats.editable(params)
        if "text" not in view.raw:
            raise bad("there is no text in the message to edit")
        text = params.get("text")
        plain, entities = render(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise bad("message text is empty")
        markup = check_markup(params.get("reply_markup"))
        return self._chats.edit(
            user,
            view,
            {"text": plain, "entities": entities},
            markup,
            text=str(text),
            parse_mode=params.get("parse_mode") or None,
            plain_text=plain,
            entities=entities,
        )

    async def _edit_message_caption(self, params: JSONDict) -> Any:
        user, view = self._chats.editable(params)
        if "text" in view.raw:
            raise bad("there is no caption in the message to edit")
        caption = params.get("caption")
        plain, entities = (
            render(caption, params.get("parse_mode"), params.get("caption_entities"), caption=True)
            if caption not in (None, "")
            else ("", [])
        )
        markup = check_markup(params.get("reply_markup"))
        return self._chats.edit(
            user,
            view,
            {"caption": plain or None, "caption_entities": entities},
            markup,
            caption=str(caption) if plain else None,
            parse_mode=params.get("parse_mode") or None,
            plain_text=plain or None,
            entities=entities,
        )

    async def _edit_message_reply_markup(self, params: JSONDict) -> Any:
        user, view = self._chats.editable(params)
        markup = check_markup(params.get("reply_markup"))
        if markup is not None and inline(markup) is None:
            raise bad("inline keyboard expected")
        return self._chats.edit(user, view, {}, markup)

    async def _delete_message(self, params: JSONDict) -> Any:
        user = self._chats.chat(params)
        if not user.delete_message(message_id(params)):
            raise bad("message to delete not found")
        return True

    def _source_message(self, params: JSONDict, what: str, done: str) -> JSONDict:
        source_chat = self._chats.chat(params, "from_chat_id", write=False)
        raw = source_chat.raw_message(message_id(params))
        if raw is None:
            raise bad(f"message to {what} not found")
        if kind_of(raw) == "other":
            raise bad(f"message can't be {done}")
        return raw

    def _replay(self, target: Chat, params: JSONDict, content: JSONDict, markup: JSONDict | None) -> JSONDict:
        file_id: str | None = None
        if "document" in content:
            file_id = content["document"]["file_id"]
        elif "photo" in content:
            file_id = content["photo"][-1]["file_id"]
        is_text = "text" in content
        return self._chats.deliver(
            target,
            params,
            content,
            text=content.get("text"),
            caption=content.get("caption"),
            plain=content.get("text") if is_text else content.get("caption"),
            entities=content.get("entities" if is_text else "caption_entities"),
            stored=self._files.get(file_id) if file_id else None,
            markup=markup,
        )

    async def _copy_message(self, params: JSONDict) -> Any:
        raw = self._source_message(params, "copy", "copied")
        target = self._chats.chat(params)
        markup = check_markup(params.get("reply_markup"))
        content: JSONDict = {k: raw[k] for k in COPYABLE_KEYS if k in raw}
        if "caption" in params and "text" not in content:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            if params["caption"] not in (None, ""):
                plain, entities = render(
                    params["caption"], params.get("parse_mode"), params.get("caption_entities"), caption=True
                )
                content["caption"] = plain
                if entities:
                    content["caption_entities"] = entities
        return {"message_id": self._replay(target, params, content, markup)["message_id"]}

    async def _copy_messages(self, params: JSONDict) -> Any:
        """Copy the messages that exist and can be copied, in order, skipping the others (as Telegram does)."""
        ids = _message_ids(params.get("message_ids"))
        target = self._chats.chat(params)
        self._chats.check_thread(target, params)  # a wrong topic fails before anything is copied
        source = self._chats.chat(params, "from_chat_id", write=False)
        found = [raw for mid in ids if (raw := source.raw_message(mid)) is not None and kind_of(raw) != "other"]
        if not found:
            raise bad("messages can't be forwarded")  # the Bot API server's answer when nothing was left to copy
        copied: list[JSONDict] = []
        for raw in found:
            content: JSONDict = {k: raw[k] for k in COPYABLE_KEYS if k in raw}
            if params.get("remove_caption"):
                content.pop("caption", None)
                content.pop("caption_entities", None)
            copied.append({"message_id": self._replay(target, params, content, None)["message_id"]})
        return copied

    async def _forward_message(self, params: JSONDict) -> Any:
        raw = self._source_message(params, "forward", "forwarded")
        target = self._chats.chat(params)
        content: JSONDict = {k: raw[k] for k in COPYABLE_KEYS if k in raw}
        sender = raw.get("from", self._chats.bot_user)
        content["forward_origin"] = {"type": "user", "date": raw["date"], "sender_user": sender}
        return self._replay(target, params, content, None)


def _message_ids(value: Any) -> list[int]:
    """``copyMessages``' ``message_ids``: 1-100 positive ids in strictly increasing order, as Telegram checks them."""
    if value in (None, "", []):
        raise bad("message identifiers are not specified")
    if not isinstance(value, list):
        raise bad("expected an Array of message identifiers")
    if len(value) > _MAX_COPIED:
        raise bad("too many message identifiers specified")
    ids: list[int] = []
    for item in value:
        if isinstance(item, str) and item.lstrip("-").isdigit():
            item = int(item)
        if not isinstance(item, int) or isinstance(item, bool):
            raise bad("message identifier must be a Number")
        if item <= 0:
            raise bad("invalid message identifier specified")
        ids.append(item)
    if any(later <= earlier for earlier, later in itertools.pairwise(ids)):
        raise bad("message identifiers must be in a strictly increasing order")
    return ids
