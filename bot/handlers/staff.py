"""Importing by sending a CSV or XLSX file to the bot: the course catalogue (operators and admins) or job vacancies
(operators, admins and LPK members), told apart by the file's header."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import VokasiContext
from bot.handlers import menu
from bot.handlers.common import send, translator_for, user_id_of
from bot.handlers.vacancy_matching import schedule_publication
from bot.i18n import Translator
from bot.services.catalogue import ImportReport
from bot.services.catalogue_import import CatalogueRejected
from bot.services.pending import Situation
from bot.services.spreadsheet import ImportProblem
from bot.services.staff import CATALOGUE, LPK, VACANCIES
from bot.services.vacancies import VACANCY_IMPORT, Publisher, VacancyImportReport, import_kind
from bot.services.vacancy_import import VacanciesRejected

log = logging.getLogger(__name__)

# Telegram lets bots download files up to 20 MB; a catalogue is far smaller, so refuse anything odd early.
MAX_CATALOGUE_BYTES = 5 * 1024 * 1024
# How many problems fit in one message before the rest are summarised (Telegram's 4,096-character limit).
MAX_PROBLEMS_SHOWN = 30


def report_text(t: Translator, report: ImportReport) -> str:
    return t(
        "import-done",
        created=report.created,
        updated=report.updated,
        rescheduled=report.rescheduled,
        notified=report.notified,
        promoted=report.promoted,
    )


def problem_lines(t: Translator, problems: list[ImportProblem]) -> list[str]:
    """`row N: reason`, or just the reason for a problem of the whole file (row 0)."""
    return [
        t("import-problem", row=p.row, reason=t(p.key, **p.params))
        if p.row
        else t("import-problem-file", reason=t(p.key, **p.params))
        for p in problems
    ]


def rejected_text(t: Translator, problems: list[ImportProblem]) -> str:
    lines = problem_lines(t, problems[:MAX_PROBLEMS_SHOWN])
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(t("import-more-problems", count=len(problems) - MAX_PROBLEMS_SHOWN))
    return t("import-rejected", count=len(problems)) + "\n\n" + "\n".join(lines)


def vacancy_report_text(t: Translator, report: VacancyImportReport) -> str:
    return t("vacancy-import-done", created=report.created, updated=report.updated)


async def catalogue_document(update: Update, context: VokasiContext, situation: Situation) -> None:
    """A document from someone whose role may import the catalogue or vacancies (the dispatch table has checked
    that): its header says which import it is; imported all or nothing, with every problem listed. A file for
    the import the role does not allow (an LPK member's catalogue) is answered like any other document."""
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    t = await translator_for(update, context)
    if document.file_size is not None and document.file_size > MAX_CATALOGUE_BYTES:
        await send(update, context, t("import-too-big", mb=MAX_CATALOGUE_BYTES // (1024 * 1024)))
        return
    file = await document.get_file()
    content = bytes(await file.download_as_bytearray())
    filename = document.file_name or ""
    if import_kind(content, filename) == VACANCY_IMPORT:
        needed, attempt = VACANCIES, "vacancies:import"
    else:
        needed, attempt = CATALOGUE, "catalogue:import"
    if not situation.may(needed):
        await context.services.staff.audit(
            user_id_of(update), f"refused:{attempt}", {"needs": needed}, allowed=False, role=situation.role
        )
        await menu.not_understood(update, context, situation)
        return
    if needed == VACANCIES:
        await _import_vacancies(update, context, situation, t, content, filename)
    else:
        await _import(update, context, t, content, filename)


async def _import_vacancies(
    update: Update, context: VokasiContext, situation: Situation, t: Translator, content: bytes, filename: str
) -> None:
    user_id = user_id_of(update)
    publisher = Publisher(user_id)
    if situation.role == LPK:
        institutes = (await context.services.staff.scope(user_id)).institutes or frozenset()
        publisher = Publisher(user_id, min(institutes, default=None), restricted=True)
    try:
        report = await context.services.vacancies.import_file(content, filename, publisher)
    except VacanciesRejected as rejected:
        await context.services.staff.audit(user_id, "vacancies:rejected", {"problems": len(rejected.problems)})
        await send(update, context, rejected_text(t, rejected.problems))
        return
    log.info("vacancies imported by staff: %d new, %d updated", report.created, report.updated)
    await context.services.staff.audit(
        user_id, "vacancies:import", {"created": report.created, "updated": report.updated}
    )
    await send(update, context, vacancy_report_text(t, report))
    schedule_publication(context, report.vacancy_ids)


async def _import(update: Update, context: VokasiContext, t: Translator, content: bytes, filename: str) -> None:
    try:
        report = await context.services.catalogue.import_file(content, filename)
    except CatalogueRejected as rejected:
        await context.services.staff.audit(
            user_id_of(update), "catalogue:rejected", {"problems": len(rejected.problems)}
        )
        await send(update, context, rejected_text(t, rejected.problems))
        return
    log.info("catalogue imported by staff: %d new, %d updated", report.created, report.updated)
    await context.services.staff.audit(
        user_id_of(update), "catalogue:import", {"created": report.created, "updated": report.updated}
    )
    await send(update, context, report_text(t, report))
