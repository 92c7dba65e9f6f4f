"""/siaran: staff compose an announcement, choose who gets it, and send it now or later.

The announcement and the time to send it are messages the dispatch table (bot/handlers/dispatch.py) sends here
while the draft waits for them; the audience panel's views are in broadcast_panel.py, and watching the broadcast
go out in broadcast_progress.py.

Callback data b:<broadcast>:<action>[:<value>] (operators, admins and LPK members, on their own draft; the role is
checked where the handlers are registered; an LPK member's announcement goes to one of their own courses, and a
press naming another institute's course is refused like a stale button and audited):
  c[:<course id>|:0]      course filter picker / choice (0: every course; not for LPK members)
  e[:enrolled|completed|all]   enrolment state
  p[:<province code>|:all]     province;  r[:<index>|:all] regency (of the chosen province)
  w[:<status>|:all]       latest employment status ("unknown": never answered a check-in)
  m                       toggle "has not answered the latest check-in"
  a                       back to the audience panel
  go | t | x              send now | schedule (then type a date and time) | cancel the draft
  s                       stop a broadcast going out ("Hentikan")
  h                       recent broadcasts with their figures
"""

from __future__ import annotations

from datetime import datetime, time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import VokasiContext
from bot.handlers import announcements
from bot.handlers.access import in_scope, refuse, staff_command
from bot.handlers.broadcast_panel import panel_view, picker
from bot.handlers.broadcast_progress import STAFF_ZONE, edit, final_text, history, start_progress
from bot.handlers.common import send, translator_for, user_id_of
from bot.services.broadcasts import EMPLOYMENT_FILTERS, Panel
from bot.services.dates import parse_date_time
from bot.services.enrollment import Refusal
from bot.services.pending import Pending
from bot.services.staff import BROADCAST
from bot.services.validation import ValidationError

PATTERN = (
    r"^b:\d{1,9}:(c(:\d{1,9})?|e(:(enrolled|completed|all))?|p(:(\d{2}|all))?|r(:(\d{1,3}|all))?"
    r"|w(:[a-z_]{1,20})?|m|a|go|t|x|s|h)$"
)


async def broadcast_command(update: Update, context: VokasiContext) -> None:
    """/siaran: a new draft, waiting for the announcement."""
    t = await translator_for(update, context)
    draft = await context.services.broadcasts.start(user_id_of(update))
    buttons = [
        [InlineKeyboardButton(t("btn-broadcast-history"), callback_data=f"b:{draft.id}:h")],
        [InlineKeyboardButton(t("btn-broadcast-cancel"), callback_data=f"b:{draft.id}:x")],
    ]
    await send(update, context, t("broadcast-ask-message"), InlineKeyboardMarkup(buttons))


async def announcement(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """The message a staff member sends while their draft waits for it: previewed, then the audience panel.
    False when the draft no longer waits for it."""
    if not await _still_permitted(update, context, pending, "broadcast:announcement"):
        return True
    message = update.effective_message
    assert message is not None
    t = await translator_for(update, context)
    content = "photo" if message.photo else "document" if message.document else "text" if message.text else None
    if content is None:
        await send(update, context, t("broadcast-unsupported"))
        return True
    if not await context.services.broadcasts.waiting_for_message(user_id_of(update)):
        return False
    # The preview is the announcement as recipients get it (sender and help-desk lines added); they get copies of it.
    await send(update, context, t("broadcast-preview"))
    preview = await announcements.send_preview(context, message)
    if preview is None:
        await send(update, context, t("broadcast-too-long"))
        return True
    panel = await context.services.broadcasts.attach(user_id_of(update), preview.chat_id, preview.message_id, content)
    if panel is None:
        return False
    text, markup = await panel_view(t, context, panel)
    await send(update, context, text, markup)
    return True


async def send_time(update: Update, context: VokasiContext, pending: Pending) -> bool:
    """The date and time typed while a draft waits to be scheduled (anything but text asks again)."""
    assert pending.id is not None
    if not await _still_permitted(update, context, pending, "broadcast:time"):
        return True
    message = update.effective_message
    t = await translator_for(update, context)
    try:
        day, clock = parse_date_time((message.text or "") if message is not None else "")
    except ValidationError as error:
        await send(
            update,
            context,
            t(error.key, **error.params) + "\n\n" + t("broadcast-ask-time", example=_example_time(context)),
        )
        return True
    user_id = user_id_of(update)
    if not await _audience_allowed(update, context, pending.id, "broadcast:time"):
        return True
    result = await context.services.broadcasts.send(user_id, pending.id, datetime.combine(day, clock, STAFF_ZONE))
    if isinstance(result, Refusal):
        await send(update, context, t(result.key, **result.params))
        return True
    await context.services.staff.audit(
        user_id, "broadcast:schedule", {"broadcast": pending.id, "recipients": result.count}
    )
    progress = await send(update, context, t("broadcast-scheduling"))
    await start_progress(context, t, progress, result)
    return True


async def broadcast_button(update: Update, context: VokasiContext) -> None:
    """b:<broadcast>:<action>[:<value>]: the panel's filters, send, schedule, cancel, stop, history."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    user_id = user_id_of(update)
    broadcasts = context.services.broadcasts
    _, raw_id, action, *rest = (query.data or "").split(":")
    broadcast_id = int(raw_id)
    value = rest[0] if rest else None

    if action == "h":
        await query.answer()
        await send(update, context, await history(t, context, user_id))
        return
    if action in ("go", "t") and not await _audience_allowed(update, context, broadcast_id, "button:broadcast"):
        return
    if action == "c" and value is not None and not await _course_allowed(update, context, broadcast_id, int(value)):
        return
    if action == "s":
        if not await _stop_allowed(update, context, broadcast_id):
            return
        stopped = await broadcasts.stop(user_id, broadcast_id)
        if isinstance(stopped, Refusal):
            await query.answer(t(stopped.key, **stopped.params), show_alert=True)
            return
        broadcast, withdrawn = stopped
        await context.services.staff.audit(
            user_id, "broadcast:stop", {"broadcast": broadcast_id, "withdrawn": withdrawn}
        )
        await query.answer()
        figures = await broadcasts.figures(broadcast_id)
        await edit(query.message, final_text(t, broadcast, figures), None)
        return
    if action == "x":
        cancelled = await broadcasts.cancel(user_id, broadcast_id)
        if isinstance(cancelled, Refusal):
            await query.answer(t(cancelled.key, **cancelled.params), show_alert=True)
            return
        await query.answer()
        await edit(query.message, t("broadcast-cancelled"), None)
        return
    if action == "go":
        result = await broadcasts.send(user_id, broadcast_id)
        if isinstance(result, Refusal):
            await query.answer(t(result.key, **result.params), show_alert=True)
            return
        await context.services.staff.audit(
            user_id, "broadcast:send", {"broadcast": broadcast_id, "recipients": result.count}
        )
        await query.answer()
        await start_progress(context, t, query.message, result)
        return
    if action == "t":
        asked = await broadcasts.ask_time(user_id, broadcast_id)
        if isinstance(asked, Refusal):
            await query.answer(t(asked.key, **asked.params), show_alert=True)
            return
        await query.answer()
        await send(update, context, t("broadcast-ask-time", example=_example_time(context)))
        return

    changed = await _apply_filter(context, user_id, broadcast_id, action, value)
    if isinstance(changed, Refusal):
        await query.answer(t(changed.key, **changed.params), show_alert=True)
        return
    await query.answer()
    if isinstance(changed, InlineKeyboardMarkup):  # a picker
        await edit(query.message, None, changed)
        return
    text, markup = await panel_view(t, context, changed)
    await edit(query.message, text, markup)


# ---------------------------------------------------------------------- inside


async def _course_allowed(update: Update, context: VokasiContext, broadcast_id: int, course_id: int) -> bool:
    """An LPK member may pick only a course of their institutes, and not "every course" (0); refused and audited
    like any staff action they may not take."""
    user_id = user_id_of(update)
    scope = await context.services.staff.scope(user_id)
    if scope.institutes is None:
        return True
    course = await context.services.lookup.course(course_id=course_id) if course_id else None
    detail = {"broadcast": broadcast_id, "course": course.code if course else course_id}
    return await in_scope(update, context, course.institute_name if course else "", "button:broadcast", detail)


async def _audience_allowed(update: Update, context: VokasiContext, broadcast_id: int, attempt: str) -> bool:
    """Before sending or scheduling: an LPK member's draft must be for one of their own courses (not chosen yet:
    they are told to choose it; another institute's: refused and audited)."""
    user_id = user_id_of(update)
    if (await context.services.staff.scope(user_id)).institutes is None:
        return True
    broadcast = await context.services.broadcasts.get(broadcast_id)
    if broadcast is None or broadcast.created_by != user_id:
        return True  # not their draft: the service refuses it as for anyone
    course_id = broadcast.audience.course_id
    if course_id is None:
        t = await translator_for(update, context)
        if update.callback_query is not None:
            await update.callback_query.answer(t("broadcast-lpk-pick-course"), show_alert=True)
        else:
            await send(update, context, t("broadcast-lpk-pick-course"))
        return False
    course = await context.services.lookup.course(course_id=course_id)
    detail = {"broadcast": broadcast_id, "course": course.code if course else course_id}
    return await in_scope(update, context, course.institute_name if course else "", attempt, detail)


async def _stop_allowed(update: Update, context: VokasiContext, broadcast_id: int) -> bool:
    """An LPK member stops only their own broadcasts."""
    user_id = user_id_of(update)
    if (await context.services.staff.scope(user_id)).institutes is None:
        return True
    broadcast = await context.services.broadcasts.get(broadcast_id)
    if broadcast is None or broadcast.created_by == user_id:
        return True
    await context.services.staff.audit(
        user_id, "refused:button:broadcast", {"broadcast": broadcast_id, "needs": "own"}, allowed=False
    )
    await refuse(update, context)
    return False


async def _still_permitted(update: Update, context: VokasiContext, pending: Pending, attempt: str) -> bool:
    """Whether the author of a waiting draft may still broadcast. A draft keeps waiting for a staff member whose role
    changed (an operator demoted to viewer): the message is then refused like any staff action they may not take
    (audited, answered like an unknown command, as the buttons are refused like stale ones) and the draft discarded,
    since it can no longer go out and, left waiting, would take every message they send."""
    if await staff_command(update, context, BROADCAST, attempt) is not None:
        return True
    assert pending.id is not None
    await context.services.broadcasts.cancel(user_id_of(update), pending.id)
    return False


async def _apply_filter(
    context: VokasiContext, user_id: int, broadcast_id: int, action: str, value: str | None
) -> Panel | InlineKeyboardMarkup | Refusal:
    """A filter button: without a value it opens the picker, with one it sets the filter."""
    broadcasts = context.services.broadcasts
    t = context.services.translations.get(await context.services.accounts.language(user_id))
    base = f"b:{broadcast_id}"
    panel = await broadcasts.panel(user_id, broadcast_id)
    if isinstance(panel, Refusal):
        return panel
    if action == "a":
        return panel
    if action == "m":
        return await broadcasts.set_filter(
            user_id, broadcast_id, missed_checkin=not panel.broadcast.audience.missed_checkin
        )
    if value is None:
        scope = await context.services.staff.scope(user_id)
        return await picker(t, context, base, action, panel.broadcast.audience, scope)
    every = value in ("all", "0")
    match action:
        case "c":
            return await broadcasts.set_filter(user_id, broadcast_id, course_id=None if every else int(value))
        case "e":
            return await broadcasts.set_filter(user_id, broadcast_id, enrollment=None if every else value)
        case "p":
            return await broadcasts.set_filter(user_id, broadcast_id, province_code=None if every else value)
        case "r":
            province = panel.broadcast.audience.province_code
            regencies = await broadcasts.regencies(province) if province else []
            if not every and int(value) >= len(regencies):
                return Refusal("button-stale")
            return await broadcasts.set_filter(user_id, broadcast_id, regency=None if every else regencies[int(value)])
        case _:  # "w"
            if not every and value not in EMPLOYMENT_FILTERS:
                return Refusal("button-stale")
            return await broadcasts.set_filter(user_id, broadcast_id, employment_status=None if every else value)


def _example_time(context: VokasiContext) -> str:
    tomorrow = context.services.clock.now().astimezone(STAFF_ZONE).date().toordinal() + 1
    return datetime.combine(datetime.fromordinal(tomorrow).date(), time(8, 0)).strftime("%d-%m-%Y %H.%M")
