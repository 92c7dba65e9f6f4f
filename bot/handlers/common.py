"""Small helpers every handler uses: who is writing, in which language, and how to answer."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup as Inline
from telegram import Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.context import VokasiContext
from bot.i18n import Translator

Markup = Inline | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


def user_id_of(update: Update) -> int:
    user = update.effective_user
    if user is None:
        raise ValueError("update without a user")
    return user.id


async def translator_for(update: Update, context: VokasiContext) -> Translator:
    """The person's chosen language, else the bot's default (DEFAULT_LANGUAGE)."""
    services = context.services
    language = await services.accounts.language(user_id_of(update))
    return services.translations.get(language)


async def send(update: Update, context: VokasiContext, text: str, markup: Markup = None) -> Message:
    """A new message in the chat the update came from (texts are HTML, the application's default)."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError("update without a chat")
    return await context.bot.send_message(chat.id, text, reply_markup=markup)
