"""Small helpers every handler uses: who is writing, in which language, and how to answer."""

from __future__ import annotations

from telegram import CallbackQuery, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram import InlineKeyboardMarkup as Inline
from telegram.error import BadRequest

from bot.context import VokasiContext
from bot.handlers import keyboards
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


async def main_menu_for(update: Update, context: VokasiContext, t: Translator) -> ReplyKeyboardMarkup:
    """The main menu as this person gets it: "🔎 Lowongan" once the vacancies are for them."""
    return keyboards.main_menu(t, vacancies=await context.services.vacancy_browse.qualifies(user_id_of(update)))


async def send(update: Update, context: VokasiContext, text: str, markup: Markup = None) -> Message:
    """A new message in the chat the update came from (texts are HTML, the application's default)."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError("update without a chat")
    return await context.bot.send_message(chat.id, text, reply_markup=markup)


async def edit_pressed(query: CallbackQuery, text: str | None, reply_markup: Inline | None = None) -> None:
    """Show ``text`` (HTML) and ``reply_markup`` on the message whose button was pressed; only the buttons when
    ``text`` is None.

    A double tap edits to the same content, which Telegram refuses as "message is not modified": that is not an
    error. A message without text (a photo or document, whose buttons were forged) cannot take one, and one the
    person deleted meanwhile ("message to edit not found") is gone: the text comes as a new message instead.
    """
    message = query.message
    try:
        if text is None:
            await query.edit_message_reply_markup(reply_markup)
        elif isinstance(message, Message) and message.text is None:
            await query.get_bot().send_message(message.chat_id, text, reply_markup=reply_markup)
        else:
            await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as error:
        reason = error.message.lower()
        if "not modified" in reason or ("message to edit not found" in reason and text is None):
            return  # nothing to change, or only buttons of a message that is gone
        if "message to edit not found" not in reason or text is None or not isinstance(message, Message):
            raise
        await query.get_bot().send_message(message.chat_id, text, reply_markup=reply_markup)


async def ask_argument(
    update: Update, context: VokasiContext, command: str, question: str, prefix: tuple[str, ...] = ()
) -> None:
    """A staff command without its argument: ask for it; the staff member's next message is the argument
    (bot/handlers/prompts.py answers it by running `command` again)."""
    await context.services.staff_prompts.ask(user_id_of(update), command, prefix)
    await send(update, context, question)


def teaser(text: str, limit: int) -> str:
    """A text whole when short, else cut at the last word that fits, with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit + 1].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(",.;:–- ") + "…"
