"""The registration conversation (and profile edits, which ask the same questions).

The dialog's step and answers live in the database (RegistrationService), so this module keeps no state: each
update loads the dialog, applies the answer and asks the next question. /batal cancels, and a dialog left alone
longer than REGISTRATION_TIMEOUT_HOURS is discarded.
"""

from __future__ import annotations

from telegram import CallbackQuery, ReplyKeyboardRemove, Update

from bot.context import VokasiContext
from bot.handlers import helpdesk, keyboards
from bot.handlers.commands import staff_welcome
from bot.handlers.common import Markup, edit_pressed, main_menu_for, send, translator_for, user_id_of
from bot.handlers.views import profile_text, summary_text
from bot.i18n import Translator
from bot.services.pending import Pending
from bot.services.registration_dialog import (
    REGENCY_TWIN,
    AlreadyRegistered,
    Answer,
    Asked,
    Choice,
    Contact,
    Details,
    Draft,
    Expired,
    Flow,
    Invalid,
    NoDialog,
    ProfileUpdated,
    Registered,
    Result,
    Stale,
    Start,
    Step,
    Text,
)

# Questions answered by typing, and their message keys.
QUESTION_KEYS: dict[Step, str] = {
    Step.NAME: "ask-name",
    Step.NIK: "ask-nik",
    Step.KPJ: "ask-kpj",
    Step.PHONE: "ask-phone",
    Step.PROVINCE: "ask-province",
    Step.REGENCY: "ask-regency",
    Step.EMPLOYER: "ask-employer",
    Step.PHK_DATE: "ask-phk-date",
    Step.EDUCATION: "ask-education",
    Step.EDIT_PICK: "edit-pick",
}


def question(t: Translator, context: VokasiContext, draft: Draft) -> tuple[str, Markup]:
    """The text and keyboard of the question the dialog is at."""
    provinces = context.services.provinces
    step = draft.step
    if step is Step.SUMMARY:
        return summary_text(t, provinces, Details.of(draft.data)), keyboards.summary(t)
    if step is Step.REGENCY and (twin := draft.data.get(REGENCY_TWIN)):
        return t("ask-regency-twin", name=twin), keyboards.regency_twin(t, twin)
    if step is Step.REGENCY:
        province = provinces.get(draft.data["province_code"])
        text = t("ask-regency", province=province.name if province else "-")
    else:
        text = t(QUESTION_KEYS[step])
    markups: dict[Step, Markup] = {
        Step.KPJ: keyboards.kpj_unknown(t),
        Step.PHONE: keyboards.share_phone(t),
        Step.PROVINCE: keyboards.regions(t, provinces),
        Step.EDUCATION: keyboards.education(t),
        Step.EDIT_PICK: keyboards.edit_pick(t),
    }
    return text, markups.get(step, ReplyKeyboardRemove())


async def ask(update: Update, context: VokasiContext, t: Translator, draft: Draft, *, before: str = "") -> None:
    """Ask the current question, after an optional explanation in the same message."""
    text, markup = question(t, context, draft)
    await send(update, context, f"{before}\n\n{text}" if before else text, markup)


async def show_result(update: Update, context: VokasiContext, t: Translator, result: Result) -> None:
    """Answer a person after their answer was applied (or refused)."""
    services = context.services
    match result:
        case Asked(draft=draft):
            await ask(update, context, t, draft)
        case Invalid(draft=draft, key=key, params=params, options=options):
            if options:
                choices = [p for code in options if (p := services.provinces.get(code)) is not None]
                await send(update, context, t(key, **params), keyboards.province_choices(t, choices, back=False))
            else:
                await ask(update, context, t, draft, before=t(key, **params))
        case Registered(participant=participant):
            settings = services.settings
            if participant.needs_verification:
                text = t(
                    "welcome-needs-verification",
                    name=participant.full_name or "",
                    min_months=settings.eligibility_min_months,
                    max_months=settings.eligibility_max_months,
                )
            else:
                text = t("welcome", name=participant.full_name or "")
            await send(update, context, text, await main_menu_for(update, context, t))
        case ProfileUpdated(participant=participant):
            await send(update, context, t("profile-updated"), await main_menu_for(update, context, t))
            await send(update, context, profile_text(t, services.provinces, participant), keyboards.profile(t))
        case AlreadyRegistered():
            await send(update, context, t("already-registered"), await main_menu_for(update, context, t))
        case Expired():
            await send(update, context, t("dialog-expired"), ReplyKeyboardRemove())
        case NoDialog():
            await send(update, context, t("not-registered"), ReplyKeyboardRemove())
        case Stale():
            await send(update, context, t("button-stale"))


# --------------------------------------------------------------------- commands


async def start(update: Update, context: VokasiContext) -> None:
    """/start: the main menu for participants, the dialog in progress, a staff member's welcome (with a button to
    register as a participant too), or the consent notice for newcomers."""
    t = await translator_for(update, context)
    found = await context.services.registration.start(user_id_of(update))
    if isinstance(found, Expired):
        await send(update, context, t("dialog-expired"), ReplyKeyboardRemove())
        found = Start(None, None)
    if found.participant is not None:
        await send(
            update,
            context,
            t("menu-intro", name=found.participant.full_name or ""),
            await main_menu_for(update, context, t),
        )
    elif found.draft is not None:
        await ask(update, context, t, found.draft, before=t("dialog-resume"))
    elif (role := await context.services.staff.role(user_id_of(update))) is not None:
        await send(update, context, staff_welcome(t, role), keyboards.register_as_participant(t))
    else:
        await send(update, context, t("consent-notice"), keyboards.consent(t))


async def cancel(update: Update, context: VokasiContext) -> None:
    """/batal: withdraw a staff command's question for its argument (asked last of all), else discard the dialog in
    progress and what was typed in it (or the help-desk question or answer the bot is waiting for)."""
    t = await translator_for(update, context)
    services = context.services
    if await services.staff_prompts.cancel(user_id_of(update)):
        await send(update, context, t("prompt-cancelled"))
        return
    flow = await services.registration.cancel(user_id_of(update))
    registered = await services.accounts.participant(user_id_of(update)) is not None
    if flow is Flow.REGISTRATION:
        await send(update, context, t("registration-cancelled"), ReplyKeyboardRemove())
    elif flow is Flow.PROFILE:
        await send(update, context, t("edit-cancelled"), await main_menu_for(update, context, t))
    elif await services.helpdesk_staff.stop_reply(user_id_of(update)):
        await send(update, context, t("helpdesk-reply-cancelled"))
    elif await helpdesk.withdraw(update, context):
        pass
    elif registered:
        await send(update, context, t("nothing-to-cancel"), await main_menu_for(update, context, t))
    else:
        await send(update, context, t("nothing-to-cancel-start"))


# --------------------------------------------------------------------- buttons


async def consent_button(update: Update, context: VokasiContext) -> None:
    """consent:yes|no under the consent notice; consent:show under a staff member's welcome shows the notice."""
    query = _query(update)
    t = await translator_for(update, context)
    if query.data == "consent:show":
        await query.answer()
        await _mark_chosen(query, t, t("btn-register-as-participant"))
        await send(update, context, t("consent-notice"), keyboards.consent(t))
        return
    agreed = query.data == "consent:yes"
    result = await context.services.registration.consent(user_id_of(update), agreed)
    await query.answer()
    await _mark_chosen(query, t, t("btn-consent-yes" if agreed else "btn-consent-no"))
    if isinstance(result, NoDialog):
        await send(update, context, t("consent-refused"), ReplyKeyboardRemove())
    elif isinstance(result, Asked) and result.draft.step is Step.NAME:
        await ask(update, context, t, result.draft, before=t("consent-thanks"))
    else:
        await show_result(update, context, t, result)


async def answer_button(update: Update, context: VokasiContext) -> None:
    """d:<step>:<value>: a button answering a dialog question."""
    query = _query(update)
    t = await translator_for(update, context)
    services = context.services
    _, step_value, value = (query.data or "").split(":", 2)
    step = Step(step_value)
    if step is Step.PROVINCE and (value == "regions" or value.startswith("r:")):
        await _browse_provinces(update, context, t, value)
        return
    result = await services.registration.answer(user_id_of(update), Choice(value), step=step)
    if isinstance(result, Stale | NoDialog | Expired):
        # An old button (say, "register" pressed twice) says so and changes nothing; an expired draft is explained.
        await query.answer(t("button-stale"), show_alert=True)
        if isinstance(result, Expired):
            await show_result(update, context, t, result)
        return
    await query.answer()
    label = _button_label(query, query.data or "")
    if label:
        await _mark_chosen(query, t, label)
    await show_result(update, context, t, result)


async def _browse_provinces(update: Update, context: VokasiContext, t: Translator, value: str) -> None:
    """Region buttons open that region's provinces in the same message; 'back' returns to the regions."""
    query = _query(update)
    services = context.services
    draft = await services.registration.current(user_id_of(update))
    region = value.removeprefix("r:")
    if (
        draft is None
        or draft.step is not Step.PROVINCE
        or (value != "regions" and region not in services.provinces.regions())
    ):
        await query.answer(t("button-stale"), show_alert=True)
        return
    await query.answer()
    if value == "regions":
        markup = keyboards.regions(t, services.provinces)
    else:
        markup = keyboards.province_choices(t, services.provinces.in_region(region), back=True)
    await edit_pressed(query, None, markup)


# --------------------------------------------------------------------- messages
# While a dialog waits for its answer, the dispatch table (bot/handlers/dispatch.py) sends the person's messages
# here. Each returns False when the dialog was gone by then (the answer for a person with none is given instead).


# Questions whose buttons give the answer itself: typing a button's words ("saya tidak tahu" at the KPJ) is taken
# as pressing it. (The province's region buttons only open a list; a typed province name is read as such.)
TYPED_BUTTON_STEPS = (Step.KPJ, Step.EDUCATION)


async def dialog_text(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """A typed answer to the dialog's question (or the words of one of its buttons)."""
    text = _message_text(update)
    draft = await context.services.registration.current(user_id_of(update))
    if draft is not None and draft.step in TYPED_BUTTON_STEPS:
        t = await translator_for(update, context)
        _, markup = question(t, context, draft)
        value = _typed_button(markup, draft.step, text)
        if value is not None:
            return await _answer(update, context, Choice(value), step=draft.step)
    return await _answer(update, context, Text(text))


def _typed_button(markup: Markup, step: Step, text: str) -> str | None:
    """The value of the question's button whose words were typed (case, spaces and punctuation aside)."""
    typed = _words(text)
    prefix = f"d:{step.value}:"
    for row in getattr(markup, "inline_keyboard", ()):
        for button in row:
            data = str(button.callback_data or "")
            if typed and data.startswith(prefix) and _words(str(button.text)) == typed:
                return data[len(prefix) :]
    return None


def _words(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


async def dialog_contact(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """A shared contact: only the person's own number is accepted as their phone."""
    message = update.effective_message
    assert message is not None and message.contact is not None
    own = message.contact.user_id is not None and message.contact.user_id == user_id_of(update)
    return await _answer(update, context, Contact(message.contact.phone_number, own))


async def dialog_other(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """Stickers, photos, voice notes...: ask for text or buttons, and repeat the question."""
    draft = await context.services.registration.current(user_id_of(update))
    if draft is None:
        return False
    t = await translator_for(update, context)
    key = "err-use-buttons" if draft.step in (Step.SUMMARY, Step.EDIT_PICK) else "err-unsupported-message"
    await ask(update, context, t, draft, before=t(key))
    return True


async def dialog_edited(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """An edited message is not read as an answer: say so and repeat the question."""
    return await _ask_again(update, context, "err-edited-message")


async def dialog_command(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """A command the bot does not have, typed mid-dialog: say so and repeat the question."""
    return await _ask_again(update, context, "unknown-command")


async def _ask_again(update: Update, context: VokasiContext, reason: str) -> bool:
    draft = await context.services.registration.current(user_id_of(update))
    if draft is None:
        return False
    t = await translator_for(update, context)
    await ask(update, context, t, draft, before=t(reason))
    return True


async def _answer(update: Update, context: VokasiContext, answer: Answer, *, step: Step | None = None) -> bool:
    result = await context.services.registration.answer(user_id_of(update), answer, step=step)
    if isinstance(result, NoDialog):
        return False
    t = await translator_for(update, context)
    await show_result(update, context, t, result)
    return True


def _message_text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "") if message is not None else ""


def _query(update: Update) -> CallbackQuery:
    if update.callback_query is None:
        raise ValueError("not a callback query")
    return update.callback_query


def _button_label(query: CallbackQuery, data: str) -> str | None:
    message = query.message
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", ()):
        for button in row:
            if button.callback_data == data:
                return str(button.text)
    return None


async def _mark_chosen(query: CallbackQuery, t: Translator, label: str) -> None:
    """Replace a question's buttons by the answer chosen, so old buttons cannot be pressed again."""
    message = query.message
    text = getattr(message, "text_html", None)
    if not text:
        return
    await edit_pressed(query, f"{text}\n\n{t('chosen', answer=label)}")
