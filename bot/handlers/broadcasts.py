"""/siaran: staff compose an announcement, choose who gets it, and send it now or later.

The announcement and the time to send it are messages the dispatch table (bot/handlers/dispatch.py) sends here
while the draft waits for them; the audience panel's views are in broadcast_panel.py, and watching the broadcast
go out in broadcast_progress.py.

Callback data b:<broadcast>:<action>[:<value>] (operators and admins, on their own draft):
  c[:<course id>|:0]      course filter picker / choice (0: every course)
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
from bot.handlers.access import staff_button, staff_command
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
    if await staff_command(update, context, BROADCAST, "siaran") is None:
        return
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
    panel = await context.services.broadcasts.attach(user_id_of(update), message.chat_id, message.message_id, content)
    if panel is None:
        return False
    await send(update, context, t("broadcast-preview"))
    await context.bot.copy_message(message.chat_id, message.chat_id, message.message_id)
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
    if await staff_button(update, context, BROADCAST, "button:broadcast") is None:
        return
    t = await translator_for(update, context)
    user_id = user_id_of(update)
    broadcasts = context.services.broadcasts
    _, raw_id, action, *rest = (query.data or "").split(":")
    broadcast_id = int(raw_id)
    value = rest[0] if rest else None

    if action == "h":
        await query.answer()
        await send(update, context, await history(t, context))
        return
    if action == "s":
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
        return await picker(t, context, base, action, panel.broadcast.audience)
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
