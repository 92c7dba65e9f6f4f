"""/jadwal ("Jadwal Saya"): my enrolments and upcoming sessions, cancelling, and an .ics calendar file.

Callback data:
  s:c:<enrollment id>   ask to confirm cancelling
  s:x:<enrollment id>   cancel (only the person's own enrolment, before the course starts)
  s:k                   keep it
  s:i                   send the .ics file
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.context import VokasiContext
from bot.handlers import keyboards
from bot.handlers.common import edit_pressed, send, translator_for, user_id_of
from bot.handlers.session_texts import session_lines
from bot.i18n import Raw, Translator
from bot.services.calendar import build_ics
from bot.services.enrollment import Cancelled, Refusal, ScheduleEntry
from bot.storage.enrollments import ENROLLED
from bot.storage.presence import ABSENT, EXCUSED, LOCATION_PENDING, PRESENT, Presence

# How a past session's real attendance reads in /jadwal (bot/storage/presence.py statuses; None: not recorded).
ATTENDANCE_KEYS = {
    PRESENT: "schedule-presence-present",
    ABSENT: "schedule-presence-absent",
    EXCUSED: "schedule-presence-excused",
    None: "schedule-presence-none",
}


def schedule_text(
    t: Translator, entries: list[ScheduleEntry], context: VokasiContext, presence: dict[tuple[int, int], Presence]
) -> str:
    now = context.services.clock.now()
    blocks = []
    for entry in entries:
        upcoming = [s for s in entry.sessions if s.ends_at > now]
        status = t("status-enrolled") if entry.enrollment.status == ENROLLED else t("status-waitlisted")
        sessions = session_lines(t, entry.course, upcoming) if upcoming else t("schedule-no-upcoming")
        past = [s for s in entry.sessions if s.starts_at <= now]
        if past and entry.enrollment.status == ENROLLED:
            lines = []
            for session in past:
                found = presence.get((entry.enrollment.id, session.id))
                # A scan still waiting for the location is not attendance yet.
                state = None if found is None or found.location == LOCATION_PENDING else found.status
                lines.append(
                    t(
                        ATTENDANCE_KEYS[state],
                        position=session.position,
                        day=t.date(session.starts_at.astimezone(ZoneInfo(entry.course.timezone)).date()),
                    )
                )
            sessions = t("schedule-presence-heading") + "\n" + "\n".join(lines) + "\n\n" + sessions
        blocks.append(
            t(
                "schedule-entry",
                title=entry.course.title,
                status=status,
                venue=entry.course.venue_address,
                sessions=Raw(sessions),
            )
        )
    return t("schedule", entries=Raw("\n\n".join(blocks)))


def schedule_keyboard(t: Translator, entries: list[ScheduleEntry]) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                t.plain("btn-cancel-enrollment", title=e.course.title), callback_data=f"s:c:{e.enrollment.id}"
            )
        ]
        for e in entries
    ]
    if any(e.enrollment.status == ENROLLED for e in entries):
        rows.append([InlineKeyboardButton(t("btn-ics"), callback_data="s:i")])
    return InlineKeyboardMarkup(rows)


async def schedule_command(update: Update, context: VokasiContext) -> None:
    """/jadwal and the "Jadwal Saya" menu button."""
    t = await translator_for(update, context)
    entries = await context.services.enrollment.schedule(user_id_of(update))
    if isinstance(entries, Refusal):
        await send(update, context, t(entries.key, **entries.params))
    elif not entries:
        await send(update, context, t("schedule-empty"), keyboards.main_menu(t))
    else:
        presence = await context.services.presence.of_enrollments([e.enrollment.id for e in entries])
        await send(update, context, schedule_text(t, entries, context, presence), schedule_keyboard(t, entries))


async def schedule_button(update: Update, context: VokasiContext) -> None:
    """s:... buttons under "Jadwal Saya"."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    services = context.services
    parts = (query.data or "").split(":")
    action = parts[1]
    if action == "i":
        await query.answer()
        await _send_calendar(update, context, t)
    elif action == "k":
        await query.answer()
        await edit_pressed(query, t("cancel-kept"))
    elif action == "c":
        entry = await services.enrollment.cancellable(user_id_of(update), int(parts[2]))
        if isinstance(entry, Refusal):
            await query.answer(t(entry.key, **entry.params), show_alert=True)
            return
        await query.answer()
        confirm = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(t("btn-cancel-yes"), callback_data=f"s:x:{entry.enrollment.id}")],
                [InlineKeyboardButton(t("btn-cancel-no"), callback_data="s:k")],
            ]
        )
        await send(update, context, t("cancel-confirm", title=entry.course.title), confirm)
    else:
        result = await services.enrollment.cancel(user_id_of(update), int(parts[2]))
        if isinstance(result, Refusal):
            await query.answer(t(result.key, **result.params), show_alert=True)
            return
        assert isinstance(result, Cancelled)
        await query.answer()
        await edit_pressed(query, t("cancelled", title=result.course.title))


async def _send_calendar(update: Update, context: VokasiContext, t: Translator) -> None:
    services = context.services
    entries = await services.enrollment.schedule(user_id_of(update))
    if isinstance(entries, Refusal) or not any(e.enrollment.status == ENROLLED for e in entries):
        await send(update, context, t("schedule-empty"))
        return
    ics = build_ics(entries, calendar_name=t("ics-name"), now=services.clock.now())
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(chat.id, InputFile(ics, filename=t.plain("ics-filename")), caption=t("ics-caption"))
