"""Surveys in the chat: button answers (q:...), typed answers, and "Status Kerja" from the main menu."""

from __future__ import annotations

from telegram import Update

from bot.context import VokasiContext
from bot.delivery.render import survey_answer, survey_keyboard, survey_message
from bot.handlers.common import edit_pressed, main_menu_for, send, translator_for, user_id_of
from bot.i18n import Translator
from bot.services.pending import Pending
from bot.services.survey_prompts import Accepted, Finished, Prompt, Rejected, SurveyRefusal, Toggled


async def show(update: Update, context: VokasiContext, t: Translator, prompt: Prompt, *, before: str = "") -> None:
    rendered = survey_message(t, prompt)
    text = f"{before}\n\n{rendered.text}" if before else rendered.text
    await send(update, context, text, rendered.markup)


async def employment_status(update: Update, context: VokasiContext) -> None:
    """ "Status Kerja": report the current work situation (a check-in of its own)."""
    t = await translator_for(update, context)
    result = await context.services.surveys.report_status(user_id_of(update))
    if isinstance(result, SurveyRefusal):
        await send(update, context, t(result.key, **result.params))
        return
    await show(update, context, t, result)


# While a survey runs, the dispatch table (bot/handlers/dispatch.py) sends the person's messages here. Each returns
# False when the survey was over by then (expired meanwhile): the answer for a person with none is given instead.


async def survey_text(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """Typed text while a survey is running: its answer, or why it does not fit and the question again."""
    message = update.effective_message
    result = await context.services.surveys.answer_text(user_id_of(update), (message.text or "") if message else "")
    if result is None:
        return False
    t = await translator_for(update, context)
    if isinstance(result, Rejected):
        await show(update, context, t, result.prompt, before=t(result.key, **result.params))
    else:
        await _continue(update, context, t, result)
    return True


async def survey_other(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """A photo, sticker or contact while a survey is running: the question again, asking for words or buttons."""
    prompt = await context.services.surveys.current(user_id_of(update))
    if prompt is None:
        return False
    t = await translator_for(update, context)
    reason = "survey-use-buttons" if prompt.question.type in ("single", "multiple", "rating") else "survey-text-only"
    await show(update, context, t, prompt, before=t(reason))
    return True


async def survey_edited(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """An edited message is not read as an answer: say so and ask the survey's question again."""
    prompt = await context.services.surveys.current(user_id_of(update))
    if prompt is None:
        return False
    t = await translator_for(update, context)
    await show(update, context, t, prompt, before=t("err-edited-message"))
    return True


async def survey_button(update: Update, context: VokasiContext) -> None:
    """q:<run>:r (continue, from a nudge) or q:<run>:<question>:<answer>; see bot/delivery/render.py."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    parts = (query.data or "").split(":")
    surveys = context.services.surveys
    user_id = user_id_of(update)
    if parts[2] == "r":
        prompt = await surveys.resume(user_id, int(parts[1]))
        if isinstance(prompt, SurveyRefusal):
            await query.answer(t(prompt.key, **prompt.params), show_alert=True)
            return
        await query.answer()
        await show(update, context, t, prompt)
        return
    result = await surveys.answer_button(user_id, int(parts[1]), int(parts[2]), parts[3])
    if isinstance(result, SurveyRefusal | Rejected):
        await query.answer(t(result.key, **result.params), show_alert=True)
        return
    await query.answer()
    if isinstance(result, Toggled):
        await edit_pressed(query, None, survey_keyboard(t, result.prompt))
        return
    # The question keeps its text and shows the answer instead of the buttons.
    original = getattr(query.message, "text_html", "") or ""
    await edit_pressed(
        query, f"{original}\n\n{survey_answer(t, result.answered.question, result.value)}", reply_markup=None
    )
    await _continue(update, context, t, result)


async def _continue(update: Update, context: VokasiContext, t: Translator, result: Accepted) -> None:
    if isinstance(result.following, Finished):
        outro = result.following.survey.outro.get(t.language)
        await send(update, context, t("survey-finished", outro=outro), await main_menu_for(update, context, t))
    else:
        await show(update, context, t, result.following)
