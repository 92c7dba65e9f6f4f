"""Sending the help desk's outbox rows: the staff's side (a ticket's forum topic, made when its first row is sent,
the card that opens it, copies of the asker's messages, closing and reopening the topic) and the answers to the
asker (signed with the staff member's name).

A run of copies of one asker's messages to the same chat goes as one copyMessages call (up to 100), so a flood
costs one of the group's ~20 messages a minute, not fifty. Errors are Telegram's (PTB's exceptions): the
dispatcher tells a group it lost (403, no rights, not a forum) from a topic deleted by hand.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ExtBot

from bot.i18n import Raw, Translations, Translator
from bot.services.helpdesk import ANSWER_KIND, CARD_KIND, RELAY_KIND, TOPIC_KIND
from bot.services.helpdesk_staff import Card, HelpdeskStaffService
from bot.storage.outbox import OutboxMessage
from bot.storage.store import Unit

KINDS: Final = frozenset({CARD_KIND, RELAY_KIND, TOPIC_KIND, ANSWER_KIND})
# Telegram's copyMessages takes at most 100 ids.
MAX_COPIES: Final = 100
# Errors that say the group is no longer the bot's to use; and those that say only the topic is gone.
GROUP_GONE: Final = ("chat not found", "not enough rights", "chat_admin_required", "not a forum", "kicked")
TOPIC_GONE: Final = ("thread not found", "topic_id_invalid", "topic_deleted")


def rating_keyboard(t: Translator, ticket_id: int) -> InlineKeyboardMarkup:
    """Callback data hd:rate:<ticket>:<1-5>."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(str(n), callback_data=f"hd:rate:{ticket_id}:{n}") for n in range(1, 6)]]
    )


def private_card_keyboard(t: Translator, ticket_id: int) -> InlineKeyboardMarkup:
    """Callback data hd:reply:<ticket> and hd:close:<ticket>."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("btn-helpdesk-reply"), callback_data=f"hd:reply:{ticket_id}"),
                InlineKeyboardButton(t("btn-helpdesk-close"), callback_data=f"hd:close:{ticket_id}"),
            ]
        ]
    )


def card_text(t: Translator, card: Card) -> str:
    """The card: who asks (NIK masked), their courses and attendance, their latest employment status."""
    lines = [t("helpdesk-card-title", ticket=card.ticket_id, name=card.first_name or t("helpdesk-card-unnamed"))]
    if not card.registered:
        lines.append(t("helpdesk-card-unregistered"))
    else:
        lines.append(t("helpdesk-card-nik", nik=card.masked_nik or "-"))
        for title, status in card.courses:
            lines.append(t("helpdesk-card-course", title=title, status=t(f"enrollment-status-{status}")))
        if not card.courses:
            lines.append(t("helpdesk-card-no-course"))
        lines.append(t("helpdesk-card-attendance", yes=card.attendance_yes, no=card.attendance_no))
        employment = card.employment_status
        lines.append(t("helpdesk-card-employment", status=t(f"employment-{employment}") if employment else "-"))
    lines.append(t("helpdesk-card-earlier", count=card.earlier_tickets))
    if card.asked_at is not None:
        lines.append(t("helpdesk-card-asked", when=t.moment(card.asked_at, "Asia/Jakarta")))
    return "\n".join(lines)


class HelpdeskSender:
    """One Bot API call (or two, when a topic is made first) per row or run of copies."""

    def __init__(self, bot: ExtBot[Any], translations: Translations, staff: HelpdeskStaffService) -> None:
        self._bot = bot
        self._translations = translations
        self._staff = staff

    async def _thread(self, message: OutboxMessage, limit: dict[str, Any]) -> int | None:
        """The ticket's topic in the group the row goes to, made (with its card) when it has none yet."""
        if message.telegram_user_id > 0:
            return None
        ticket_id = int(message.params["ticket"])
        ticket = await self._staff.get(ticket_id)
        if ticket is not None and ticket.thread_id is not None and ticket.group_chat_id == message.telegram_user_id:
            return ticket.thread_id
        card = await self._staff.card(ticket_id)
        title = card.topic_title if card is not None and card.topic_title else f"#{ticket_id}"
        topic = await self._bot.create_forum_topic(message.telegram_user_id, title, rate_limit_args=limit)
        await self._staff.topic_made(ticket_id, message.telegram_user_id, topic.message_thread_id)
        return topic.message_thread_id

    async def send(self, message: OutboxMessage, limit: dict[str, Any]) -> int:
        """One row; the id of the message it became (0 for a topic action)."""
        t = self._translations.get(message.language if message.telegram_user_id > 0 else None)
        params = message.params
        if message.kind == ANSWER_KIND:
            return await self._answer(t, message, limit)
        if message.kind == TOPIC_KIND:
            return await self._topic_action(message, limit)
        thread = await self._thread(message, limit)
        if message.kind == CARD_KIND:
            card = await self._staff.card(int(params["ticket"]))
            text = card_text(t, card) if card is not None else t("helpdesk-card-gone")
            markup = private_card_keyboard(t, int(params["ticket"])) if message.telegram_user_id > 0 else None
            sent = await self._bot.send_message(
                message.telegram_user_id, text, message_thread_id=thread, reply_markup=markup, rate_limit_args=limit
            )
            return sent.message_id
        [copied] = await self.copy_run([message], limit)
        return copied

    async def copy_run(self, messages: Sequence[OutboxMessage], limit: dict[str, Any]) -> list[int]:
        """Copies of one asker's messages to one chat, in order: copyMessage for one, copyMessages for more."""
        first = messages[0]
        assert first.copy_from_chat_id is not None and first.copy_message_id is not None
        thread = await self._thread(first, limit)
        if len(messages) == 1:
            copied = await self._bot.copy_message(
                first.telegram_user_id,
                first.copy_from_chat_id,
                first.copy_message_id,
                message_thread_id=thread,
                rate_limit_args=limit,
            )
            return [copied.message_id]
        ids = [m.copy_message_id for m in messages if m.copy_message_id is not None]
        copies = await self._bot.copy_messages(
            first.telegram_user_id, first.copy_from_chat_id, ids, message_thread_id=thread, rate_limit_args=limit
        )
        # A message the asker deleted meanwhile is skipped by Telegram: its row counts as sent with the last id.
        result = [copy.message_id for copy in copies]
        return (result + [result[-1] if result else 0] * len(messages))[: len(messages)]

    async def _topic_action(self, message: OutboxMessage, limit: dict[str, Any]) -> int:
        chat, action = message.telegram_user_id, message.params["action"]
        if action == "delete_message":  # a copy in a staff member's private chat, after /hapusdata
            await self._bot.delete_message(chat, int(message.params["message_id"]), rate_limit_args=limit)
            return 0
        thread = int(message.params["thread"])
        if action == "close":
            await self._bot.close_forum_topic(chat, thread, rate_limit_args=limit)
        elif action == "reopen":
            await self._bot.reopen_forum_topic(chat, thread, rate_limit_args=limit)
        else:
            await self._bot.delete_forum_topic(chat, thread, rate_limit_args=limit)
        return 0

    async def _answer(self, t: Translator, message: OutboxMessage, limit: dict[str, Any]) -> int:
        params = message.params
        signature = html.escape(str(params.get("signature") or t("helpdesk-staff")))
        if message.message_key == "helpdesk-closed":
            key = "helpdesk-closed-by-staff" if params.get("by_staff") else "helpdesk-closed-by-you"
            sent = await self._bot.send_message(
                message.telegram_user_id,
                t(key, ticket=params["ticket"]) + "\n\n" + t("helpdesk-rate"),
                reply_markup=rating_keyboard(t, int(params["ticket"])),
                rate_limit_args=limit,
            )
            return sent.message_id
        if message.copy_from_chat_id is not None and message.copy_message_id is not None:
            caption = t("helpdesk-signed", signature=Raw(signature), text=Raw(str(params.get("caption") or "")))
            copied = await self._bot.copy_message(
                message.telegram_user_id,
                message.copy_from_chat_id,
                message.copy_message_id,
                caption=caption.strip(),
                rate_limit_args=limit,
            )
            return copied.message_id
        text = t("helpdesk-signed", signature=Raw(signature), text=Raw(str(params.get("html") or "")))
        sent = await self._bot.send_message(message.telegram_user_id, text, rate_limit_args=limit)
        return sent.message_id


async def followers(unit: Unit, batch: list[OutboxMessage], now: datetime) -> list[OutboxMessage]:
    """A ticket's further copies due to the same chat, claimed with its first, so they go as one copyMessages
    call (a person writing several messages costs a group one message of its budget, not one each)."""
    more: list[OutboxMessage] = []
    for target, subject in {(m.telegram_user_id, m.subject) for m in batch if m.kind == RELAY_KIND and m.subject}:
        assert subject is not None
        more += await unit.outbox.claim_following(target, subject, now, MAX_COPIES)
    return more


def in_order(batch: list[OutboxMessage]) -> list[list[OutboxMessage]]:
    """The batch as runs that are sent concurrently: one ticket's rows to one chat together, in order; every other
    row alone."""
    runs: dict[object, list[OutboxMessage]] = {}
    for message in batch:
        ordered = message.subject is not None and message.subject.startswith("ticket:")
        runs.setdefault((message.telegram_user_id, message.subject) if ordered else message.id, []).append(message)
    return [sorted(run, key=lambda m: m.id) for run in runs.values()]


def copy_run_of(rows: list[OutboxMessage], start: int) -> list[OutboxMessage]:
    """The copies of one chat's messages from `start` on, for one copyMessages call."""
    first = rows[start]
    if first.kind != RELAY_KIND or first.copy_from_chat_id is None:
        return [first]
    run = [first]
    for row in rows[start + 1 : start + MAX_COPIES]:
        if row.kind != RELAY_KIND or row.copy_from_chat_id != first.copy_from_chat_id:
            break
        previous = run[-1].copy_message_id
        if row.copy_message_id is None or previous is None or row.copy_message_id <= previous:
            break
        run.append(row)
    return run


def lost(error_message: str) -> str | None:
    """'group' or 'topic' when a refusal of Telegram's says the bot can no longer post there."""
    text = error_message.lower()
    if any(part in text for part in TOPIC_GONE):
        return "topic"
    if any(part in text for part in GROUP_GONE):
        return "group"
    return None
