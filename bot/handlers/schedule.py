"""/jadwal ("Jadwal Saya"): my enrolments, the next session first, attendance so far, cancelling, an .ics file.

Callback data:
  s:a / s:s             every session and attendance line ("Lihat semua") / back to the short view, in place
  s:c:<enrollment id>   ask to confirm cancelling
  s:x:<enrollment id>   cancel (only the person's own enrolment, before the course starts)
  s:k                   keep it
  s:i                   send the .ics file
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.context import VokasiContext
from bot.handlers.common import edit_pressed, main_menu_for, send, translator_for, user_id_of
from bot.handlers.session_texts import MAX_SESSIONS_SHOWN, next_session_line, session_lines
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


# The default view fits a phone screen: the next session and the few after it; "Lihat semua" shows the rest.
NEXT_FEW = 3


def _state(presence: dict[tuple[int, int], Presence], enrollment_id: int, session_id: int) -> str | None:
    found = presence.get((enrollment_id, session_id))
    # A scan still waiting for the location is not attendance yet.
    return None if found is None or found.location == LOCATION_PENDING else found.status


def _entry_lines(
    t: Translator, entry: ScheduleEntry, now: datetime, presence: dict[tuple[int, int], Presence], everything: bool
) -> tuple[list[str], bool]:
    """One course's lines, and whether "Lihat semua" would show more of it."""
    course = entry.course
    upcoming = [s for s in entry.sessions if s.ends_at > now]
    lines = [next_session_line(t, course, upcoming[0], now)] if upcoming else [t("schedule-no-upcoming")]
    rest = upcoming[1:]
    if rest:
        lines.append(session_lines(t, course, rest, limit=MAX_SESSIONS_SHOWN if everything else NEXT_FEW))
    more = len(rest) > NEXT_FEW
    past = [s for s in entry.sessions if s.starts_at <= now]
    states = [_state(presence, entry.enrollment.id, s.id) for s in past] if entry.enrollment.status == ENROLLED else []
    if any(state is not None for state in states):  # attendance, once the LPK recorded any
        more = True
        if everything:
            zone = ZoneInfo(course.timezone)
            lines.append(t("schedule-presence-heading"))
            lines += [
                t(ATTENDANCE_KEYS[state], position=s.position, day=t.date(s.starts_at.astimezone(zone).date()))
                for s, state in zip(past, states, strict=True)
            ]
        else:
            lines.append(
                t(
                    "schedule-presence-summary",
                    present=states.count(PRESENT),
                    absent=states.count(ABSENT),
                    excused=states.count(EXCUSED),
                    past=len(past),
                )
            )
    return lines, more


def schedule_text(
    t: Translator,
    entries: list[ScheduleEntry],
    now: datetime,
    presence: dict[tuple[int, int], Presence],
    *,
    everything: bool = False,
) -> tuple[str, bool]:
    """ "Jadwal Saya": per course its title (a waitlist place says so), the next session first with today/tomorrow
    in words, the next few, attendance once recorded; `everything` lists all. Also whether there is more to show."""
    blocks, more = [], False
    for entry in entries:
        lines, entry_more = _entry_lines(t, entry, now, presence, everything)
        more = more or entry_more
        status = t("status-enrolled") if entry.enrollment.status == ENROLLED else t("status-waitlisted")
        blocks.append(
            t(
                "schedule-entry",
                title=entry.course.title,
                status=status,
                venue=entry.course.venue_address,
                sessions=Raw("\n".join(lines)),
            )
        )
    return t("schedule", entries=Raw("\n\n".join(blocks))), more


def schedule_keyboard(
    t: Translator, entries: list[ScheduleEntry], *, more: bool = False, everything: bool = False
) -> InlineKeyboardMarkup:
    rows = []
    if everything:
        rows.append([InlineKeyboardButton(t("btn-summary"), callback_data="s:s")])
    elif more:
        rows.append([InlineKeyboardButton(t("btn-show-all"), callback_data="s:a")])
    rows += [
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


async def _schedule_view(
    update: Update, context: VokasiContext, t: Translator, *, everything: bool = False
) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    entries = await services.enrollment.schedule(user_id_of(update))
    if isinstance(entries, Refusal):
        return t(entries.key, **entries.params), None
    if not entries:
        return t("schedule-empty"), None
    presence = await services.presence.of_enrollments([e.enrollment.id for e in entries])
    text, more = schedule_text(t, entries, services.clock.now(), presence, everything=everything)
    return text, schedule_keyboard(t, entries, more=more, everything=everything)


async def schedule_command(update: Update, context: VokasiContext) -> None:
    """/jadwal and the "Jadwal Saya" menu button."""
    t = await translator_for(update, context)
    text, markup = await _schedule_view(update, context, t)
    if markup is None and text == t("schedule-empty"):
        await send(update, context, text, await main_menu_for(update, context, t))
    else:
        await send(update, context, text, markup)


async def schedule_button(update: Update, context: VokasiContext) -> None:
    """s:... buttons under "Jadwal Saya"."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    services = context.services
    parts = (query.data or "").split(":")
    action = parts[1]
    if action in ("a", "s"):  # "Lihat semua" / "Ringkas": the same message, edited in place
        await query.answer()
        text, markup = await _schedule_view(update, context, t, everything=action == "a")
        await edit_pressed(query, text, markup)
    elif action == "i":
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
