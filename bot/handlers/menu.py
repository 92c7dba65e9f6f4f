"""Messages outside any command: dialog answers first, then the main menu, then a friendly fallback."""

from __future__ import annotations

from telegram import Update

from bot.context import VokasiContext
from bot.handlers import account, broadcasts, courses, keyboards, registration, schedule, staff, surveys
from bot.handlers.common import send, translator_for, user_id_of


async def text(update: Update, context: VokasiContext) -> None:
    """Typed text: an answer to the dialog in progress, a main-menu button, an answer to the survey running, or
    something we do not understand."""
    if await broadcasts.compose(update, context) or await registration.dialog_text(update, context):
        return
    t = await translator_for(update, context)
    services = context.services
    if await services.accounts.participant(user_id_of(update)) is None:
        await send(update, context, t("not-registered"))
        return
    message = update.effective_message
    typed = (message.text or "").strip().casefold() if message else ""
    # The keyboard may still be in the other language after /bahasa: accept both.
    chosen = next(
        (key for key in keyboards.MENU_KEYS for other in services.translations.all() if other(key).casefold() == typed),
        None,
    )
    if chosen == "menu-profile":
        await account.profile(update, context)
    elif chosen == "menu-help":
        await account.help_command(update, context)
    elif chosen == "menu-courses":
        await courses.courses_command(update, context)
    elif chosen == "menu-schedule":
        await schedule.schedule_command(update, context)
    elif chosen == "menu-employment":
        await surveys.employment_status(update, context)
    elif await surveys.survey_text(update, context):
        return
    else:
        await send(update, context, t("menu-unknown"), keyboards.main_menu(t))


async def contact(update: Update, context: VokasiContext) -> None:
    """A shared contact: the phone answer during a dialog, otherwise not something we use."""
    if not await registration.dialog_contact(update, context) and not await surveys.survey_other(update, context):
        await _not_understood(update, context)


async def other(update: Update, context: VokasiContext) -> None:
    """Photos and documents: a staff member's announcement, or a catalogue file from staff. Anything else
    (stickers, voice notes...) gets an answer in words: we use words and buttons only."""
    if await broadcasts.compose(update, context) or await staff.catalogue_document(update, context):
        return
    if not await registration.dialog_other(update, context) and not await surveys.survey_other(update, context):
        await _not_understood(update, context)


async def edited(update: Update, context: VokasiContext) -> None:
    """An edited message: only a dialog or survey in progress needs to hear that edits are not read."""
    if not await registration.dialog_edited(update, context):
        await surveys.survey_edited(update, context)


async def unknown_command(update: Update, context: VokasiContext) -> None:
    """A command the bot does not have."""
    t = await translator_for(update, context)
    draft = await context.services.registration.current(user_id_of(update))
    if draft is not None:
        await registration.ask(update, context, t, draft, before=t("unknown-command"))
    else:
        await send(update, context, t("unknown-command"))


async def stale_button(update: Update, context: VokasiContext) -> None:
    """Callback data no handler recognises: old, or forged. Nothing changes."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    await query.answer(t("button-stale"), show_alert=True)


async def _not_understood(update: Update, context: VokasiContext) -> None:
    t = await translator_for(update, context)
    if await context.services.accounts.participant(user_id_of(update)) is None:
        await send(update, context, t("not-registered"))
    else:
        await send(update, context, t("menu-only-text"), keyboards.main_menu(t))
