"""The report as files: an Excel workbook (XlsxWriter, bot/services/xlsx_book.py) and a chart (matplotlib,
headless), labelled in the reader's language from the message catalogues.

The workbook is the list SHEETS: each entry writes one or more sheets, in order. A plain data sheet is a
`DataSheet`: its name and columns (message keys), the rows it reads from the report's snapshot, and a row's cells.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: the chart is drawn straight to PNG

import matplotlib.pyplot as plt

from bot.i18n import Translator
from bot.services import answer_sheets, presence_sheets
from bot.services.answer_sheets import ANSWER_COLUMNS as ANSWER_COLUMNS
from bot.services.report_cells import LocalTimes, Memo
from bot.services.report_cells import local_time as local_time
from bot.services.report_cells import percent as percent
from bot.services.report_cells import wave_label as wave_label
from bot.services.reports import REPORT_ZONE, Group, Summary
from bot.services.survey_catalog import SurveyCatalog
from bot.services.vacancy_report_files import VacancyPart
from bot.services.vacancy_report_files import add_sheets as add_vacancy_sheets
from bot.services.xlsx_book import Bold, Book, Sheet
from bot.storage.db import Database, Row, Session
from bot.storage.reports import ReportRepository
from bot.storage.vault import Vault
from bot.text import shorten

# The data sheets and their columns (headers are the messages xlsx-col-<name>).
COLUMNS: dict[str, list[str]] = {
    "participants": ["id", "name", "nik", "gender", "birth_year", "province", "regency", "education", "phk", "verify",
        "registered", "employment", "employment_at", "erased"],
    "enrollments": ["enrollment", "id", "course", "title", "institute", "status", "created", "finished", "attending",
        "absent"],
    "checkins": ["run", "id", "course", "wave", "status", "answered"],
    "broadcasts": ["broadcast", "by", "created", "send_at", "content", "bstatus", "recipients", "sent"],
}  # fmt: skip
# Courses shown in the chart (the most completions first); more would not be readable on a phone.
CHART_COURSES = 10
# Rows handed to the worker thread at a time: large enough that the hand-over costs little, small enough that the
# rows read ahead stay a few MB.
_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class Context:
    """What the sheets are written from: the book, the reader's language, the report, and its snapshot."""

    book: Book
    t: Translator
    summary: Summary
    groups: dict[str, list[Group]]
    surveys: SurveyCatalog
    reports: ReportRepository
    unmask_with: Vault | None
    session: Session
    # The vacancy funnel's figures (bot/services/vacancy_reports.py), when the report includes them.
    vacancies: VacancyPart | None


@dataclass(frozen=True, slots=True)
class DataSheet:
    """A sheet with a header row and a row per record: its name (xlsx-sheet-<name>), columns (COLUMNS[name],
    headers xlsx-col-<column>), the rows read from the snapshot, and a row's cells."""

    name: str
    rows: Callable[[Context], AsyncIterator[Any]]
    # Given the reader's language, a row's cells (a function per sheet, which converts each distinct label once).
    cells: Callable[[Translator], Callable[[Any], list[Any]]]

    async def __call__(self, c: Context) -> None:
        headers = COLUMNS[self.name]
        sheet = c.book.add_sheet(c.t.plain(f"xlsx-sheet-{self.name}"))
        sheet.freeze_header()
        sheet.widths(_WIDTHS.get(header, 14) for header in headers)
        sheet.append([Bold(c.t.plain(f"xlsx-col-{h}")) for h in headers])
        await write_rows(sheet, self.rows(c), self.cells(c.t))


async def workbook(
    db: Database,
    t: Translator,
    summary: Summary,
    groups: dict[str, list[Group]],
    surveys: SurveyCatalog,
    *,
    unmask_with: Vault | None,
    vacancies: VacancyPart | None = None,
) -> bytes:
    """Sheets: summary, participants (NIK masked, or in full when given the vault to open it with, for admins),
    enrolments with attendance intents, real attendance (rates, and a row per enrolment and session),
    check-ins, a sheet per survey (a row per run, a column per question, answers in the reader's words from the
    survey's definition), broadcasts. Headers in the reader's language, times in WIB, header row frozen.

    Rows are read here and written in a worker thread, a chunk at a time (XlsxWriter, constant memory), so the bot
    keeps answering people while a large workbook is built.
    """
    out = io.BytesIO()
    book = Book(out)
    try:
        async with db.snapshot() as session:
            c = Context(book, t, summary, groups, surveys, ReportRepository(session), unmask_with, session, vacancies)
            for write in SHEETS:
                await write(c)
    finally:
        await asyncio.to_thread(book.close)
    return out.getvalue()


async def write_rows(sheet: Sheet, rows: AsyncIterator[Any], cells: Callable[[Any], list[Any]]) -> None:
    """Write the rows as they are read, in a worker thread a chunk at a time."""
    chunk: list[Any] = []
    async for row in rows:
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            await asyncio.to_thread(_append, sheet, chunk, cells)
            chunk = []
    if chunk:
        await asyncio.to_thread(_append, sheet, chunk, cells)


def chart(t: Translator, summary: Summary, courses: Sequence[Group]) -> bytes:
    """Re-employment by wave, and by course at the latest wave anyone answered, against the target line."""
    figure, (by_wave, by_course) = plt.subplots(2, 1, figsize=(6, 8), dpi=150, gridspec_kw={"height_ratios": [1, 1.3]})
    try:
        target = summary.target * 100
        labels = [wave_label(t, w.wave) for w in summary.waves]
        x = range(len(summary.waves))
        answered = [100 * (w.working_of_answered or 0) for w in summary.waves]
        completed = [100 * (w.working_of_completed or 0) for w in summary.waves]
        by_wave.bar([i - 0.2 for i in x], answered, width=0.4, label=t.plain("chart-of-answered"), color="#1f77b4")
        by_wave.bar([i + 0.2 for i in x], completed, width=0.4, label=t.plain("chart-of-completed"), color="#9ecae1")
        by_wave.axhline(target, color="#d62728", linestyle="--", label=t.plain("chart-target", target=f"{target:.0f}%"))
        by_wave.set_xticks(list(x), labels)
        by_wave.set_ylim(0, 100)
        by_wave.set_ylabel("%")
        by_wave.set_title(t.plain("chart-title-waves"), fontsize=12)
        by_wave.legend(fontsize=8, loc="upper left")

        latest = summary.latest_answered_wave()
        shown = sorted(courses, key=lambda g: g.completed, reverse=True)[:CHART_COURSES]
        values = []
        for group in shown:
            wave = next((w for w in group.waves if latest is not None and w.wave == latest.wave), None)
            values.append(100 * ((wave.working_of_answered if wave else None) or 0))
        names = [shorten(f"{g.key} {g.label}", 28) for g in shown]
        by_course.barh(names[::-1], values[::-1], color="#2ca02c")
        by_course.axvline(target, color="#d62728", linestyle="--")
        by_course.set_xlim(0, 100)
        by_course.set_xlabel("%")
        shown_wave = wave_label(t, latest.wave) if latest is not None else "–"
        by_course.set_title(t.plain("chart-title-courses", wave=shown_wave), fontsize=12)
        by_course.tick_params(axis="y", labelsize=8)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(figure)


# ---------------------------------------------------------------------- inside


async def _summary_sheet(c: Context) -> None:
    sheet = c.book.add_sheet(c.t.plain("xlsx-sheet-summary"))
    sheet.widths([42] + [16] * 9)
    t, summary, totals = c.t, c.summary, c.summary.totals
    rows: list[list[Any]] = [
        [Bold(t.plain("xlsx-summary-title"))],
        [t.plain("xlsx-generated"), summary.generated_at.astimezone(REPORT_ZONE).strftime("%Y-%m-%d %H:%M")],
        [t.plain("xlsx-target"), percent(summary.target)],
        [],
        [t.plain("xlsx-registered"), totals.registered],
        [t.plain("xlsx-eligible"), totals.eligible],
        [t.plain("xlsx-enrolled"), totals.enrolled],
        [t.plain("xlsx-completed"), totals.completed],
        [t.plain("xlsx-dropped"), totals.dropped],
        [t.plain("xlsx-completion-rate"), percent(summary.completion_rate)],
        [],
        [
            Bold(t.plain(h))
            for h in (
                "xlsx-wave",
                "xlsx-asked",
                "xlsx-answered",
                "xlsx-response-rate",
                "xlsx-working",
                "xlsx-working-of-answered",
                "xlsx-working-of-completed",
                "xlsx-recruiting",
            )
        ],
    ]
    for wave in summary.waves:
        rows.append([wave_label(t, wave.wave), wave.asked,
            wave.answered, percent(wave.response_rate), wave.employed, percent(wave.working_of_answered),
            percent(wave.working_of_completed), wave.recruiting])  # fmt: skip
    for grouping, lines in c.groups.items():
        rows += [[], [Bold(t.plain(f"xlsx-by-{grouping}"))]]
        header = ["xlsx-group", "xlsx-enrolled-seats", "xlsx-completed", "xlsx-dropped", "xlsx-completion-rate"]
        rows.append(
            [Bold(t.plain(h)) for h in header]
            + [Bold(t.plain("xlsx-working-wave", wave=wave_label(t, w.wave))) for w in summary.waves]
        )
        for group in lines:
            rows.append([f"{group.key} {group.label}".strip() if grouping == "course" else group.label,
                group.enrolled + group.completed + group.dropped, group.completed, group.dropped,
                percent(group.completion_rate), *[percent(w.working_of_answered) for w in group.waves]])  # fmt: skip
    sheet.extend(rows)


def _append(sheet: Sheet, rows: list[Any], cells: Callable[[Any], list[Any]]) -> None:
    """Convert and write rows; an empty value is no cell at all (most of a survey sheet's question columns are
    empty, since each run answers only its branch). A text that would be a formula is kept text (xlsx_book)."""
    sheet.extend(map(cells, rows))


async def _broadcast_rows(c: Context) -> AsyncIterator[dict[str, Any]]:
    # The programme's broadcasts are not any institute's figures: a report limited to some courses leaves them out.
    for row in await c.reports.broadcast_rows() if c.summary.scope.course_ids is None else []:
        yield row


def _participant(t: Translator) -> Callable[[Row], list[Any]]:
    genders: Memo[str | None, str] = Memo(lambda gender: t.plain(f"gender-{gender.lower()}") if gender else "")
    educations: Memo[str, str] = Memo(lambda edu: t.plain(f"edu-{edu}") if t.has(f"edu-{edu}") else edu)
    statuses: Memo[str | None, str] = Memo(lambda status: t.plain(f"employment-{status}") if status else "")
    verify = t.plain("filter-yes")
    times = LocalTimes()

    def cells(row: Row) -> list[Any]:
        return [
            row["id"],
            row["full_name"] or "",
            row["nik"] or "",
            genders[row["gender"]],
            row["birth_year"] or "",
            row["province_code"],
            row["regency"] or "",
            educations[row["education"]],
            row["phk_date"],
            verify if row["needs_verification"] else "",
            times(row["registered_at"]),
            statuses[row["employment_status"]],
            times(row["employment_status_at"]),
            times(row["erased_at"]),
        ]

    return cells


def _enrollment(t: Translator) -> Callable[[Row], list[Any]]:
    statuses: Memo[str, str] = Memo(lambda status: t.plain(f"enrollment-status-{status}"))
    times = LocalTimes()

    def cells(row: Row) -> list[Any]:
        return [
            row["id"],
            row["participant_id"],
            row["code"],
            row["title"],
            row["institute"],
            statuses[row["status"]],
            times(row["created_at"]),
            times(row["finished_at"]),
            row["attending"],
            row["absent"],
        ]

    return cells


def _checkin(t: Translator) -> Callable[[Row], list[Any]]:
    waves: Memo[str, str] = Memo(lambda wave: wave_label(t, wave))
    statuses: Memo[str, str] = Memo(lambda status: t.plain(f"employment-{status}"))
    times = LocalTimes()

    def cells(row: Row) -> list[Any]:
        return [
            row["run_id"],
            row["participant_id"],
            row["code"] or "",
            waves[row["wave"]],
            statuses[row["status"]],
            times(row["answered_at"]),
        ]

    return cells


def _broadcast(_: Translator) -> Callable[[dict[str, Any]], list[Any]]:
    def cells(row: dict[str, Any]) -> list[Any]:
        return [
            row["id"],
            row["created_by"],
            local_time(row["created_at"]),
            local_time(row["send_at"]),
            row["content"] or "",
            row["status"],
            row["recipients"],
            row["sent"],
        ]

    return cells


_WIDTHS = {
    "name": 28,
    "title": 30,
    "institute": 26,
    "regency": 22,
    "survey": 24,
    "question": 40,
    "answer": 40,
    "nik": 20,
}


async def _answer_sheets(c: Context) -> None:
    await answer_sheets.add_sheets(c.book, c.t, c.reports.answer_rows(c.summary.scope), c.surveys)


async def _presence_sheets(c: Context) -> None:
    await presence_sheets.add_sheets(c.book, c.t, c.reports, c.summary, c.groups)


async def _vacancy_sheets(c: Context) -> None:
    if c.vacancies is not None:
        await add_vacancy_sheets(c.book, c.t, c.session, *c.vacancies)


# The workbook's sheets, in order: each entry writes its sheet(s) from the context.
SHEETS: list[Callable[[Context], Awaitable[None]]] = [
    _summary_sheet,
    DataSheet("participants", lambda c: c.reports.participant_rows(c.summary.scope, c.unmask_with), _participant),
    DataSheet("enrollments", lambda c: c.reports.enrollment_rows(c.summary.scope), _enrollment),
    DataSheet("checkins", lambda c: c.reports.checkin_rows(c.summary.scope), _checkin),
    _answer_sheets,
    _presence_sheets,
    _vacancy_sheets,
    DataSheet("broadcasts", _broadcast_rows, _broadcast),
]
