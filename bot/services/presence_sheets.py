"""The workbook's attendance sheets (bot/services/report_files.py adds them): the real attendance rate per course,
institute and province with the no-shows who had said "hadir", and one row per enrolment and session with the
reminder's intent beside what was recorded (QR or roll call). "Intent" and "real" stay two columns, never merged."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.i18n import Translator
from bot.services.report_cells import LocalTimes, Memo
from bot.services.reports import Group, Summary
from bot.services.xlsx_book import Bold, Book
from bot.storage.db import Row
from bot.storage.presence import (
    ABSENT,
    BY_STAFF,
    EXCUSED,
    INSIDE,
    LOCATION_PENDING,
    NOT_CHECKED,
    OUTSIDE,
    PRESENT,
    QR,
    ROLL_CALL,
)
from bot.storage.reports import AttendanceFigures, ReportRepository

RATE_HEADERS = ("xlsx-group", "xlsx-expected", "xlsx-present", "xlsx-excused", "xlsx-attendance-rate",
                "xlsx-no-shows")  # fmt: skip
ROW_HEADERS = ("xlsx-col-enrollment", "xlsx-col-id", "xlsx-col-course", "xlsx-col-session", "xlsx-col-session_start",
               "xlsx-col-intent", "xlsx-col-presence", "xlsx-col-source", "xlsx-col-location",
               "xlsx-col-recorded")  # fmt: skip
# Stored codes in the reader's words.
WORDS = {
    "intent": {"yes": "mydata-intent-yes", "no": "mydata-intent-no"},
    "status": {PRESENT: "xlsx-presence-present", ABSENT: "xlsx-presence-absent", EXCUSED: "xlsx-presence-excused"},
    "source": {QR: "xlsx-source-qr", ROLL_CALL: "xlsx-source-roll-call"},
    "location": {
        NOT_CHECKED: "xlsx-location-not-checked",
        LOCATION_PENDING: "xlsx-location-pending",
        INSIDE: "xlsx-location-inside",
        OUTSIDE: "xlsx-location-outside",
        BY_STAFF: "xlsx-location-staff",
    },
}
_CHUNK = 5000


async def add_sheets(
    book: Book, t: Translator, reports: ReportRepository, summary: Summary, groups: dict[str, list[Group]]
) -> None:
    rates = book.add_sheet(t.plain("xlsx-sheet-attendance"))
    rates.append([Bold(t.plain(h)) for h in RATE_HEADERS])
    rates.append(_rate_row(t.plain("xlsx-all"), summary.attendance))
    for grouping, lines in groups.items():
        rates.append([])
        rates.append([Bold(t.plain(f"xlsx-by-{grouping}"))])
        for group in lines:
            name = f"{group.key} {group.label}".strip() if grouping == "course" else group.label
            rates.append(_rate_row(name, group.attendance))
    sheet = book.add_sheet(t.plain("xlsx-sheet-presence"))
    sheet.freeze_header()
    sheet.append([Bold(t.plain(h)) for h in ROW_HEADERS])
    cells = _cells(t)
    chunk: list[Row] = []
    async for row in reports.presence_rows(summary.scope):
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            await asyncio.to_thread(sheet.extend, map(cells, chunk))
            chunk = []
    await asyncio.to_thread(sheet.extend, map(cells, chunk))


def _rate_row(name: str, figures: AttendanceFigures | None) -> list[Any]:
    if figures is None:
        return [name]
    rate = "–" if figures.rate is None else f"{figures.rate * 100:.0f}%"
    return [name, figures.expected, figures.present, figures.excused, rate, figures.no_shows]


def _cells(t: Translator) -> Callable[[Row], list[Any]]:
    """A row's cells: each column's stored codes in the reader's words (translated once each), times in WIB."""

    def words(column: str) -> Memo[str | None, str | None]:
        keys = WORDS[column]
        return Memo(lambda value: _word(t, keys, value))

    intents, statuses, sources, locations = (words(c) for c in ("intent", "status", "source", "location"))
    times = LocalTimes()

    def cells(row: Row) -> list[Any]:
        return [
            row["enrollment"],
            row["participant_id"],
            row["code"],
            row["position"],
            times(row["starts_at"]),
            intents[row["intent"]],
            statuses[row["status"]],
            sources[row["source"]],
            locations[row["location"]],
            times(row["recorded_at"]),
        ]

    return cells


def _word(t: Translator, words: dict[str, str], value: str | None) -> str | None:
    key = words.get(value or "")
    return None if key is None else t.plain(key)
