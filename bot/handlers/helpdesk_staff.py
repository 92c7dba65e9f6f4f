"""The help desk for staff: messages and commands in a ticket's forum topic (an answer, /tutup, /catatan, /jawab
KUNCI, /ambil), the private-chat desk without a group ("Balas" / "Tutup" on a ticket, or a Telegram reply to it),
and /tiket. Roles apply (viewers may read, not answer); bot/services/helpdesk_staff.py audits every action.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Message, Update

from bot.context import VokasiContext
from bot.handlers.common import edit_pressed, send, translator_for, user_id_of
from bot.i18n import Translator
from bot.services.enrollment import Refusal
from bot.services.helpdesk_staff import Answer, waiting_for
from bot.services.pending import Pending
from bot.storage.tickets import Ticket

# hd:reply:<ticket> | hd:close:<ticket>
PATTERN = r"^hd:(reply|close):\d{1,10}$"


def answer_of(message: Message) -> Answer:
    """A staff member's message as an answer: text as HTML (sent signed), anything else copied with its caption."""
    if message.text is not None:
        return Answer(html=message.text_html)
    return Answer(copy_of=(message.chat_id, message.message_id), caption_html=message.caption_html or "")


def signature(t: Translator, update: Update) -> str:
    user = update.effective_user
    return t("helpdesk-signature", name=user.first_name if user is not None else "")


async def topic_message(update: Update, context: VokasiContext) -> None:
    """Anything a staff member writes in a ticket's topic: a command, or an answer for the asker."""
    message = update.effective_message
    if message is None or message.message_thread_id is None or update.effective_user is None:
        return
    if update.effective_user.is_bot:
        return
    staff = context.services.helpdesk_staff
    ticket = await staff.in_topic(message.chat_id, message.message_thread_id)
    if ticket is None:
        return
    t = context.services.translations.get(None)
    user_id = user_id_of(update)
    words = (message.text or "").split(maxsplit=1)
    command = words[0][1:].split("@")[0].lower() if words and words[0].startswith("/") else None
    if command is not None:
        await _topic_command(update, context, t, ticket, command, words[1] if len(words) > 1 else "")
        return
    refusal = await staff.answer(user_id, ticket, answer_of(message), signature(t, update))
    if refusal is not None:
        await message.reply_text(t(refusal.key, **refusal.params))


async def _topic_command(
    update: Update, context: VokasiContext, t: Translator, ticket: Ticket, command: str, rest: str
) -> None:
    message = update.effective_message
    assert message is not None
    staff = context.services.helpdesk_staff
    user_id = user_id_of(update)
    outcome: Refusal | None
    if command in ("tutup", "close"):
        outcome = await staff.close(user_id, ticket)
        done = t("helpdesk-staff-closed", ticket=ticket.id)
    elif command in ("catatan", "note"):
        outcome = await staff.note(user_id, ticket)
        done = t("helpdesk-noted")
    elif command in ("jawab", "answer"):
        language = await context.services.accounts.language(ticket.telegram_user_id)
        outcome = await staff.faq_answer(
            user_id, ticket, rest.strip().lower(), language or t.language, signature(t, update)
        )
        done = ""
    elif command in ("ambil", "take"):
        outcome = await staff.take(user_id, ticket)
        name = update.effective_user.first_name if update.effective_user else ""
        done = t("helpdesk-taken", ticket=ticket.id, name=name)
    else:
        return
    if outcome is not None:
        await message.reply_text(t(outcome.key, **outcome.params))
    elif done:
        await message.reply_text(done)


async def private_button(update: Update, context: VokasiContext) -> None:
    """hd:reply:<ticket> and hd:close:<ticket> on a ticket in a staff member's private chat."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    action, ticket_id = (query.data or "").split(":")[1:]
    staff = context.services.helpdesk_staff
    user_id = user_id_of(update)
    if action == "reply":
        started = await staff.start_reply(user_id, int(ticket_id))
        if isinstance(started, Refusal):
            await query.answer(t(started.key, **started.params), show_alert=True)
            return
        await query.answer()
        await send(update, context, t("helpdesk-reply-now", ticket=started.id))
        return
    ticket = await staff.get(int(ticket_id))
    refusal = Refusal("helpdesk-already-closed") if ticket is None else await staff.close(user_id, ticket)
    if refusal is not None:
        await query.answer(t(refusal.key, **refusal.params), show_alert=True)
        return
    await query.answer()
    await edit_pressed(query, None)
    await send(update, context, t("helpdesk-staff-closed", ticket=ticket_id))


async def staff_reply(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """After "Balas": this message goes to the asker."""
    message = update.effective_message
    assert message is not None and pending.id is not None
    t = await translator_for(update, context)
    staff = context.services.helpdesk_staff
    user_id = user_id_of(update)
    await staff.stop_reply(user_id)
    ticket = await staff.get(pending.id)
    if ticket is None:
        return False
    refusal = await staff.answer(user_id, ticket, answer_of(message), signature(t, update))
    await send(
        update, context, t(refusal.key, **refusal.params) if refusal else t("helpdesk-reply-sent", ticket=ticket.id)
    )
    return True


async def reply_in_private(update: Update, context: VokasiContext) -> bool:
    """A staff member's Telegram reply to a ticket's card or copy in their private chat: an answer for the asker.
    False when the replied-to message is not a ticket's."""
    message = update.effective_message
    if message is None or message.reply_to_message is None:
        return False
    staff = context.services.helpdesk_staff
    ticket = await staff.replied_to(user_id_of(update), message.reply_to_message.message_id)
    if ticket is None:
        return False
    t = await translator_for(update, context)
    refusal = await staff.answer(user_id_of(update), ticket, answer_of(message), signature(t, update))
    await send(
        update, context, t(refusal.key, **refusal.params) if refusal else t("helpdesk-reply-sent", ticket=ticket.id)
    )
    return True


async def tickets_command(update: Update, context: VokasiContext) -> None:
    """/tiket: open tickets, the one waiting longest first, with their age."""
    t = await translator_for(update, context)
    staff = context.services.helpdesk_staff
    found = await staff.open_tickets(user_id_of(update))
    if isinstance(found, Refusal):
        await send(update, context, t("unknown-command"))
        return
    if not found:
        await send(update, context, t("helpdesk-tickets-none"))
        return
    now = context.services.clock.now()
    lines = [t("helpdesk-tickets-head", count=len(found))]
    for ticket in found:
        answered = t("helpdesk-tickets-answered" if ticket.first_response_at else "helpdesk-tickets-unanswered")
        lines.append(
            t("helpdesk-tickets-line", ticket=ticket.id, age=age(t, waiting_for(ticket, now)), answered=answered)
        )
    await send(update, context, "\n".join(lines))


def age(t: Translator, waited: timedelta) -> str:
    minutes = int(waited.total_seconds() // 60)
    if minutes < 120:
        return t("helpdesk-age-minutes", n=minutes)
    if minutes < 48 * 60:
        return t("helpdesk-age-hours", n=minutes // 60)
    return t("helpdesk-age-days", n=minutes // (24 * 60))
