"""Certificates in the chat: /sertifikat (the participant's own, again), /cek <nomor> and the QR code's deep link
(/start c-<nomor>: anyone, registered or not), and /staf cabut <nomor> <alasan> (admins, from bot/handlers/team.py).

A verification shows the holder's name partly masked, the course, the institute and the dates; a revoked
certificate says so with the date (the reason to staff only); one whose holder erased their data says only that.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import InputFile, Update

from bot.context import VokasiContext
from bot.delivery.certificates import build_file
from bot.handlers.common import send, translator_for, user_id_of
from bot.i18n import Translator
from bot.services.certificates import Verification
from bot.services.enrollment import Refusal

log = logging.getLogger(__name__)

# The deep link's start parameter: /start c-VOK-2026-XXXX-XXXX.
LINK_PREFIX = "c-"
REVOKE = ("cabut", "revoke")


async def certificates_command(update: Update, context: VokasiContext) -> None:
    """/sertifikat: each of the person's certificates as its PDF again (a revoked one is named, not sent)."""
    t = await translator_for(update, context)
    services = context.services
    user_id = user_id_of(update)
    documents = await services.certificates.mine(user_id)
    if not documents:
        await send(update, context, t("certificate-none"))
        return
    # One document per certificate, as replies: the rate limiter paces them (about one a second in a private chat).
    for document in documents:
        certificate = document.certificate
        if certificate.revoked_at is not None:
            when = t.date(certificate.revoked_at.astimezone(ZoneInfo(document.course.timezone)).date())
            await send(
                update,
                context,
                t("certificate-own-revoked", number=certificate.number, course=document.course.title, date=when),
            )
            continue
        await context.bot.send_chat_action(user_id, "upload_document")
        built = await build_file(t, services.certificates.template, document, context.bot.username)
        await context.bot.send_document(
            user_id, InputFile(built.content, filename=built.filename), caption=built.caption
        )
    log.info("certificates sent again to their holder (%d)", len(documents))


async def check_command(update: Update, context: VokasiContext) -> None:
    """/cek <nomor>: whether a certificate is valid (anyone may ask)."""
    t = await translator_for(update, context)
    text = " ".join(context.args or [])
    if not text.strip():
        await send(update, context, t("certificate-check-usage"))
        return
    await _answer(update, context, t, text)


async def check_link(update: Update, context: VokasiContext) -> None:
    """/start c-<nomor>: the QR code on a certificate, scanned with a phone's camera."""
    t = await translator_for(update, context)
    argument = (context.args or [""])[0]
    await _answer(update, context, t, argument.removeprefix(LINK_PREFIX))


async def _answer(update: Update, context: VokasiContext, t: Translator, text: str) -> None:
    services = context.services
    verification = await services.certificates.verify(text)
    staff = verification.status == "revoked" and await services.staff.role(user_id_of(update)) is not None
    await send(update, context, verification_text(t, verification, staff=staff))


def verification_text(t: Translator, verification: Verification, *, staff: bool = False) -> str:
    """The answer to a verification; `staff` adds a revocation's reason."""
    certificate, course = verification.certificate, verification.course
    if verification.status == "malformed":
        return t("certificate-check-malformed")
    if verification.status == "mistyped":
        return t("certificate-check-mistyped", number=verification.typed)
    if certificate is None or verification.status == "unknown":
        return t("certificate-check-unknown", number=verification.typed)
    if verification.status == "erased" or course is None:
        return t("certificate-check-erased", number=certificate.number)
    zone = ZoneInfo(course.timezone)
    if verification.status == "revoked":
        assert certificate.revoked_at is not None
        text = t(
            "certificate-check-revoked",
            number=certificate.number,
            date=t.date(certificate.revoked_at.astimezone(zone).date()),
        )
        if staff and certificate.revoked_reason:
            text += "\n\n" + t("certificate-check-revoked-reason", reason=certificate.revoked_reason)
        return text
    first = (course.first_start or certificate.issued_at).astimezone(zone).date()
    last = (course.last_end or certificate.issued_at).astimezone(zone).date()
    return t(
        "certificate-check-valid",
        number=certificate.number,
        name=verification.masked_name or "-",
        course=course.title,
        institute=course.institute_name,
        city=course.institute_city,
        dates=t.date(first) if first == last else f"{t.date(first)} – {t.date(last)}",
        issued=t.date(certificate.issued_at.astimezone(zone).date()),
    )


async def revoke(update: Update, context: VokasiContext, role: str, args: list[str]) -> None:
    """/staf cabut <nomor> <alasan> (the caller, bot/handlers/team.py, checked that the member may manage staff)."""
    t = await translator_for(update, context)
    if len(args) < 2:
        await send(update, context, t("certificate-revoke-usage"))
        return
    result = await context.services.certificates.revoke(user_id_of(update), role, args[0], " ".join(args[1:]))
    if isinstance(result, Refusal):
        await send(update, context, t(result.key, **result.params))
        return
    await send(update, context, t("certificate-revoked", number=result.certificate.number, course=result.course.title))
