"""What is left when nothing waits for the person's answer: a main-menu button opens its item, anything else gets
a friendly "not understood" (or "not registered") with the menu again, and a stale or forged button changes
nothing. bot/handlers/dispatch.py decides when these answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.context import VokasiContext
from bot.handlers import account, courses, helpdesk, keyboards, schedule, surveys, vacancy_browse
from bot.handlers.common import main_menu_for, send, translator_for
from bot.services.pending import Situation

# The main menu's buttons (keyboards.MENU_KEYS) and what each opens.
ITEMS: dict[str, Callable[[Update, VokasiContext], Awaitable[None]]] = {
    "menu-courses": courses.courses_command,
    "menu-schedule": schedule.schedule_command,
    "menu-employment": surveys.employment_status,
    "menu-profile": account.profile,
    "menu-ask": helpdesk.ask_command,
    "menu-help": account.help_command,
    # Shown only to those the vacancies are for; typed by anyone else, it says when they open.
    "menu-vacancies": vacancy_browse.vacancies_command,
}


def chosen_item(update: Update, context: VokasiContext) -> str | None:
    """The main-menu key the typed text is the label of, if any."""
    message = update.effective_message
    typed = (message.text or "").strip().casefold() if message else ""
    # The keyboard may still be in the other language after /bahasa: accept both.
    languages = context.services.translations.all()
    return next((key for key in keyboards.MENU_KEYS for other in languages if other(key).casefold() == typed), None)


async def open_item(update: Update, context: VokasiContext, situation: Situation) -> None:
    """A main-menu button: its item, for participants."""
    key = chosen_item(update, context)
    if situation.registered and key is not None:
        await ITEMS[key](update, context)
    else:
        await unknown_text(update, context, situation)


async def unknown_text(update: Update, context: VokasiContext, situation: Situation) -> None:
    """Typed text that is neither an answer nor a menu button: perhaps a question for the staff."""
    await helpdesk.offer(update, context, registered=situation.registered)


async def not_understood(update: Update, context: VokasiContext, situation: Situation) -> None:
    """A contact, sticker, voice note...: we use words and buttons only."""
    t = await translator_for(update, context)
    if not situation.registered:
        await send(update, context, t("not-registered"))
    else:
        await send(update, context, t("menu-only-text"), await main_menu_for(update, context, t))


async def unknown_command(update: Update, context: VokasiContext, situation: Situation) -> None:
    """A command the bot does not have."""
    t = await translator_for(update, context)
    await send(update, context, t("unknown-command"))


async def edit_ignored(update: Update, context: VokasiContext, situation: Situation) -> None:
    """An edited message with nothing waiting: an edit is not an answer, and nothing needs to hear about it."""


async def stale_button(update: Update, context: VokasiContext) -> None:
    """Callback data no handler recognises: old, or forged. Nothing changes."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    await query.answer(t("button-stale"), show_alert=True)
