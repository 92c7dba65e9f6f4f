"""The vacancies in /laporan: a few lines under the summary (published, matched, the funnel to hires, the share of
re-employment through the bot's vacancies) and, behind the report's "🔎 Lowongan" button (l:v:...), the funnel
per course category, province and LPK with its chart. An LPK member sees their institute's vacancies only."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update

from bot.context import VokasiContext
from bot.handlers.common import send, user_id_of
from bot.i18n import Translator
from bot.services import vacancy_report_files
from bot.services.report_files import percent
from bot.services.vacancy_report_files import VacancyPart
from bot.services.vacancy_reports import GROUPINGS, VacancySummary, vacancy_scope
from bot.storage.reports import Scope
from bot.storage.vacancy_reports import FunnelFigures, VacancyScope

BREAKDOWN_LINES = 10


async def scope_of(context: VokasiContext, actor: int, scope: Scope) -> VacancyScope:
    return vacancy_scope(scope, await context.services.staff.scope(actor))


async def workbook_part(context: VokasiContext, actor: int, scope: Scope) -> VacancyPart:
    """The vacancy sheets' figures for the report's workbook."""
    limited = await scope_of(context, actor, scope)
    services = context.services
    groups = {g: await services.vacancy_reports.breakdown(limited, g) for g in GROUPINGS}
    return await services.vacancy_reports.summary(limited), dict(groups)


def summary_text(t: Translator, summary: VacancySummary) -> str:
    funnel = summary.funnel
    return t(
        "vacancy-report-summary",
        published=funnel.published,
        people=summary.matched_people,
        interested=funnel.interested,
        sent=funnel.sent,
        interview=funnel.interview,
        hired=funnel.hired,
        share=percent(summary.share_through_vacancies),
        through=summary.placements.through_vacancies,
        working=summary.placements.working,
    )


def breakdown_text(t: Translator, groups: dict[str, list[FunnelFigures]]) -> str:
    parts = []
    for grouping, lines in groups.items():
        shown = [
            t(
                "vacancy-report-line",
                name=vacancy_report_files.group_label(t, grouping, g),
                published=g.published,
                matched=g.matched,
                interested=g.interested,
                sent=g.sent,
                interview=g.interview,
                hired=g.hired,
            )
            for g in lines[:BREAKDOWN_LINES]
        ] or [t("report-breakdown-empty")]
        if len(lines) > BREAKDOWN_LINES:
            shown.append(t("report-more", count=len(lines) - BREAKDOWN_LINES))
        parts.append(t(f"vacancy-report-by-{grouping}") + "\n" + "\n".join(shown))
    return "\n\n".join(parts)


async def vacancy_button(update: Update, context: VokasiContext, t: Translator, scope: Scope) -> None:
    """The report's "🔎 Lowongan": the funnel per category, province and LPK, then its chart."""
    chat = update.effective_chat
    assert chat is not None
    services = context.services
    limited = await scope_of(context, user_id_of(update), scope)
    summary = await services.vacancy_reports.summary(limited)
    groups = {g: await services.vacancy_reports.breakdown(limited, g) for g in GROUPINGS}
    await send(update, context, summary_text(t, summary) + "\n\n" + breakdown_text(t, groups))
    png = await asyncio.to_thread(vacancy_report_files.funnel_chart, t, summary)
    await context.bot.send_photo(
        chat.id, InputFile(png, filename="laporan-lowongan.png"), caption=t.plain("vacancy-chart-caption")
    )
    detail = {"province": scope.province_code, "lpk": limited.institutes is not None}
    await services.staff.audit(user_id_of(update), "report:vacancies", detail)
