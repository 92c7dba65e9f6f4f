"""Staff mark the end of a course: /selesai lists the courses under way, then everyone or one by one.

Callback data (operators, admins and LPK members, these for their own institutes' courses only; anyone else's
press is answered like any stale button, changes nothing, and is audit-logged; the role is checked where the
handlers are registered, the course here):
  k:l                          the list of courses under way
  k:c:<course>                 a course's participants and their state
  k:a:<course>                 ask to mark the whole course finished; k:A:<course>[:<token>] does it. While
                               sessions are still ahead the question warns of them and its button carries their
                               token (SessionsAhead.token): a press without it, or with a token the sessions no
                               longer match, shows the warning again and changes nothing
  k:p:<course>:<enrollment>    one participant: completed or dropped out?
  k:m:<course>:<enrollment>:c|d   mark them (for someone below MIN_ATTENDANCE: the staff's confirmation of the
                                  exception, "complete anyway" or "not completed")
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import VokasiContext
from bot.handlers.access import in_scope
from bot.handlers.common import edit_pressed, send, translator_for, user_id_of
from bot.i18n import Translator
from bot.services.completion import CourseCompleted, Roster, RosterEntry, SessionsAhead
from bot.services.enrollment import Refusal
from bot.storage.catalogue import Course
from bot.storage.enrollments import COMPLETED, DROPPED, ENROLLED

log = logging.getLogger(__name__)

# Telegram shows at most 100 buttons under a message; the rest of a very large course is marked all at once.
MAX_PARTICIPANT_BUTTONS = 80
STATUS_MARK = {ENROLLED: "⏳", COMPLETED: "✅", DROPPED: "❌"}
PATTERN = r"^k:(l|[ca]:\d{1,9}|A:\d{1,9}(:\d{1,12})?|p:\d{1,9}:\d{1,9}|m:\d{1,9}:\d{1,9}:[cd])$"


async def complete_command(update: Update, context: VokasiContext) -> None:
    """/selesai: the courses under way that the staff member may close."""
    t = await translator_for(update, context)
    text, markup = await _course_list(t, context, user_id_of(update))
    await send(update, context, text, markup)


async def complete_button(update: Update, context: VokasiContext) -> None:
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    actor = user_id_of(update)
    parts = (query.data or "").split(":")
    completion = context.services.completion
    action = parts[1]
    notice = ""
    if action == "l":
        text, markup = await _course_list(t, context, actor)
        await query.answer()
        await edit_pressed(query, text, reply_markup=markup)
        return
    course_id = int(parts[2])
    course = await context.services.lookup.course(course_id=course_id)
    if course is not None and not await in_scope(
        update, context, course.institute_name, "button:completion", {"course": course.code}
    ):
        return
    if action == "A":
        token = int(parts[3]) if len(parts) > 3 else None
        done = await completion.complete_course(course_id, check_ahead=True, confirmed=token)
        if isinstance(done, Refusal):
            await query.answer(t(done.key, **done.params), show_alert=True)
            return
        if isinstance(done, SessionsAhead):
            roster = await completion.roster(course_id)
            if isinstance(roster, Refusal):
                await query.answer(t(roster.key, **roster.params), show_alert=True)
                return
            await query.answer()
            text, markup = _confirm_all(t, roster, done)
            await edit_pressed(query, text, reply_markup=markup)
            return
        log.info("course %s marked finished by staff: %d completed", done.course.code, done.completed)
        await context.services.staff.audit(
            actor, "completion:course", {"course": done.course.code, "completed": done.completed}
        )
        await query.answer()
        await edit_pressed(query, completed_text(t, done, completion.min_attendance), reply_markup=_exceptions(t, done))
        return
    if action == "m":
        status = COMPLETED if parts[4] == "c" else DROPPED
        before = await completion.roster(course_id)
        if isinstance(before, Refusal) or all(e.enrollment.id != int(parts[3]) for e in before.entries):
            await query.answer(t("button-stale"), show_alert=True)  # a seat of another course: forged
            return
        marked = await completion.mark(int(parts[3]), status)
        if isinstance(marked, Refusal):
            await query.answer(t(marked.key, **marked.params), show_alert=True)
            return
        log.info("enrolment %s marked %s by staff", parts[3], status)
        await context.services.staff.audit(actor, f"completion:{status}", {"enrollment": int(parts[3])})
        key = "complete-marked-completed" if status == COMPLETED else "complete-marked-dropped"
        notice = t(key, name=marked.name or t("complete-erased-name"))
    roster = await completion.roster(course_id)
    if isinstance(roster, Refusal):
        await query.answer(t(roster.key, **roster.params), show_alert=True)
        return
    await query.answer()
    if action == "a":
        text, markup = _confirm_all(t, roster, await completion.sessions_ahead(course_id))
        await edit_pressed(query, text, reply_markup=markup)
        return
    if action == "p":
        entry = next((e for e in roster.entries if e.enrollment.id == int(parts[3])), None)
        if entry is None or entry.enrollment.status != ENROLLED:
            text, markup = _roster_view(t, roster, t("complete-already-marked", name=entry.name if entry else "-"))
            await edit_pressed(query, text, reply_markup=markup)
            return
        name = entry.name or t("complete-erased-name")
        base = f"k:m:{course_id}:{entry.enrollment.id}"
        yes, no = (
            ("btn-complete-anyway", "btn-not-completed") if entry.short else ("btn-mark-completed", "btn-mark-dropped")
        )
        choice = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(t.plain(yes, name=name), callback_data=f"{base}:c")],
                [InlineKeyboardButton(t.plain(no, name=name), callback_data=f"{base}:d")],
                [InlineKeyboardButton(t("btn-back"), callback_data=f"k:c:{course_id}")],
            ]
        )
        text = t("complete-one", name=name, title=roster.course.title)
        if entry.short:
            text += "\n\n" + _short_line(t, entry, completion.min_attendance)
        await edit_pressed(query, text, reply_markup=choice)
        return
    text, markup = _roster_view(t, roster, notice)
    await edit_pressed(query, text, reply_markup=markup)


def _confirm_all(t: Translator, roster: Roster, ahead: SessionsAhead | None) -> tuple[str, InlineKeyboardMarkup]:
    """Mark everyone still active as completed? With the sessions still ahead, if any, named first."""
    course, pending = roster.course, roster.count(ENROLLED)
    text = t("complete-all-confirm", title=course.title, count=pending)
    yes = InlineKeyboardButton(t("btn-complete-all-yes", count=pending), callback_data=f"k:A:{course.id}")
    if ahead is not None:
        first, last = (t.span(s.starts_at, s.ends_at, course.timezone) for s in (ahead.sessions[0], ahead.sessions[-1]))
        if len(ahead.sessions) == 1:
            warning = t("complete-all-ahead-one", next=first)
        else:
            warning = t("complete-all-ahead", count=len(ahead.sessions), next=first, last=last)
        text = f"{warning}\n\n{text}"
        yes = InlineKeyboardButton(
            t("btn-complete-all-anyway", count=pending), callback_data=f"k:A:{course.id}:{ahead.token}"
        )
    back = InlineKeyboardButton(t("btn-back"), callback_data=f"k:c:{course.id}")
    return text, InlineKeyboardMarkup([[yes], [back]])


def completed_text(t: Translator, done: CourseCompleted, min_attendance: float = 0.0) -> str:
    text = t(
        "complete-done",
        title=done.course.title,
        completed=done.completed,
        earlier_completed=done.earlier_completed,
        dropped=done.earlier_dropped,
    )
    if done.short:
        lines = "\n".join(_short_line(t, entry, min_attendance) for entry in done.short)
        text += "\n\n" + t("complete-short", count=len(done.short)) + "\n" + lines
    return text


def _short_line(t: Translator, entry: RosterEntry, min_attendance: float) -> str:
    """ "⚠️ Budi: belum memenuhi kehadiran, hadir 1 dari 2 sesi (minimal 80%)"."""
    return t(
        "complete-short-line",
        name=entry.name or t.plain("complete-erased-name"),
        attended=entry.attended,
        counted=entry.counted,
        min=f"{min_attendance * 100:.0f}%",
    )


def _exceptions(t: Translator, done: CourseCompleted) -> InlineKeyboardMarkup:
    """Under the result: for each participant below the attendance rule, complete anyway or not completed."""
    rows = []
    for entry in done.short[: MAX_PARTICIPANT_BUTTONS // 2]:
        base = f"k:m:{done.course.id}:{entry.enrollment.id}"
        name = entry.name or t.plain("complete-erased-name")
        rows.append(
            [
                InlineKeyboardButton(t.plain("btn-complete-anyway", name=name), callback_data=f"{base}:c"),
                InlineKeyboardButton(t.plain("btn-not-completed", name=name), callback_data=f"{base}:d"),
            ]
        )
    rows.append([InlineKeyboardButton(t("btn-back"), callback_data=f"k:c:{done.course.id}" if done.short else "k:l")])
    return InlineKeyboardMarkup(rows)


async def _course_list(t: Translator, context: VokasiContext, actor: int) -> tuple[str, InlineKeyboardMarkup | None]:
    scope = await context.services.staff.scope(actor)
    courses = [c for c in await context.services.completion.running_courses() if scope.covers(c.institute_name)]
    if not courses:
        return t("complete-none"), None
    buttons = [[InlineKeyboardButton(_course_label(t, c), callback_data=f"k:c:{c.id}")] for c in courses[:50]]
    return t("complete-pick", count=len(courses)), InlineKeyboardMarkup(buttons)


def _course_label(t: Translator, course: Course) -> str:
    ends = t.date(course.last_end.astimezone(ZoneInfo(course.timezone)).date()) if course.last_end else "-"
    return t.plain("btn-complete-course", code=course.code, title=course.title, ends=ends, count=course.enrolled)


def _roster_view(t: Translator, roster: Roster, notice: str) -> tuple[str, InlineKeyboardMarkup]:
    course = roster.course
    erased = t("complete-erased-name")
    lines = [
        f"{STATUS_MARK.get(e.enrollment.status, '•')} {t('complete-roster-line', name=e.name or erased)}"
        + (
            t("complete-roster-short", attended=e.attended, counted=e.counted)
            if e.short and e.enrollment.status == ENROLLED
            else ""
        )
        for e in roster.entries
    ]
    text = t(
        "complete-roster",
        title=course.title,
        code=course.code,
        enrolled=roster.count(ENROLLED),
        completed=roster.count(COMPLETED),
        dropped=roster.count(DROPPED),
    )
    text += "\n\n" + ("\n".join(lines) or t("complete-roster-empty"))
    if notice:
        text = f"{notice}\n\n{text}"
    pending = [e for e in roster.entries if e.enrollment.status == ENROLLED]
    rows = [
        [
            InlineKeyboardButton(
                e.name or t.plain("complete-erased-name"), callback_data=f"k:p:{course.id}:{e.enrollment.id}"
            )
        ]
        for e in pending[:MAX_PARTICIPANT_BUTTONS]
    ]
    if pending:
        rows.append([InlineKeyboardButton(t("btn-complete-all", count=len(pending)), callback_data=f"k:a:{course.id}")])
    rows.append([InlineKeyboardButton(t("btn-back"), callback_data="k:l")])
    return text, InlineKeyboardMarkup(rows)
