"""Sending a certificate's PDF: the outbox row queued at completion (kind CERTIFICATE_KIND), and /sertifikat.

The PDF is built when it is sent, in the recipient's language, off the event loop: about a tenth of a second of
CPU each. It is built in a worker process of its own (PDF_WORKER), not a thread: building is pure Python, so
threads would hold the GIL, and the thousands of objects fontTools makes reading a font set off CPython's full
garbage collection, which walks the whole process's heap with the loop stopped. With asyncio.to_thread the
longest stall of the loop was about 225 ms for 60 certificates and 370 ms for 1,000 (bench/certificates.py); in a
worker process only the finished bytes come back. One worker: PDFs are queued behind each other on one core, the
bot keeps the rest of the machine.

The row carries only the certificate's id; a certificate revoked, or a holder who erased their data, before the
send is not sent.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from telegram import InputFile
from telegram.ext import ExtBot

from bot.delivery.ratelimit import Withdrawn
from bot.i18n import Translations, Translator
from bot.services.certificate_pdf import exit_with_parent, render_pdf, verification_link, warm_up
from bot.services.certificate_template import CertificateTemplate
from bot.services.certificates import CertificateDocument, CertificateService
from bot.storage.outbox import OutboxMessage


class PdfWorker:
    """One worker process that builds PDFs, started at the first one (spawned: a fresh interpreter, not a fork of
    a process with threads and an event loop). A worker that died is replaced for the next PDF."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=exit_with_parent,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def start(self) -> None:
        """Start the worker now (at start-up), so the first certificate does not wait for an interpreter to start
        and fpdf2 to load (a second or two)."""
        self._executor().submit(warm_up)

    async def render(
        self, template: CertificateTemplate, t: Translator, document: CertificateDocument, link: str
    ) -> bytes:
        pool = self._executor()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, render_pdf, template, t, document, link)
        except BrokenProcessPool:
            # Killed (out of memory, by hand): the next PDF gets a new worker; this one fails and is retried.
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False)
            raise

    def close(self) -> None:
        """Stop the worker (the bot is shutting down); a later PDF starts a new one."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


PDF_WORKER = PdfWorker()


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
    content = await PDF_WORKER.render(template, t, document, link)
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
