"""Sending a certificate's PDF: the outbox row queued at completion (kind CERTIFICATE_KIND), and /sertifikat.

The PDF is built when it is sent, in the recipient's language, in a worker thread: about a tenth of a second of
CPU each, which on the event loop would hold up every chat. The thread is one of its own (PDF_THREAD): building
is pure Python and holds the GIL, so several builds at once (a batch of completions) are no faster, and each
extra thread competing for the GIL makes the event loop wait longer for its turn (bench/certificates.py: the
longest stall was about 225 ms with asyncio.to_thread's pool, about 110 ms with one thread). What stalls the loop
then is CPython's full garbage collection, which the thousands of objects fontTools makes while reading a font
set off (about 80 ms here); a worker process would remove that too, should the aim of 250 ms ever be missed.

The row carries only the certificate's id; a certificate revoked, or a holder who erased their data, before the
send is not sent.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from telegram import InputFile
from telegram.ext import ExtBot

from bot.delivery.ratelimit import Withdrawn
from bot.i18n import Translations, Translator
from bot.services.certificate_pdf import render_pdf, verification_link
from bot.services.certificate_template import CertificateTemplate
from bot.services.certificates import CertificateDocument, CertificateService
from bot.storage.outbox import OutboxMessage

PDF_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="certificate-pdf")


@dataclass(frozen=True, slots=True)
class CertificateFile:
    content: bytes
    filename: str
    caption: str


async def build_file(
    t: Translator, template: CertificateTemplate, document: CertificateDocument, bot_username: str
) -> CertificateFile:
    """The PDF (built off the event loop), its file name and its caption, in `t`'s language."""
    number = document.certificate.number
    link = verification_link(bot_username, number)
    content = await asyncio.get_running_loop().run_in_executor(PDF_THREAD, render_pdf, template, t, document, link)
    caption = t("certificate-caption", course=document.course.title, number=number)
    return CertificateFile(content, t.plain("certificate-filename", number=number), caption)


class CertificateSender:
    def __init__(self, bot: ExtBot[Any], translations: Translations, certificates: CertificateService) -> None:
        self._bot = bot
        self._translations = translations
        self._certificates = certificates

    async def send(self, message: OutboxMessage, limit: dict[str, Any]) -> int:
        """Send one queued certificate; raises Withdrawn when it is no longer to be sent."""
        document = await self._certificates.document(int(message.params["certificate_id"]))
        if document is None:
            raise Withdrawn("the certificate was revoked or its holder erased their data")
        t = self._translations.get(message.language or document.certificate.language)
        built = await build_file(t, self._certificates.template, document, self._bot.username)
        sent = await self._bot.send_document(
            message.telegram_user_id,
            InputFile(built.content, filename=built.filename),
            caption=built.caption,
            rate_limit_args=limit,
        )
        return sent.message_id
