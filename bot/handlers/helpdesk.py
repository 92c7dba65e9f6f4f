"""The help desk for the person asking: "💬 Tanya Petugas" and /tanya, the question (first offered the FAQ answers
that match its words), everything they send while their ticket is open, "send this to the staff?" for text the bot
cannot place, the open ticket and the FAQ in /bantuan, closing and rating.

What they write is never stored: bot/services/helpdesk.py queues copies of their messages, by id.
"""

from __future__ import annotations

from collections.abc import Mapping

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import VokasiContext
from bot.handlers.common import edit_pressed, main_menu_for, send, translator_for, user_id_of
from bot.i18n import Translator
from bot.services.faq import FaqEntry
from bot.services.helpdesk import Receipt
from bot.services.pending import Pending
from bot.storage.tickets import OPEN

# hd:send:<message id> | hd:answered | hd:done:<ticket> | hd:rate:<ticket>:<1-5> | hd:faq | hd:faq:<key>
PATTERN = r"^hd:(send:\d{1,10}|answered|done:\d{1,10}|rate:\d{1,10}:[1-5]|faq|faq:[a-z][a-z0-9_]{0,31})$"


async def ask_command(update: Update, context: VokasiContext) -> None:
    """/tanya and the menu's "💬 Tanya Petugas": the bot asks for the question."""
    t = await translator_for(update, context)
    ticket = await context.services.helpdesk.ask(user_id_of(update))
    if ticket.status == OPEN:
        await send(update, context, t("helpdesk-open-already", ticket=ticket.id))
    else:
        await send(update, context, t("helpdesk-ask"))


async def question_text(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """The question, typed: first the FAQ answers its words match, with "Tetap kirim ke petugas"."""
    message = update.effective_message
    assert message is not None and message.text is not None
    t = await translator_for(update, context)
    matches = context.services.helpdesk.suggestions(message.text, t.language)
    if not matches:
        return await to_ticket(update, context, pending)
    await send(update, context, _suggestions(t, matches), _suggestion_buttons(t, message.message_id))
    return True


async def to_ticket(update: Update, context: VokasiContext, pending: Pending | None = None) -> bool:
    """A message for the help desk (the question, or more while the ticket is open): copied to the staff."""
    message = update.effective_message
    assert message is not None
    receipt = await context.services.helpdesk.submit(user_id_of(update), [message.message_id])
    await _acknowledge(update, context, receipt)
    return True


async def offer(update: Update, context: VokasiContext, *, registered: bool) -> None:
    """Text nothing else takes: "Saya belum mengerti. Mau kirim pesan ini ke petugas?" (and, to someone not
    registered, how to register)."""
    message = update.effective_message
    assert message is not None
    t = await translator_for(update, context)
    button = InlineKeyboardButton(t("btn-helpdesk-offer"), callback_data=f"hd:send:{message.message_id}")
    text = t("helpdesk-offer") if registered else t("not-registered") + "\n\n" + t("helpdesk-offer")
    await send(update, context, text, InlineKeyboardMarkup([[button]]))


async def button(update: Update, context: VokasiContext) -> None:
    """The help desk's buttons for the asker (PATTERN)."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    user_id = user_id_of(update)
    helpdesk = context.services.helpdesk
    parts = (query.data or "").split(":")[1:]
    match parts:
        case ["send", message_id]:
            # Only the person's own messages can be copied: the copy is from their own chat.
            await query.answer()
            await edit_pressed(query, None)
            receipt = await helpdesk.submit(user_id, [int(message_id)])
            await _acknowledge(update, context, receipt)
        case ["answered"]:
            await query.answer()
            await helpdesk.withdraw_question(user_id)
            await edit_pressed(query, None)
            await send(update, context, t("helpdesk-suggest-done"))
        case ["done", ticket_id]:
            closed = await helpdesk.close_by_asker(user_id, int(ticket_id))
            if closed is None:
                await query.answer(t("button-stale"), show_alert=True)
                return
            await query.answer()
            await edit_pressed(query, None)
        case ["rate", ticket_id, rating]:
            if not await helpdesk.rate(user_id, int(ticket_id), int(rating)):
                await query.answer(t("button-stale"), show_alert=True)
                return
            await query.answer()
            await edit_pressed(query, t("helpdesk-rated"))
        case ["faq"]:
            await query.answer()
            await send(update, context, t("helpdesk-faq-list"), _faq_list(t, helpdesk.faq.entries))
        case ["faq", key]:
            entry = helpdesk.faq.get(key)
            if entry is None:
                await query.answer(t("button-stale"), show_alert=True)
                return
            await query.answer()
            await send(update, context, _faq_entry(t, entry))
        case _:
            await query.answer(t("button-stale"), show_alert=True)


async def help_lines(update: Update, context: VokasiContext, t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """What /bantuan adds: the person's open ticket (with "Masalah saya sudah selesai") and the FAQ."""
    ticket = await context.services.helpdesk.current(user_id_of(update))
    rows = [[InlineKeyboardButton(t("btn-helpdesk-faq"), callback_data="hd:faq")]]
    if ticket is None or ticket.status != OPEN:
        return "", InlineKeyboardMarkup(rows)
    when = t.moment(ticket.asked_at or ticket.opened_at, "Asia/Jakarta")
    rows.insert(0, [InlineKeyboardButton(t("btn-helpdesk-done"), callback_data=f"hd:done:{ticket.id}")])
    return "\n\n" + t("helpdesk-your-ticket", ticket=ticket.id, when=when), InlineKeyboardMarkup(rows)


async def withdraw(update: Update, context: VokasiContext) -> bool:
    """/batal while the bot waits for the question."""
    if not await context.services.helpdesk.withdraw_question(user_id_of(update)):
        return False
    t = await translator_for(update, context)
    await send(update, context, t("helpdesk-withdrawn"), await main_menu_for(update, context, t))
    return True


async def _acknowledge(update: Update, context: VokasiContext, receipt: Receipt) -> None:
    if not receipt.acknowledge:
        return
    t = await translator_for(update, context)
    key = "helpdesk-received" if receipt.new else "helpdesk-received-more"
    await send(update, context, t(key, ticket=receipt.ticket.id))


def _suggestions(t: Translator, matches: list[FaqEntry]) -> str:
    parts = [t("helpdesk-suggest")]
    for entry in matches:
        parts.append(t("helpdesk-suggest-entry", question=_in(entry.question, t), answer=_in(entry.answer, t)))
    return "\n".join(parts)


def _suggestion_buttons(t: Translator, message_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("btn-helpdesk-send-anyway"), callback_data=f"hd:send:{message_id}")],
            [InlineKeyboardButton(t("btn-helpdesk-answered"), callback_data="hd:answered")],
        ]
    )


def _faq_list(t: Translator, entries: tuple[FaqEntry, ...]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_in(e.question, t)[:60], callback_data=f"hd:faq:{e.key}")] for e in entries]
    )


def _faq_entry(t: Translator, entry: FaqEntry) -> str:
    return t("helpdesk-faq-entry", question=_in(entry.question, t), answer=_in(entry.answer, t))


def _in(texts: Mapping[str, str], t: Translator) -> str:
    """A text of the FAQ in the person's language (the first one there is otherwise)."""
    return texts.get(t.language) or next(iter(texts.values()))
