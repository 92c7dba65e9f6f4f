"""/absen: staff (an LPK member or an operator) take attendance at a session: the venue's QR code, or the roll call.

Callback data (permission ATTENDANCE; anyone else's press is answered like any stale button and audited; a session
outside the member's scope, or an enrolment not in the session's course, is refused the same way and audited):
  pr:l:<page>                               the sessions (today's and upcoming), paged
  pr:s:<session>                            one session: show the QR, or the roll call
  pr:q:<session>                            send the QR (a photo, its code replaced every few minutes)
  pr:m:<session>:<page>                     the roll call, one message edited in place, paged
  pr:x:<session>:<enrollment>:p|a|e:<page>  mark one participant present, absent or excused

Telegram's limits: the QR is one photo, then one edit (editMessageMedia) every ROTATE_EVERY per chat showing it,
for at most SHOW_LIMIT; every other answer is a single reply or an edit of the pressed message.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, InputMediaPhoto, Update
from telegram.error import BadRequest
from telegram.ext import JobQueue

from bot.context import VokasiContext
from bot.handlers.common import edit_pressed, send, translator_for, user_id_of
from bot.i18n import Translator
from bot.services.enrollment import Refusal
from bot.services.presence import DEEP_LINK_PREFIX, ROTATE_EVERY, IssuedCode, RollCall, SessionChoice
from bot.services.presence_qr import qr_png
from bot.storage.presence import ABSENT, EXCUSED, PRESENT

log = logging.getLogger(__name__)

PATTERN: Final = r"^pr:(l:\d{1,3}|s:\d{1,9}|q:\d{1,9}|m:\d{1,9}:\d{1,3}|x:\d{1,9}:\d{1,9}:[pae]:\d{1,3})$"
SESSIONS_PER_PAGE: Final = 8
ROLL_PER_PAGE: Final = 8
# A QR is rotated for at most this long after it was opened (a phone left on the venue's table overnight does not
# keep a job editing it); staff open /absen again for a longer session.
SHOW_LIMIT: Final = timedelta(hours=4)
STATUS_OF: Final = {"p": PRESENT, "a": ABSENT, "e": EXCUSED}
ROLL_BUTTONS: Final = (("p", "btn-roll-p"), ("a", "btn-roll-a"), ("e", "btn-roll-e"))
MARK: Final = {PRESENT: "✅", ABSENT: "❌", EXCUSED: "📝", None: "▫️"}
JOB_PREFIX: Final = "attendance_qr"


async def absen_command(update: Update, context: VokasiContext) -> None:
    """/absen: the sessions to take attendance at (registered as staff_only(ATTENDANCE))."""
    t = await translator_for(update, context)
    text, markup = await _session_list(t, context, user_id_of(update), 0)
    await send(update, context, text, markup)


async def presence_button(update: Update, context: VokasiContext) -> None:
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    actor = user_id_of(update)
    parts = (query.data or "").split(":")
    action = parts[1]
    presence = context.services.presence
    if action == "l":
        text, markup = await _session_list(t, context, actor, int(parts[2]))
        await query.answer()
        await edit_pressed(query, text, reply_markup=markup)
        return
    session_id = int(parts[2])
    if action == "s":
        choice = await presence.choice(actor, session_id, "session")
        if isinstance(choice, Refusal):
            await query.answer(t(choice.key, **choice.params), show_alert=True)
            return
        await query.answer()
        await edit_pressed(query, _session_text(t, choice), reply_markup=_session_menu(t, session_id))
    elif action == "q":
        issued = await presence.issue_code(actor, session_id)
        if isinstance(issued, Refusal):
            await query.answer(t(issued.key, **issued.params), show_alert=True)
            return
        await query.answer()
        await _send_qr(update, context, t, issued)
    else:
        if action == "x":
            roll = await presence.mark(actor, session_id, int(parts[3]), STATUS_OF[parts[4]])
            page = int(parts[5])
        else:
            roll = await presence.roll_call(actor, session_id)
            page = int(parts[3])
        if isinstance(roll, Refusal):
            await query.answer(t(roll.key, **roll.params), show_alert=True)
            return
        await query.answer()
        text, markup = roll_call_view(t, roll, page)
        await edit_pressed(query, text, reply_markup=markup)


# --------------------------------------------------------------------- the QR and its rotation


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={DEEP_LINK_PREFIX}{code}"


def _qr_caption(t: Translator, issued: IssuedCode, link: str) -> str:
    choice = issued.choice
    zone = choice.course.timezone
    return t(
        "presence-qr-caption",
        position=choice.session.position,
        title=choice.course.title,
        when=t.span(choice.session.starts_at, choice.session.ends_at, zone),
        opens=t.moment(choice.opens_at, zone),
        minutes=int(ROTATE_EVERY.total_seconds() // 60),
        link=link,
    )


async def _send_qr(update: Update, context: VokasiContext, t: Translator, issued: IssuedCode) -> None:
    chat = update.effective_chat
    assert chat is not None
    link = deep_link(context.bot.username, issued.code)
    message = await context.bot.send_photo(
        chat.id,
        InputFile(qr_png(link), filename="presensi.png"),
        caption=_qr_caption(t, issued, link),
        reply_markup=_qr_buttons(t, issued.choice.session.id),
    )
    queue: JobQueue[Any] | None = context.job_queue  # the application's JobQueue (VokasiContext's own type)
    assert queue is not None
    data = {
        "chat_id": chat.id,
        "message_id": message.message_id,
        "session_id": issued.choice.session.id,
        "actor": user_id_of(update),
        "code": issued.code,
        "started": context.services.clock.now(),
        "language": t.language,
    }
    queue.run_repeating(
        rotate_qr,
        interval=ROTATE_EVERY,
        first=ROTATE_EVERY,
        data=data,
        name=f"{JOB_PREFIX}:{chat.id}:{message.message_id}",
    )


async def rotate_qr(context: VokasiContext) -> None:
    """Replace the shown QR by a new code (editMessageMedia); at the session's end or after SHOW_LIMIT, close it."""
    job = context.job
    assert job is not None
    data: dict[str, Any] = job.data  # type: ignore[assignment]
    services = context.services
    t = services.translations.get(data["language"])
    now: datetime = services.clock.now()
    issued = None
    if now - data["started"] < SHOW_LIMIT:
        issued = await services.presence.issue_code(data["actor"], data["session_id"], replacing=data["code"])
    try:
        if isinstance(issued, IssuedCode):
            link = deep_link(context.bot.username, issued.code)
            await context.bot.edit_message_media(
                InputMediaPhoto(qr_png(link), caption=_qr_caption(t, issued, link), filename="presensi.png"),
                chat_id=data["chat_id"],
                message_id=data["message_id"],
                reply_markup=_qr_buttons(t, data["session_id"]),
            )
            data["code"] = issued.code
            return
        await services.presence.retire_code(data["code"])
        job.schedule_removal()
        await context.bot.edit_message_caption(
            chat_id=data["chat_id"], message_id=data["message_id"], caption=t("presence-qr-closed"), reply_markup=None
        )
    except BadRequest as error:  # the staff member deleted the message: nothing left to show it on
        log.info("attendance QR no longer editable: %s", error.message)
        await services.presence.retire_code(data["code"])
        job.schedule_removal()


def _qr_buttons(t: Translator, session_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("btn-roll-call"), callback_data=f"pr:m:{session_id}:0")]])


# --------------------------------------------------------------------- views


async def _session_list(
    t: Translator, context: VokasiContext, actor: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    choices = await context.services.presence.sessions(actor)
    if not choices:
        return t("presence-no-sessions"), None
    pages = (len(choices) - 1) // SESSIONS_PER_PAGE + 1
    page = min(page, pages - 1)
    shown = choices[page * SESSIONS_PER_PAGE : (page + 1) * SESSIONS_PER_PAGE]
    rows = [[InlineKeyboardButton(_session_label(t, c), callback_data=f"pr:s:{c.session.id}")] for c in shown]
    rows += _pager(t, "pr:l:{}", page, pages)
    return t("presence-pick", count=len(choices), page=page + 1, pages=pages), InlineKeyboardMarkup(rows)


def _session_label(t: Translator, choice: SessionChoice) -> str:
    when = t.moment(choice.session.starts_at, choice.course.timezone)
    return t.plain("btn-presence-session", position=choice.session.position, title=choice.course.title, when=when)


def _session_text(t: Translator, choice: SessionChoice) -> str:
    return t(
        "presence-session",
        position=choice.session.position,
        title=choice.course.title,
        institute=choice.course.institute_name,
        when=t.span(choice.session.starts_at, choice.session.ends_at, choice.course.timezone),
        opens=t.moment(choice.opens_at, choice.course.timezone),
    )


def _session_menu(t: Translator, session_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("btn-presence-qr"), callback_data=f"pr:q:{session_id}")],
            [InlineKeyboardButton(t("btn-roll-call"), callback_data=f"pr:m:{session_id}:0")],
            [InlineKeyboardButton(t("btn-back"), callback_data="pr:l:0")],
        ]
    )


def roll_call_view(t: Translator, roll: RollCall, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """The roll call: every participant of the page with their NIK masked and their mark, three buttons each."""
    session, course = roll.choice.session, roll.choice.course
    pages = max(1, (len(roll.entries) - 1) // ROLL_PER_PAGE + 1)
    page = min(page, pages - 1)
    first = page * ROLL_PER_PAGE
    shown = roll.entries[first : first + ROLL_PER_PAGE]
    erased = t("complete-erased-name")
    lines = [
        t(
            "presence-roll-line",
            n=first + i + 1,
            mark=MARK[e.status],
            name=e.name or erased,
            nik=e.nik_masked or "-",
        )
        for i, e in enumerate(shown)
    ]
    text = t(
        "presence-roll",
        position=session.position,
        title=course.title,
        when=t.span(session.starts_at, session.ends_at, course.timezone),
        present=roll.count(PRESENT),
        absent=roll.count(ABSENT),
        excused=roll.count(EXCUSED),
        unmarked=roll.count(None),
        page=page + 1,
        pages=pages,
    )
    text += "\n\n" + ("\n".join(lines) or t("presence-roll-empty"))
    base = f"pr:x:{session.id}"
    rows = [
        [
            InlineKeyboardButton(t.plain(key, n=first + i + 1), callback_data=f"{base}:{e.enrollment_id}:{code}:{page}")
            for code, key in ROLL_BUTTONS
        ]
        for i, e in enumerate(shown)
    ]
    rows += _pager(t, f"pr:m:{session.id}:{{}}", page, pages)
    rows.append([InlineKeyboardButton(t("btn-back"), callback_data=f"pr:s:{session.id}")])
    return text, InlineKeyboardMarkup(rows)


def _pager(t: Translator, data: str, page: int, pages: int) -> list[list[InlineKeyboardButton]]:
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(t("btn-previous"), callback_data=data.format(page - 1)))
    if page + 1 < pages:
        nav.append(InlineKeyboardButton(t("btn-next"), callback_data=data.format(page + 1)))
    return [nav] if nav else []
