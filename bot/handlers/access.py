"""Staff-only commands and buttons: someone without the role gets exactly what any unknown command or stale
button gets (nothing reveals that staff tools exist), and the attempt goes to the audit log.

The role check is declared where a handler is registered (bot/handlers/routes.py): every command and button
handler there is either `public(...)` or `staff_only(PERMISSION, attempt, ...)`, and tests/test_roles.py walks the
registrations, so a staff handler cannot be added without its check. Course-level checks (an LPK member acting on
another institute's course) stay in the handlers, through `in_scope`, and are refused and audited the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.context import VokasiContext
from bot.handlers.common import send, translator_for, user_id_of

Callback = Callable[[Update, VokasiContext], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class StaffOnly:
    """A staff command or button: runs `callback` only for a role that has `permission`; the refusal is audited as
    `refused:<attempt>`."""

    permission: str
    attempt: str
    callback: Callback

    async def __call__(self, update: Update, context: VokasiContext) -> None:
        if update.callback_query is not None:
            role = await staff_button(update, context, self.permission, self.attempt)
        else:
            role = await staff_command(update, context, self.permission, self.attempt)
        if role is not None:
            await self.callback(update, context)


@dataclass(frozen=True, slots=True)
class Public:
    """A command or button open to anyone (what it does may still depend on who asks)."""

    callback: Callback

    async def __call__(self, update: Update, context: VokasiContext) -> None:
        await self.callback(update, context)


def staff_only(permission: str, attempt: str, callback: Callback) -> StaffOnly:
    return StaffOnly(permission, attempt, callback)


def public(callback: Callback) -> Public:
    return Public(callback)


async def staff_command(update: Update, context: VokasiContext, permission: str, attempt: str) -> str | None:
    """The person's role if it allows `permission`; otherwise answers like an unknown command and returns None."""
    role = await context.services.staff.permitted(user_id_of(update), permission, attempt)
    if role is None:
        await refuse(update, context)
    return role


async def staff_button(update: Update, context: VokasiContext, permission: str, attempt: str) -> str | None:
    """The same for a button: refused like any stale or forged button."""
    role = await context.services.staff.permitted(user_id_of(update), permission, attempt)
    if role is None:
        await refuse(update, context)
    return role


async def in_scope(
    update: Update, context: VokasiContext, institute_name: str, attempt: str, detail: dict[str, Any]
) -> bool:
    """Whether the course (of this institute) is the staff member's to act on; if not, refused like a staff tool
    they may not use (unknown command / stale button) and audited as `refused:<attempt>`."""
    if await context.services.staff.covers(user_id_of(update), institute_name, attempt, detail):
        return True
    await refuse(update, context)
    return False


async def refuse(update: Update, context: VokasiContext) -> None:
    """The answer to any refused staff action: an unknown command's, or a stale button's."""
    t = await translator_for(update, context)
    query = update.callback_query
    if query is not None:
        await query.answer(t("button-stale"), show_alert=True)
    else:
        await send(update, context, t("unknown-command"))
