"""/cari <name fragment | NIK | KPJ | phone>: staff look up participants (NIK masked), audit-logged."""

from __future__ import annotations

from telegram import Update

from bot.context import VokasiContext
from bot.handlers.common import ask_argument, send, translator_for, user_id_of
from bot.i18n import Translator
from bot.services.enrollment import Refusal
from bot.services.lookup import Card


async def lookup_command(update: Update, context: VokasiContext) -> None:
    """/cari: up to ten participants matching the query, with their enrolments (the role is checked where it is
    registered). Without a query, or with one too short, it asks for one and takes the next message."""
    t = await translator_for(update, context)
    query = " ".join(context.args or [])
    if not query:
        await ask_argument(update, context, "cari", t("prompt-lookup"))
        return
    found = await context.services.lookup.search(query)
    if isinstance(found, Refusal):
        await ask_argument(update, context, "cari", t(found.key, **found.params) + "\n\n" + t("prompt-lookup"))
        return
    await context.services.staff.audit(
        user_id_of(update),
        "lookup",
        {"by": found.kind, "participants": [card.participant.id for card in found.cards]},
    )
    if not found.cards:
        await send(update, context, t("lookup-none"))
        return
    cards = [_card(t, context, card) for card in found.cards]
    await send(update, context, t("lookup-found", count=len(cards)) + "\n\n" + "\n\n".join(cards))


def _card(t: Translator, context: VokasiContext, card: Card) -> str:
    person = card.participant
    province = context.services.provinces.get(person.province_code)
    lines = [
        t(
            "lookup-person",
            name=person.full_name or "-",
            nik=person.nik_masked or "-",
            kpj=person.kpj or "-",
            place=", ".join(part for part in (person.regency, province.name if province else None) if part) or "-",
            registered=t.date(person.registered_at.date()),
        )
    ]
    for line in card.enrollments:
        lines.append(
            t(
                "lookup-enrollment",
                code=line.course.code,
                title=line.course.title,
                status=t(f"enrollment-status-{line.enrollment.status}"),
                attending=line.attending,
                absent=line.absent,
            )
        )
    if not card.enrollments:
        lines.append(t("lookup-no-enrollment"))
    if person.employment_status is not None and person.employment_status_at is not None:
        lines.append(
            t(
                "lookup-employment",
                status=t(f"employment-{person.employment_status}"),
                when=t.date(person.employment_status_at.date()),
            )
        )
    else:
        lines.append(t("lookup-no-checkin"))
    if person.announcements_off_at is not None:
        lines.append(t("lookup-announcements-off"))
    if person.unreachable_since is not None:
        lines.append(t("lookup-unreachable"))
    return "\n".join(lines)
