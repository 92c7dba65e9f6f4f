"""The last line of defence: log what broke (never what people typed) and apologise."""

from __future__ import annotations

import logging
import os
import traceback

from telegram import Update
from telegram.error import TelegramError

from bot.context import VokasiContext
from bot.handlers.common import translator_for

log = logging.getLogger(__name__)


def error_kind(error: BaseException | None) -> str:
    """What broke, for alerts: the exception type and the innermost place in the bot's own code."""
    if error is None:
        return "unknown"
    place = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if f"{os.sep}bot{os.sep}" in frame.filename:
            place = f" in {os.path.basename(frame.filename)}:{frame.name}"
    return f"{type(error).__name__}{place}"


async def on_error(update: object, context: VokasiContext) -> None:
    """Log the failure with the update id only, and tell the person something went wrong."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed with %s", update_id, type(error).__name__, exc_info=error)
    try:
        await context.services.operations.alert(error_kind(error), update_id)
    except Exception:  # the alert must not hide the apology
        log.exception("could not alert staff")
    if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
        return
    try:
        t = await translator_for(update, context)
        await context.bot.send_message(update.effective_chat.id, t("err-internal"))
    except (TelegramError, RuntimeError):
        log.warning("could not apologise for update %s", update_id)
