"""/staf (admins): who is staff with which role, adding and removing them, and the latest audit log entries.

/staf                               the list and the latest audit entries
/staf tambah <telegram id> <admin|operator|viewer> [name]
/staf tambah <telegram id> lpk <institute name>   again with another institute adds it
/staf hapus <telegram id>
/staf cabut <certificate number> <reason>   (bot/handlers/certificates.py)
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import VokasiContext
from bot.handlers import certificates
from bot.handlers.commands import publish_staff_commands
from bot.handlers.common import ask_argument, send, translator_for, user_id_of
from bot.i18n import Translator
from bot.services.enrollment import Refusal
from bot.services.staff import ADMIN, LPK, ROLES, Member

log = logging.getLogger(__name__)

ADD = ("tambah", "add")
REMOVE = ("hapus", "remove")
AUDIT_SHOWN = 10


async def staff_command_handler(update: Update, context: VokasiContext) -> None:
    """/staf (admins; the role is checked where the handler is registered)."""
    t = await translator_for(update, context)
    args = context.args or []
    actor = user_id_of(update)
    staff = context.services.staff
    if not args:
        await send(update, context, await _overview(t, context))
        return
    verb = args[0].casefold()
    # A verb alone asks for the rest ("/staf hapus", then the id).
    asked = {**dict.fromkeys(ADD, "prompt-staff-add"), **dict.fromkeys(REMOVE, "prompt-staff-remove")}
    asked.update(dict.fromkeys(certificates.REVOKE, "prompt-staff-revoke"))
    if len(args) == 1 and verb in asked:
        await ask_argument(update, context, "staf", t(asked[verb]), (verb,))
        return
    if verb in certificates.REVOKE:
        # Only admins hold MANAGE_STAFF, which the registration of /staf requires.
        await certificates.revoke(update, context, ADMIN, args[1:])
        return
    target = int(args[1]) if len(args) > 1 and args[1].isdigit() and len(args[1]) <= 15 else None
    if verb in ADD and target is not None and len(args) >= 3 and args[2].casefold() in ROLES:
        role, rest = args[2].casefold(), " ".join(args[3:])
        # An LPK member's rest is the institute's name; anyone else's a name for the list.
        result = (
            await staff.put(actor, target, role, "", institute=rest[:120])
            if role == LPK
            else await staff.put(actor, target, role, rest[:60])
        )
        if isinstance(result, Refusal):
            await send(update, context, t(result.key, **result.params))
            return
        await _republish(context, target, result.role)
        added = t("staff-added", id=target, role=t(f"role-{result.role}"))
        if result.institutes:
            added += "\n" + t("staff-institutes", names=", ".join(result.institutes))
        await send(update, context, added)
        return
    if verb in REMOVE and target is not None:
        removed = await staff.remove(actor, target)
        if isinstance(removed, Refusal):
            await send(update, context, t(removed.key, **removed.params))
            return
        if removed:
            await _republish(context, target, None)
        await send(update, context, t("staff-removed" if removed else "staff-not-found", id=target))
        return
    await send(update, context, usage(t))


async def _republish(context: VokasiContext, user_id: int, role: str | None) -> None:
    try:
        await publish_staff_commands(context.bot, context.services.translations, {user_id: role})
    except TelegramError as error:  # they have not started the bot yet: their menu updates at the next start
        log.info("staff command menu not updated for a new member: %s", error.message)


async def _overview(t: Translator, context: VokasiContext) -> str:
    members = await context.services.staff.members()
    lines = [_member_line(t, m) for m in members]
    audit = await context.services.staff.recent_audit(AUDIT_SHOWN)
    entries = [
        t(
            "audit-line",
            when=t.moment(entry.at, "Asia/Jakarta"),
            # Staff by id; anyone else by the pseudonym the log keeps; 0 is the bot itself (the retention job).
            actor=entry.pseudonym or (entry.actor if entry.actor else t("audit-actor-system")),
            action=entry.action,
            mark="✅" if entry.allowed else "⛔",
        )
        + (t("audit-repeats", n=entry.repeats) if entry.repeats else "")
        for entry in audit
    ]
    return (
        t("staff-list", count=len(members))
        + "\n"
        + "\n".join(lines)
        + "\n\n"
        + usage(t)
        + "\n\n"
        + t("audit-recent")
        + "\n"
        + ("\n".join(entries) or "-")
    )


def usage(t: Translator) -> str:
    return t("staff-usage") + "\n" + t("staff-usage-lpk") + "\n" + t("certificate-revoke-usage")


def _member_line(t: Translator, member: Member) -> str:
    line = t(
        "staff-line-configured" if member.configured else "staff-line",
        id=member.telegram_user_id,
        role=t(f"role-{member.role}"),
        label=member.label or "-",
    )
    if member.role == LPK:
        line += "\n    " + t("staff-institutes", names=", ".join(member.institutes) or "-")
    return line
