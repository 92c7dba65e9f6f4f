"""The buttons under a session reminder: r:y|n:<enrollment>:<session>."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import VokasiContext
from bot.handlers.common import edit_pressed, translator_for, user_id_of
from bot.services.enrollment import AttendanceNoted, Refusal


async def attendance_button(update: Update, context: VokasiContext) -> None:
    """Store the answer and replace the answer buttons by it; someone else's or an old reminder changes nothing."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    _, answer, enrollment_id, session_id = (query.data or "").split(":")
    result = await context.services.enrollment.answer_attendance(
        user_id_of(update), int(enrollment_id), int(session_id), attending=answer == "y"
    )
    if isinstance(result, Refusal):
        await query.answer(t(result.key, **result.params), show_alert=True)
        return
    assert isinstance(result, AttendanceNoted)
    await query.answer()
    original = getattr(query.message, "text_html", "") or ""
    noted = t("attendance-yes") if result.attending else t("attendance-no")
    await edit_pressed(query, f"{original}\n\n{noted}", reply_markup=_kept_rows(query.message))


def _kept_rows(message: object) -> InlineKeyboardMarkup | None:
    """The reminder's other buttons ("📍 Lokasi") stay under the answer; the answer buttons go."""
    markup = getattr(message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return None
    rows = [
        row
        for row in markup.inline_keyboard
        if not any(str(button.callback_data or "").startswith("r:") for button in row)
    ]
    return InlineKeyboardMarkup(rows) if rows else None
