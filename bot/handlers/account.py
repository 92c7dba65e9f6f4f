"""A participant's own account: /profil, /bahasa, /bantuan, /hapusdata."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update

from bot.context import VokasiContext
from bot.handlers import helpdesk, keyboards
from bot.handlers.common import edit_pressed, main_menu_for, send, translator_for, user_id_of
from bot.handlers.registration import ask, show_result
from bot.handlers.views import profile_text
from bot.i18n import Translator
from bot.services.registration_dialog import Step


async def profile(update: Update, context: VokasiContext) -> None:
    """/profil: the participant's data (NIK masked) with a button to change each field."""
    t = await translator_for(update, context)
    services = context.services
    participant = await services.accounts.participant(user_id_of(update))
    if participant is None:
        await _not_registered(update, context, t)
        return
    if await services.registration.cancel(user_id_of(update)) is not None:  # an unfinished edit is abandoned
        await send(update, context, t("edit-cancelled"), await main_menu_for(update, context, t))
    await send(update, context, profile_text(t, services.provinces, participant), keyboards.profile(t))


async def profile_button(update: Update, context: VokasiContext) -> None:
    """profile:<field>: start changing one field."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    field = (query.data or "").removeprefix("profile:")
    if field not in {step.value for step in Step}:
        await query.answer(t("button-stale"), show_alert=True)
        return
    result = await context.services.registration.begin_edit(user_id_of(update), Step(field))
    await query.answer()
    await show_result(update, context, t, result)


async def language(update: Update, context: VokasiContext) -> None:
    """/bahasa: choose Bahasa Indonesia or English."""
    t = await translator_for(update, context)
    await send(update, context, t("lang-ask"), keyboards.languages(t))


async def language_button(update: Update, context: VokasiContext) -> None:
    """lang:<code>: switch the whole bot to that language, then carry on where the person was."""
    query = update.callback_query
    assert query is not None
    services = context.services
    user_id = user_id_of(update)
    if not await services.accounts.set_language(user_id, (query.data or "").removeprefix("lang:")):
        old = await translator_for(update, context)
        await query.answer(old("button-stale"), show_alert=True)
        return
    t = await translator_for(update, context)
    await query.answer()
    await edit_pressed(query, t("lang-changed"))
    draft = await services.registration.current(user_id)
    if draft is not None:
        await ask(update, context, t, draft)
    elif await services.accounts.participant(user_id) is not None:
        await send(update, context, t("menu-here"), await main_menu_for(update, context, t))
    else:
        await send(update, context, t("consent-notice"), keyboards.consent(t))


async def help_command(update: Update, context: VokasiContext) -> None:
    """/bantuan: what the bot does, its commands, how to reach staff."""
    t = await translator_for(update, context)
    services = context.services
    contact = services.settings.support_contact or t("support-contact-default")
    # The main menu's reply keyboard stays on screen; this message carries the help desk's buttons.
    ticket_line, desk = await helpdesk.help_lines(update, context, t)
    await send(update, context, t("help", contact=contact) + ticket_line, desk)


async def erase(update: Update, context: VokasiContext) -> None:
    """/hapusdata: ask for confirmation before erasing."""
    t = await translator_for(update, context)
    services = context.services
    user_id = user_id_of(update)
    has_data = await services.accounts.participant(user_id) is not None
    has_draft = await services.registration.current(user_id) is not None
    if not has_data and not has_draft:
        await send(update, context, t("erase-nothing"))
        return
    await send(update, context, t("erase-confirm"), keyboards.erase_confirm(t))


async def erase_button(update: Update, context: VokasiContext) -> None:
    """erase:yes|no: erase now, or keep everything."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    services = context.services
    if query.data != "erase:yes":
        await query.answer()
        await edit_pressed(query, t("erase-kept"))
        return
    erasure = await services.accounts.erase(user_id_of(update))
    await query.answer()
    await edit_pressed(query, None, None)
    if erasure.participant_erased:
        await send(update, context, t("erased"), ReplyKeyboardRemove())
    elif erasure.draft_erased:
        await send(update, context, t("erased-draft"), ReplyKeyboardRemove())
    else:
        await send(update, context, t("erase-nothing"))


async def _not_registered(update: Update, context: VokasiContext, t: Translator) -> None:
    draft = await context.services.registration.current(user_id_of(update))
    if draft is not None:
        await ask(update, context, t, draft, before=t("finish-registration-first"))
    else:
        await send(update, context, t("not-registered"))


async def mute(update: Update, context: VokasiContext) -> None:
    """/berhenti: no more announcements; reminders, surveys and check-ins still come."""
    await _set_announcements(update, context, wanted=False)


async def unmute(update: Update, context: VokasiContext) -> None:
    """/lanjut: announcements again."""
    await _set_announcements(update, context, wanted=True)


async def _set_announcements(update: Update, context: VokasiContext, *, wanted: bool) -> None:
    t = await translator_for(update, context)
    changed = await context.services.broadcasts.set_wanted(user_id_of(update), wanted=wanted)
    if changed is None:
        await _not_registered(update, context, t)
        return
    if wanted:
        await send(update, context, t("announcements-on" if changed else "announcements-already-on"))
    else:
        await send(update, context, t("announcements-off" if changed else "announcements-already-off"))
