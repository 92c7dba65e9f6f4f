"""The vacancies' figures as files: the funnel chart (matplotlib, headless, like the report's chart) and the
workbook's vacancy sheets (the funnel per category, province and LPK; one row per vacancy)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: the chart is drawn straight to PNG

import matplotlib.pyplot as plt

from bot.i18n import Translator
from bot.services.vacancy_reports import STEPS, VacancySummary
from bot.services.xlsx_book import Bold, Book
from bot.storage.db import Session
from bot.storage.vacancy_reports import FunnelFigures, VacancyReportRepository

# The per-vacancy sheet's columns (headers are the messages xlsx-col-<name>, the report's own where they exist).
VACANCY_COLUMNS = ("code", "position", "employer", "province", "lpk", "closes", "apply", *STEPS, "rejected")
# What the workbook's vacancy sheets show: the summary and the breakdowns.
VacancyPart = tuple[VacancySummary, dict[str, Sequence[FunnelFigures]]]
_COLOURS = ("#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#2ca02c")


def step_label(t: Translator, step: str) -> str:
    return t.plain(f"vacancy-funnel-{step}")


def funnel_chart(t: Translator, summary: VacancySummary) -> bytes:
    """From matched participants to hires, one bar each, the number on it; the share through vacancies below."""
    funnel = summary.funnel
    values = [summary.matched_people, *(getattr(funnel, step) for step in STEPS[1:])]
    labels = [step_label(t, step) for step in STEPS]
    figure, axis = plt.subplots(figsize=(6, 4), dpi=150)
    try:
        bars = axis.barh(labels[::-1], values[::-1], color=_COLOURS[::-1])
        axis.bar_label(bars, padding=3, fontsize=9)
        axis.set_xlim(0, max([*values, 1]) * 1.15)
        axis.set_title(t.plain("vacancy-chart-title", published=funnel.published), fontsize=12)
        share = summary.share_through_vacancies
        axis.set_xlabel(
            t.plain(
                "vacancy-chart-share",
                share="–" if share is None else f"{share * 100:.0f}%",
                through=summary.placements.through_vacancies,
                working=summary.placements.working,
            ),
            fontsize=9,
        )
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(figure)


async def add_sheets(
    book: Book,
    t: Translator,
    session: Session,
    summary: VacancySummary,
    groups: dict[str, Sequence[FunnelFigures]],
) -> None:
    """The funnel sheet (totals, then per category, province and LPK) and one row per vacancy."""
    sheet = book.add_sheet(t.plain("xlsx-sheet-vacancy-funnel"))
    sheet.widths([36])
    header = [t.plain("xlsx-group"), t.plain("vacancy-funnel-published"), *(step_label(t, s) for s in STEPS)]
    header.append(t.plain("vacancy-funnel-rejected"))
    share = summary.share_through_vacancies
    rows: list[list[Any]] = [
        [Bold(t.plain("vacancy-report-title"))],
        [t.plain("vacancy-funnel-published"), summary.funnel.published],
        [t.plain("vacancy-funnel-people"), summary.matched_people],
        *([step_label(t, s), getattr(summary.funnel, s)] for s in STEPS[1:]),
        [t.plain("vacancy-funnel-rejected"), summary.funnel.rejected],
        [t.plain("vacancy-funnel-share"), "–" if share is None else f"{share * 100:.0f}%"],
    ]
    for grouping, lines in groups.items():
        rows += [[], [Bold(t.plain(f"vacancy-report-by-{grouping}"))], header]
        rows += [[group_label(t, grouping, g), g.published, *(getattr(g, s) for s in STEPS), g.rejected] for g in lines]
    sheet.extend(rows)

    listing = book.add_sheet(t.plain("xlsx-sheet-vacancies"))
    listing.freeze_header()
    listing.append([Bold(t.plain(f"vacancy-xlsx-col-{c}")) for c in VACANCY_COLUMNS])
    async for found in VacancyReportRepository(session).vacancy_rows(summary.scope):
        values = [found["code"], found["position"], found["employer"], found["province_code"] or ""]
        values += [found["institute_key"] or "", found["closes_on"], found["apply_method"]]
        values += [*(found[s] for s in STEPS), found["rejected"]]
        listing.append(values)


def group_label(t: Translator, grouping: str, figures: FunnelFigures) -> str:
    """A breakdown line's name: the category, the province (or all Indonesia), the LPK (or the programme)."""
    if figures.label:
        return figures.label
    if grouping == "province":
        return t.plain("vacancy-staff-anywhere")
    if grouping == "institute":
        return t.plain("vacancy-report-programme") if not figures.key else figures.key
    return figures.key
