"""Watching a broadcast go out: the staff member's progress message (edited every few seconds, with a stop button
while it runs), the final figures with the reasons copies were not delivered, and the list of recent broadcasts.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.context import Services, VokasiContext
from bot.delivery.dispatcher import UNREACHABLE
from bot.i18n import Translator
from bot.services.broadcasts import Panel, Progress
from bot.storage.broadcasts import OPTED_OUT, STOPPED, Broadcast, Figures
from bot.storage.outbox import ERASED

log = logging.getLogger(__name__)

# Staff type and read times in the programme's head-office zone.
STAFF_ZONE = ZoneInfo("Asia/Jakarta")
# How often the progress message may change (Telegram dislikes rapid edits).
PROGRESS_EVERY_S = 3
RECENT = 10


async def progress_job(context: VokasiContext) -> None:
    """The periodic job that keeps every progress message current."""
    await refresh_progress(context.bot, context.services)


async def refresh_progress(bot: Bot, services: Services) -> None:
    """Every few seconds: edit each running broadcast's progress message; the final figures when it is done."""
    for progress in await services.broadcasts.progress():
        broadcast = progress.broadcast
        if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
            continue
        t = services.translations.get(await services.accounts.language(broadcast.created_by))
        text, markup = progress_view(t, progress)
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


async def start_progress(context: VokasiContext, t: Translator, message: object, panel: Panel) -> None:
    """Make `message` the broadcast's progress message, showing that nothing has gone out yet."""
    if not isinstance(message, Message):
        return
    await context.services.broadcasts.set_progress_message(panel.broadcast.id, message.chat_id, message.message_id)
    figures = Figures(pending=panel.count, sent=0, not_sent=[])
    text, markup = progress_view(t, Progress(panel.broadcast, figures, finished=False))
    await edit(message, text, markup)


def progress_view(t: Translator, progress: Progress) -> tuple[str, InlineKeyboardMarkup | None]:
    broadcast, figures = progress.broadcast, progress.figures
    if broadcast.status in ("done", "stopped"):
        return final_text(t, broadcast, figures), None
    stop = InlineKeyboardMarkup([[InlineKeyboardButton(t("btn-broadcast-stop"), callback_data=f"b:{broadcast.id}:s")]])
    if broadcast.status == "scheduled" and broadcast.send_at is not None:
        when = t.moment(broadcast.send_at, STAFF_ZONE.key)
        return t("broadcast-scheduled", id=broadcast.id, when=when, count=figures.pending), stop
    counts = {"id": broadcast.id, "sent": figures.sent, "pending": figures.pending, "failed": figures.failed}
    if progress.held_until is not None:  # sent late in the evening: nothing goes before the recipients' morning
        return t("broadcast-waiting-morning", time=t.time_of_day(progress.held_until), **counts), stop
    return t("broadcast-progress", **counts), stop


def final_text(t: Translator, broadcast: Broadcast, figures: Figures) -> str:
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
    known = {
        STOPPED: "reason-stopped",
        OPTED_OUT: "reason-opted-out",
        ERASED: "reason-erased",
        "expired before sending": "reason-expired",
    }
    if reason in known:
        return t.plain(known[reason]), False
    return t.plain("reason-other", error=reason), False


async def history(t: Translator, context: VokasiContext, actor: int) -> str:
    """The most recent broadcasts with their figures (an LPK member's own only)."""
    scoped = (await context.services.staff.scope(actor)).institutes is not None
    recent = await context.services.broadcasts.recent(RECENT, actor if scoped else None)
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


async def edit(message: object, text: str | None, markup: InlineKeyboardMarkup | None) -> None:
    """Change a message the bot sent (its buttons only when `text` is None); the same content again is no error."""
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
