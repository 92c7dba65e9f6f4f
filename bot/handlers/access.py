"""Staff-only commands and buttons: someone without the role gets exactly what any unknown command or stale
button gets (nothing reveals that staff tools exist), and the attempt goes to the audit log."""

from __future__ import annotations

from telegram import Update

from bot.context import VokasiContext
from bot.handlers.common import send, translator_for, user_id_of


async def staff_command(update: Update, context: VokasiContext, permission: str, attempt: str) -> str | None:
    """The person's role if it allows `permission`; otherwise answers like an unknown command and returns None."""
    role = await context.services.staff.permitted(user_id_of(update), permission, attempt)
    if role is None:
        t = await translator_for(update, context)
        await send(update, context, t("unknown-command"))
    return role


async def staff_button(update: Update, context: VokasiContext, permission: str, attempt: str) -> str | None:
    """The same for a button: refused like any stale or forged button."""
    role = await context.services.staff.permitted(user_id_of(update), permission, attempt)
    if role is None:
        query = update.callback_query
        assert query is not None
        t = await translator_for(update, context)
        await query.answer(t("button-stale"), show_alert=True)
    return role
