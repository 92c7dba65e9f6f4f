"""/peserta <course code>: a course's participants for staff and the course's LPK (NIK masked, phone shown so the
institute can call no-shows), paged in one message edited in place; every page shown is audit-logged.

Callback data (the role is checked where it is registered; an LPK member's press on another institute's course is
refused like a stale button and audited):
  pp:<course>:<page>
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import VokasiContext
from bot.handlers.access import in_scope
from bot.handlers.common import ask_argument, edit_pressed, send, translator_for, user_id_of
from bot.i18n import Translator
from bot.services.lookup import Listed
from bot.storage.catalogue import Course

PATTERN = r"^pp:\d{1,9}:\d{1,4}$"
# One page stays well under Telegram's 4,096 characters (a line is about 90).
PAGE_SIZE = 25


async def roster_command(update: Update, context: VokasiContext) -> None:
    """/peserta KODE: the first page of the course's participant list (without a code, or with an unknown one, it
    asks for the code and takes the next message)."""
    t = await translator_for(update, context)
    args = context.args or []
    if not args:
        await ask_argument(update, context, "peserta", t("prompt-roster"))
        return
    if len(args) != 1:
        await send(update, context, t("roster-usage"))
        return
    course = await context.services.lookup.course(code=args[0][:30])
    if course is None:
        unknown = t("roster-unknown-course", code=args[0][:30])
        await ask_argument(update, context, "peserta", unknown + "\n\n" + t("prompt-roster"))
        return
    if not await in_scope(update, context, course.institute_name, "peserta", {"course": course.code}):
        return
    text, markup = await _page(t, context, user_id_of(update), course, 0)
    await send(update, context, text, markup)


async def roster_button(update: Update, context: VokasiContext) -> None:
    """pp:<course>:<page>: another page of the list."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    _, course_id, page = (query.data or "").split(":")
    course = await context.services.lookup.course(course_id=int(course_id))
    if course is None:
        await query.answer(t("button-stale"), show_alert=True)
        return
    if not await in_scope(update, context, course.institute_name, "button:peserta", {"course": course.code}):
        return
    await query.answer()
    text, markup = await _page(t, context, user_id_of(update), course, int(page))
    await edit_pressed(query, text, reply_markup=markup)


async def _page(
    t: Translator, context: VokasiContext, actor: int, course: Course, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    listed = await context.services.lookup.participants_of(course.id)
    pages = max(1, -(-len(listed) // PAGE_SIZE))
    page = min(page, pages - 1)
    shown = listed[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    # Who saw which course's phone numbers, and when (never the numbers themselves).
    await context.services.staff.audit(actor, "roster:view", {"course": course.code, "page": page + 1})
    lines = [_line(t, page * PAGE_SIZE + i + 1, entry) for i, entry in enumerate(shown)]
    text = t(
        "roster-head",
        code=course.code,
        title=course.title,
        institute=course.institute_name,
        count=len(listed),
        page=page + 1,
        pages=pages,
    )
    text += "\n\n" + ("\n".join(lines) or t("roster-empty"))
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton(t("btn-roster-previous"), callback_data=f"pp:{course.id}:{page - 1}"))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton(t("btn-roster-next"), callback_data=f"pp:{course.id}:{page + 1}"))
    return text, InlineKeyboardMarkup([buttons]) if buttons else None


def _line(t: Translator, number: int, entry: Listed) -> str:
    status = t(f"enrollment-status-{entry.enrollment.status}")
    if entry.name is None:
        return t("roster-line-erased", n=number, status=status)
    return t(
        "roster-line",
        n=number,
        name=entry.name,
        nik=entry.nik_masked or "-",
        phone=entry.phone or "-",
        status=status,
    )
