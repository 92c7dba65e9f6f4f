"""The workbook's survey sheets (bot/services/report_files.py adds them): a sheet per survey, a row per run, a
column per question, each answer in the reader's words from the survey's definition."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import Translator
from bot.services.report_cells import LocalTimes, Memo, wave_label
from bot.services.survey_catalog import Survey, SurveyCatalog
from bot.services.xlsx_book import Bold, Book
from bot.storage.db import Row
from bot.text import shorten

# A sheet per survey: these columns, then one per question of the survey, then answers to questions it no longer has.
ANSWER_COLUMNS = ["run", "id", "wave", "answered"]
# Runs handed to the worker thread at a time.
_CHUNK = 5000


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

    def __init__(self, book: Book, t: Translator, survey_id: str, survey: Survey | None) -> None:
        language = t.language
        questions = survey.questions if survey else []
        self._questions = [q.id for q in questions]
        self._options = {q.id: {o.value: o.label.get(language) for o in q.options} for q in questions}
        # Each question's stored answers in the reader's words, each distinct answer converted once.
        self._answers: dict[str, Memo[str | None, str]] = {}
        self._waves: Memo[str, str] = Memo(lambda wave: wave_label(t, wave))
        self._times = LocalTimes()
        title = survey.title.get(language) if survey else survey_id
        self.sheet = book.add_sheet(_sheet_name(title, book.names))
        self.sheet.freeze_header()
        headers = [t.plain(f"xlsx-col-{h}") for h in ANSWER_COLUMNS]
        headers += [q.text.get(language) for q in questions]
        headers.append(t.plain("xlsx-col-other-answers"))
        self.sheet.widths(14 if index < 4 else 30 for index in range(len(headers)))
        self.sheet.append([Bold(header) for header in headers])

    def row(self, run: _Run) -> list[Any]:
        answers = run.answers
        cells: list[Any] = [run.run_id, run.participant_id, self._waves[run.wave], self._times(run.answered_at)]
        cells += [self._answer(q, answers[q]) if q in answers else "" for q in self._questions]
        other = [f"{q}: {self._answer(q, v)}" for q, v in answers.items() if q not in self._options]
        cells.append("; ".join(other))
        return cells

    def _answer(self, question: str, value: str | None) -> str:
        words = self._answers.get(question)
        if words is None:
            words = self._answers[question] = Memo(lambda stored: self._words(question, stored))
        return words[value]

    def _words(self, question: str, value: str | None) -> str:
        labels = self._options.get(question, {})
        return ", ".join(labels.get(v, v) for v in _answer_values(value))


async def add_sheets(book: Book, t: Translator, rows: AsyncIterator[Row], surveys: SurveyCatalog) -> None:
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
                await asyncio.to_thread(current.sheet.extend, map(current.row, done))
                done = []
            current = sheets[survey_id]
            run = _Run(row["run_id"], row["participant_id"], row["wave"])
        run.answers[row["question"]] = row["value"]
        run.answered_at = row["answered_at"]
    if current is not None and run is not None:
        done.append(run)
        await asyncio.to_thread(current.sheet.extend, map(current.row, done))


def _sheet_name(title: str, taken: list[str]) -> str:
    """A worksheet name: at most 31 characters, none of []:*?/\\, not one of the workbook's names already."""
    name = shorten(" ".join(re.sub(r"[\[\]:*?/\\]", " ", title).split()), 31) or "?"
    used = {existing.casefold() for existing in taken}
    candidate, number = name, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate, number = shorten(name, 31 - len(suffix)) + suffix, number + 1
    return candidate


def _answer_values(value: str | None) -> list[str]:
    """A stored answer (JSON: one value, or a list for a multiple choice) as its values; none if erased."""
    if value is None:
        return []
    decoded = json.loads(value)
    return [str(v) for v in decoded] if isinstance(decoded, list) else [str(decoded)]
