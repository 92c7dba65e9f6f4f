"""The jobs that send matched vacancies: right after an import (so the staff member's answer is not delayed) and
the weekly digest (registered in bot/app.py). The work is the VacancyMatcher's (bot/services/vacancy_matching.py).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import JobQueue

from bot.context import VokasiContext

log = logging.getLogger(__name__)


def schedule_publication(context: VokasiContext, vacancy_ids: tuple[int, ...]) -> None:
    """Match the vacancies an import published or changed, in a job of its own, once the answer has gone."""
    job_queue: JobQueue[Any] | None = context.job_queue  # the application's JobQueue (VokasiContext's own type)
    if not vacancy_ids or job_queue is None:
        return
    job_queue.run_once(publication_job, when=0, data=vacancy_ids, name="vacancies_published")


async def publication_job(context: VokasiContext) -> None:
    assert context.job is not None
    ids = context.job.data
    assert isinstance(ids, tuple)
    report = await context.services.vacancy_matcher.published(ids)
    log.info("vacancies published: %d messages listing %d vacancies", report.messages, report.vacancies)


async def digest_job(context: VokasiContext) -> None:
    report = await context.services.vacancy_matcher.digest()
    log.info(
        "vacancy digest: %d people looking for work, %d messages listing %d vacancies",
        report.considered,
        report.messages,
        report.vacancies,
    )
