"""The report as files: an Excel workbook (openpyxl) and a chart (matplotlib, headless), labelled in the reader's
language from the message catalogues."""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: the chart is drawn straight to PNG

import matplotlib.pyplot as plt
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.i18n import Translator
from bot.services import presence_sheets
from bot.services.reports import REPORT_ZONE, Group, Summary
from bot.services.safe_cells import xlsx_cell
from bot.services.survey_catalog import Survey, SurveyCatalog
from bot.services.vacancy_report_files import VacancyPart, add_sheets
from bot.storage.db import Database, Row, from_db_time
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
# A sheet per survey: these columns, then one per question of the survey, then answers to questions it no longer has.
ANSWER_COLUMNS = ["run", "id", "wave", "answered"]
# Courses shown in the chart (the most completions first); more would not be readable on a phone.
CHART_COURSES = 10
_BOLD = Font(bold=True)
# Rows handed to the worker thread at a time: large enough that the hand-over costs little, small enough that the
# rows read ahead stay a few MB.
_CHUNK = 5000


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def wave_label(t: Translator, wave: str) -> str:
    """ "+30 hari" for d30 (the waves follow CHECKIN_DAYS), "sendiri" for a check-in the participant started."""
    if wave.startswith("d") and wave[1:].isdigit():
        return t.plain("wave-days", days=wave[1:])
    return t.plain(f"wave-{wave}") if t.has(f"wave-{wave}") else wave


def local_time(value: str | None) -> str:
    """A stored UTC time as the programme's local time (WIB), for a spreadsheet cell."""
    return "" if not value else from_db_time(value).astimezone(REPORT_ZONE).strftime("%Y-%m-%d %H:%M")


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

    Rows are read here and written to the workbook in a worker thread, a chunk at a time, so the bot keeps
    answering people while a large workbook is built (openpyxl takes most of a minute at 100,000 participants).
    """
    book = Workbook(write_only=True)
    _summary_sheet(book, t, summary, groups)
    async with db.snapshot() as session:
        reports = ReportRepository(session)
        scope = summary.scope
        await _sheet(
            book, t, "participants", reports.participant_rows(scope, unmask_with), lambda r: _participant(r, t)
        )
        await _sheet(book, t, "enrollments", reports.enrollment_rows(scope), lambda r: _enrollment(r, t))
        await _sheet(book, t, "checkins", reports.checkin_rows(scope), lambda r: _checkin(r, t))
        await _answer_sheets(book, t, reports.answer_rows(scope), surveys)
        await presence_sheets.add_sheets(book, t, reports, summary, groups)
        if vacancies is not None:
            await add_sheets(book, t, session, *vacancies)
        # The programme's broadcasts are not any institute's figures: a report limited to some courses leaves them out.
        broadcasts = await reports.broadcast_rows() if scope.course_ids is None else []
    await _sheet(book, t, "broadcasts", _iterate(broadcasts), _broadcast)
    out = io.BytesIO()
    await asyncio.to_thread(book.save, out)
    return out.getvalue()


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


def _summary_sheet(book: Workbook, t: Translator, summary: Summary, groups: dict[str, list[Group]]) -> None:
    sheet = book.create_sheet(t.plain("xlsx-sheet-summary"))
    sheet.column_dimensions["A"].width = 42
    for column in "BCDEFGHIJ":
        sheet.column_dimensions[column].width = 16
    totals = summary.totals
    rows: list[list[Any]] = [
        [_bold(sheet, t.plain("xlsx-summary-title"))],
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
            _bold(sheet, t.plain(h))
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
    for grouping, lines in groups.items():
        rows += [[], [_bold(sheet, t.plain(f"xlsx-by-{grouping}"))]]
        header = ["xlsx-group", "xlsx-enrolled-seats", "xlsx-completed", "xlsx-dropped", "xlsx-completion-rate"]
        rows.append(
            [_bold(sheet, t.plain(h)) for h in header]
            + [_bold(sheet, t.plain("xlsx-working-wave", wave=wave_label(t, w.wave))) for w in summary.waves]
        )
        for group in lines:
            rows.append([f"{group.key} {group.label}".strip() if grouping == "course" else group.label,
                group.enrolled + group.completed + group.dropped, group.completed, group.dropped,
                percent(group.completion_rate), *[percent(w.working_of_answered) for w in group.waves]])  # fmt: skip
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])


async def _sheet(
    book: Workbook, t: Translator, name: str, rows: AsyncIterator[Any], convert: Callable[[Any], list[Any]]
) -> None:
    headers = COLUMNS[name]
    sheet: WriteOnlyWorksheet = book.create_sheet(t.plain(f"xlsx-sheet-{name}"))
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers):
        sheet.column_dimensions[chr(ord("A") + index)].width = _WIDTHS.get(header, 14)
    sheet.append([_bold(sheet, t.plain(f"xlsx-col-{h}")) for h in headers])
    chunk: list[Any] = []
    async for row in rows:
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            await asyncio.to_thread(_append, sheet, chunk, convert)
            chunk = []
    if chunk:
        await asyncio.to_thread(_append, sheet, chunk, convert)


def _append(sheet: WriteOnlyWorksheet, rows: list[Any], convert: Callable[[Any], list[Any]]) -> None:
    """Convert and write rows; an empty value is no cell at all (openpyxl skips None: most of a survey sheet's
    question columns are empty, since each run answers only its branch). A text that would be a formula is kept
    text (safe_cells)."""
    for row in rows:
        sheet.append([None if value == "" else xlsx_cell(sheet, value) for value in convert(row)])


async def _iterate(items: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for item in items:
        yield item


def _participant(row: Row, t: Translator) -> list[Any]:
    return [
        row["id"],
        row["full_name"] or "",
        row["nik"] or "",
        t.plain(f"gender-{row['gender'].lower()}") if row["gender"] else "",
        row["birth_year"] or "",
        row["province_code"],
        row["regency"] or "",
        t.plain(f"edu-{row['education']}") if t.has(f"edu-{row['education']}") else row["education"],
        row["phk_date"],
        t.plain("filter-yes") if row["needs_verification"] else "",
        local_time(row["registered_at"]),
        t.plain(f"employment-{row['employment_status']}") if row["employment_status"] else "",
        local_time(row["employment_status_at"]),
        local_time(row["erased_at"]),
    ]


def _enrollment(row: Row, t: Translator) -> list[Any]:
    return [
        row["id"],
        row["participant_id"],
        row["code"],
        row["title"],
        row["institute"],
        t.plain(f"enrollment-status-{row['status']}"),
        local_time(row["created_at"]),
        local_time(row["finished_at"]),
        row["attending"],
        row["absent"],
    ]


def _checkin(row: Row, t: Translator) -> list[Any]:
    return [
        row["run_id"],
        row["participant_id"],
        row["code"] or "",
        wave_label(t, row["wave"]),
        t.plain(f"employment-{row['status']}"),
        local_time(row["answered_at"]),
    ]


@dataclass(slots=True)
class _Run:
    """One survey run's answers, gathered from its rows (question id -> stored value)."""

    run_id: int
    participant_id: int
    wave: str
    answered_at: str | None = None
    answers: dict[str, str | None] = field(default_factory=dict)


class _AnswerSheet:
    """The sheet of one survey: a row per run, a column per question (its text as the header), each answer as
    the reader's words (the options' labels). Answers to a question the definition no longer has are kept in a
    last column as "question: answer"."""

    def __init__(self, book: Workbook, t: Translator, survey_id: str, survey: Survey | None) -> None:
        language = t.language
        questions = survey.questions if survey else []
        self._t = t
        self._questions = [q.id for q in questions]
        self._options = {q.id: {o.value: o.label.get(language) for o in q.options} for q in questions}
        title = survey.title.get(language) if survey else survey_id
        self.sheet: WriteOnlyWorksheet = book.create_sheet(_sheet_name(title, book.sheetnames))
        self.sheet.freeze_panes = "A2"
        headers = [t.plain(f"xlsx-col-{h}") for h in ANSWER_COLUMNS]
        headers += [q.text.get(language) for q in questions]
        headers.append(t.plain("xlsx-col-other-answers"))
        for index in range(len(headers)):
            self.sheet.column_dimensions[get_column_letter(index + 1)].width = 14 if index < 4 else 30
        self.sheet.append([_bold(self.sheet, header) for header in headers])

    def row(self, run: _Run) -> list[Any]:
        cells: list[Any] = [run.run_id, run.participant_id, wave_label(self._t, run.wave), local_time(run.answered_at)]
        cells += [self._answer(q, run.answers[q]) if q in run.answers else "" for q in self._questions]
        other = [f"{q}: {self._answer(q, v)}" for q, v in run.answers.items() if q not in self._options]
        cells.append("; ".join(other))
        return cells

    def _answer(self, question: str, value: str | None) -> str:
        labels = self._options.get(question, {})
        return ", ".join(labels.get(v, v) for v in _answer_values(value))


async def _answer_sheets(book: Workbook, t: Translator, rows: AsyncIterator[Row], surveys: SurveyCatalog) -> None:
    """A sheet per survey (each defined survey, and any other found in the answers), filled in a worker thread a
    chunk of runs at a time. The rows come grouped by survey, then by run, each run's answers in order."""
    sheets = {survey.id: _AnswerSheet(book, t, survey.id, survey) for survey in surveys}
    current: _AnswerSheet | None = None
    run: _Run | None = None
    done: list[_Run] = []
    async for row in rows:
        if run is None or row["run_id"] != run.run_id:
            if run is not None:
                done.append(run)
            survey_id = row["survey"]
            if survey_id not in sheets:
                sheets[survey_id] = _AnswerSheet(book, t, survey_id, None)
            if current is not None and (sheets[survey_id] is not current or len(done) >= _CHUNK):
                await asyncio.to_thread(_append, current.sheet, done, current.row)
                done = []
            current = sheets[survey_id]
            run = _Run(row["run_id"], row["participant_id"], row["wave"])
        run.answers[row["question"]] = row["value"]
        run.answered_at = row["answered_at"]
    if current is not None and run is not None:
        done.append(run)
        await asyncio.to_thread(_append, current.sheet, done, current.row)


def _sheet_name(title: str, taken: list[str]) -> str:
    """A worksheet name: at most 31 characters, none of []:*?/\\, not one of the workbook's names already."""
    name = shorten(" ".join(re.sub(r"[\[\]:*?/\\]", " ", title).split()), 31) or "?"
    used = {existing.casefold() for existing in taken}
    candidate, number = name, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate, number = shorten(name, 31 - len(suffix)) + suffix, number + 1
    return candidate


def _broadcast(row: dict[str, Any]) -> list[Any]:
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


def _answer_values(value: str | None) -> list[str]:
    """A stored answer (JSON: one value, or a list for a multiple choice) as its values; none if erased."""
    if value is None:
        return []
    decoded = json.loads(value)
    return [str(v) for v in decoded] if isinstance(decoded, list) else [str(decoded)]


def _bold(sheet: WriteOnlyWorksheet, value: str) -> Any:
    return xlsx_cell(sheet, value, _BOLD)


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
