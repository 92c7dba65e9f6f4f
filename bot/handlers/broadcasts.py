"""/siaran: staff compose an announcement, choose who gets it, send now or later, and watch it go out.

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

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.context import Services, VokasiContext
from bot.delivery.dispatcher import UNREACHABLE
from bot.handlers.access import staff_button, staff_command
from bot.handlers.common import send, translator_for, user_id_of
from bot.i18n import Translator
from bot.services.broadcasts import EMPLOYMENT_FILTERS, ENROLLMENT_STATES, Panel, Progress
from bot.services.dates import parse_date_time
from bot.services.enrollment import Refusal
from bot.services.staff import BROADCAST
from bot.services.validation import ValidationError
from bot.storage.broadcasts import OPTED_OUT, STOPPED, Audience, Broadcast, Figures

log = logging.getLogger(__name__)

PATTERN = (
    r"^b:\d{1,9}:(c(:\d{1,9})?|e(:(enrolled|completed|all))?|p(:(\d{2}|all))?|r(:(\d{1,3}|all))?"
    r"|w(:[a-z_]{1,20})?|m|a|go|t|x|s|h)$"
)
# Staff type times in the programme's head-office zone.
STAFF_ZONE = ZoneInfo("Asia/Jakarta")
# How often the progress message may change (Telegram dislikes rapid edits).
PROGRESS_EVERY_S = 3
RECENT = 10


async def broadcast_command(update: Update, context: VokasiContext) -> None:
    if await staff_command(update, context, BROADCAST, "siaran") is None:
        return
    t = await translator_for(update, context)
    draft = await context.services.broadcasts.start(user_id_of(update))
    buttons = [
        [InlineKeyboardButton(t("btn-broadcast-history"), callback_data=f"b:{draft.id}:h")],
        [InlineKeyboardButton(t("btn-broadcast-cancel"), callback_data=f"b:{draft.id}:x")],
    ]
    await send(update, context, t("broadcast-ask-message"), InlineKeyboardMarkup(buttons))


async def compose(update: Update, context: VokasiContext) -> bool:
    """A staff member's message while their draft waits for it (the announcement) or for a time (scheduling).
    False when no draft of theirs is waiting."""
    user_id = user_id_of(update)
    broadcasts = context.services.broadcasts
    draft = await broadcasts.draft(user_id)
    if draft is None or draft.step not in ("message", "time"):
        return False
    if await context.services.staff.role(user_id) is None:  # no longer staff
        return False
    message = update.effective_message
    assert message is not None
    t = await translator_for(update, context)
    if draft.step == "time":
        await _scheduled(update, context, t, draft, message.text or "")
        return True
    content = "photo" if message.photo else "document" if message.document else "text" if message.text else None
    if content is None:
        await send(update, context, t("broadcast-unsupported"))
        return True
    panel = await broadcasts.attach(user_id, message.chat_id, message.message_id, content)
    assert panel is not None
    await send(update, context, t("broadcast-preview"))
    await context.bot.copy_message(message.chat_id, message.chat_id, message.message_id)
    text, markup = await _panel_view(t, context, panel)
    await send(update, context, text, markup)
    return True


async def broadcast_button(update: Update, context: VokasiContext) -> None:
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
        await send(update, context, await _history(t, context))
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
        await _edit(query.message, _final_text(t, broadcast, figures), None)
        return
    if action == "x":
        cancelled = await broadcasts.cancel(user_id, broadcast_id)
        if isinstance(cancelled, Refusal):
            await query.answer(t(cancelled.key, **cancelled.params), show_alert=True)
            return
        await query.answer()
        await _edit(query.message, t("broadcast-cancelled"), None)
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
        await _start_progress(context, t, query.message, result)
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
        await _edit(query.message, None, changed)
        return
    text, markup = await _panel_view(t, context, changed)
    await _edit(query.message, text, markup)


async def progress_job(context: VokasiContext) -> None:
    await refresh_progress(context.bot, context.services)


async def refresh_progress(bot: Bot, services: Services) -> None:
    """Every few seconds: edit each running broadcast's progress message; the final figures when it is done."""
    for progress in await services.broadcasts.progress():
        broadcast = progress.broadcast
        if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
            continue
        t = services.translations.get(await services.accounts.language(broadcast.created_by))
        text, markup = _progress_view(t, progress)
        try:
            await bot.edit_message_text(
                text, chat_id=broadcast.progress_chat_id, message_id=broadcast.progress_message_id, reply_markup=markup
            )
        except BadRequest as error:
            if "not modified" not in error.message:
                log.warning("progress message of broadcast %d not updated: %s", broadcast.id, error.message)
        if progress.finished:
            figures = progress.figures
            log.info("broadcast %d finished: %d sent, %d not sent", broadcast.id, figures.sent, figures.failed)


# ---------------------------------------------------------------------- inside


async def _scheduled(update: Update, context: VokasiContext, t: Translator, draft: Broadcast, typed: str) -> None:
    try:
        day, clock = parse_date_time(typed)
    except ValidationError as error:
        await send(
            update,
            context,
            t(error.key, **error.params) + "\n\n" + t("broadcast-ask-time", example=_example_time(context)),
        )
        return
    result = await context.services.broadcasts.send(
        user_id_of(update), draft.id, datetime.combine(day, clock, STAFF_ZONE)
    )
    if isinstance(result, Refusal):
        await send(update, context, t(result.key, **result.params))
        return
    await context.services.staff.audit(
        user_id_of(update), "broadcast:schedule", {"broadcast": draft.id, "recipients": result.count}
    )
    message = await send(update, context, t("broadcast-scheduling"))
    await _start_progress(context, t, message, result)


async def _start_progress(context: VokasiContext, t: Translator, message: object, panel: Panel) -> None:
    if not isinstance(message, Message):
        return
    await context.services.broadcasts.set_progress_message(panel.broadcast.id, message.chat_id, message.message_id)
    figures = Figures(pending=panel.count, sent=0, not_sent=[])
    text, markup = _progress_view(t, Progress(panel.broadcast, figures, finished=False))
    await _edit(message, text, markup)


def _progress_view(t: Translator, progress: Progress) -> tuple[str, InlineKeyboardMarkup | None]:
    broadcast, figures = progress.broadcast, progress.figures
    if broadcast.status in ("done", "stopped"):
        return _final_text(t, broadcast, figures), None
    stop = InlineKeyboardMarkup([[InlineKeyboardButton(t("btn-broadcast-stop"), callback_data=f"b:{broadcast.id}:s")]])
    if broadcast.status == "scheduled" and broadcast.send_at is not None:
        when = t.moment(broadcast.send_at, STAFF_ZONE.key)
        return t("broadcast-scheduled", id=broadcast.id, when=when, count=figures.pending), stop
    return (
        t("broadcast-progress", id=broadcast.id, sent=figures.sent, pending=figures.pending, failed=figures.failed),
        stop,
    )


def _final_text(t: Translator, broadcast: Broadcast, figures: Figures) -> str:
    by_label: dict[tuple[str, bool], int] = {}
    for reason, count in figures.not_sent:  # e.g. "blocked" and "deactivated" read the same to staff
        labelled = _reason(t, reason)
        by_label[labelled] = by_label.get(labelled, 0) + count
    blocked = sum(count for (_, is_blocked), count in by_label.items() if is_blocked)
    reasons = "\n".join(t("broadcast-reason", reason=label, count=count) for (label, _), count in by_label.items())
    key = "broadcast-stopped" if broadcast.status == "stopped" else "broadcast-done"
    text = t(key, id=broadcast.id, sent=figures.sent, blocked=blocked, failed=figures.failed - blocked)
    return f"{text}\n{reasons}" if reasons else text


def _reason(t: Translator, reason: str) -> tuple[str, bool]:
    """Why a copy was not delivered, in the staff member's words; and whether the person blocked the bot or is
    gone (counted apart from failures)."""
    lowered = reason.casefold()
    if lowered.startswith("forbidden") or lowered == UNREACHABLE:
        return t.plain("reason-blocked"), True
    if "chat not found" in lowered:
        return t.plain("reason-chat-gone"), True
    known = {STOPPED: "reason-stopped", OPTED_OUT: "reason-opted-out", "expired before sending": "reason-expired"}
    if reason in known:
        return t.plain(known[reason]), False
    return t.plain("reason-other", error=reason), False


async def _history(t: Translator, context: VokasiContext) -> str:
    recent = await context.services.broadcasts.recent(RECENT)
    if not recent:
        return t("broadcast-history-empty")
    lines = [
        t(
            "broadcast-history-line",
            id=b.id,
            when=t.moment(b.send_at or b.created_at, STAFF_ZONE.key),
            content=t(f"broadcast-content-{b.content or 'text'}"),
            status=t(f"broadcast-status-{b.status}"),
            recipients=b.recipients,
            sent=f.sent,
            failed=f.failed,
        )
        for b, f in recent
    ]
    return t("broadcast-history") + "\n\n" + "\n".join(lines)


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
        return await _picker(t, context, base, action, panel.broadcast.audience)
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


async def _picker(
    t: Translator, context: VokasiContext, base: str, action: str, audience: Audience
) -> InlineKeyboardMarkup | Refusal:
    broadcasts = context.services.broadcasts
    rows: list[list[InlineKeyboardButton]] = []
    match action:
        case "c":
            rows = [
                [InlineKeyboardButton(f"{code} · {title}", callback_data=f"{base}:c:{cid}")]
                for cid, code, title in await broadcasts.courses()
            ]
            rows.append([InlineKeyboardButton(t("btn-filter-all-courses"), callback_data=f"{base}:c:0")])
        case "e":
            rows = [
                [InlineKeyboardButton(t(f"filter-enrollment-{state}"), callback_data=f"{base}:e:{state}")]
                for state in ENROLLMENT_STATES
            ]
            rows.append([InlineKeyboardButton(t("btn-filter-all"), callback_data=f"{base}:e:all")])
        case "p":
            names = [(code, _province_name(context, code)) for code in await broadcasts.provinces()]
            buttons = [InlineKeyboardButton(name, callback_data=f"{base}:p:{code}") for code, name in names]
            rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
            rows.append([InlineKeyboardButton(t("btn-filter-all"), callback_data=f"{base}:p:all")])
        case "r":
            if audience.province_code is None:
                return Refusal("broadcast-pick-province-first")
            regencies = await broadcasts.regencies(audience.province_code)
            buttons = [
                InlineKeyboardButton(name, callback_data=f"{base}:r:{i}") for i, name in enumerate(regencies[:90])
            ]
            rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
            rows.append([InlineKeyboardButton(t("btn-filter-all"), callback_data=f"{base}:r:all")])
        case _:  # "w"
            rows = [
                [InlineKeyboardButton(t(f"employment-{status}"), callback_data=f"{base}:w:{status}")]
                for status in EMPLOYMENT_FILTERS
            ]
            rows.append([InlineKeyboardButton(t("btn-filter-all"), callback_data=f"{base}:w:all")])
    rows.append([InlineKeyboardButton(t("btn-back"), callback_data=f"{base}:a")])
    return InlineKeyboardMarkup(rows)


async def _panel_view(t: Translator, context: VokasiContext, panel: Panel) -> tuple[str, InlineKeyboardMarkup]:
    audience, base = panel.broadcast.audience, f"b:{panel.broadcast.id}"
    every = t("filter-every")
    course = every
    if audience.course_id is not None:
        course = next(
            (
                f"{code} · {title}"
                for cid, code, title in await context.services.broadcasts.courses()
                if cid == audience.course_id
            ),
            str(audience.course_id),
        )
    enrollment = t(f"filter-enrollment-{audience.enrollment}") if audience.enrollment else every
    province = _province_name(context, audience.province_code) if audience.province_code else every
    regency = audience.regency or every
    employment = t(f"employment-{audience.employment_status}") if audience.employment_status else every
    text = t(
        "broadcast-panel",
        id=panel.broadcast.id,
        count=panel.count,
        course=course,
        enrollment=enrollment,
        province=province,
        regency=regency,
        employment=employment,
        missed=t("filter-yes") if audience.missed_checkin else t("filter-no"),
    )
    tick = "☑️" if audience.missed_checkin else "⬜"
    rows = [
        [
            InlineKeyboardButton(t("btn-filter-course"), callback_data=f"{base}:c"),
            InlineKeyboardButton(t("btn-filter-enrollment"), callback_data=f"{base}:e"),
        ],
        [
            InlineKeyboardButton(t("btn-filter-province"), callback_data=f"{base}:p"),
            InlineKeyboardButton(t("btn-filter-regency"), callback_data=f"{base}:r"),
        ],
        [InlineKeyboardButton(t("btn-filter-employment"), callback_data=f"{base}:w")],
        [InlineKeyboardButton(f"{tick} {t.plain('btn-filter-missed')}", callback_data=f"{base}:m")],
        [InlineKeyboardButton(t("btn-broadcast-send", count=panel.count), callback_data=f"{base}:go")],
        [
            InlineKeyboardButton(t("btn-broadcast-schedule"), callback_data=f"{base}:t"),
            InlineKeyboardButton(t("btn-broadcast-cancel"), callback_data=f"{base}:x"),
        ],
    ]
    return text, InlineKeyboardMarkup(rows)


def _province_name(context: VokasiContext, code: str) -> str:
    province = context.services.provinces.get(code)
    return province.name if province is not None else code


def _example_time(context: VokasiContext) -> str:
    tomorrow = context.services.clock.now().astimezone(STAFF_ZONE).date().toordinal() + 1
    return datetime.combine(datetime.fromordinal(tomorrow).date(), time(8, 0)).strftime("%d-%m-%Y %H.%M")


async def _edit(message: object, text: str | None, markup: InlineKeyboardMarkup | None) -> None:
    if not isinstance(message, Message):
        return
    try:
        if text is None:
            await message.edit_reply_markup(markup)
        else:
            await message.edit_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise
