"""The workbook's attendance sheets (bot/services/report_files.py adds them): the real attendance rate per course,
institute and province with the no-shows who had said "hadir", and one row per enrolment and session with the
reminder's intent beside what was recorded (QR or roll call). "Intent" and "real" stay two columns, never merged."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.i18n import Translator
from bot.services.reports import REPORT_ZONE, Group, Summary
from bot.services.xlsx_book import Bold, Book, Sheet
from bot.storage.db import Row, from_db_time
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
    chunk: list[Row] = []
    async for row in reports.presence_rows(summary.scope):
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            await asyncio.to_thread(_append, sheet, t, chunk)
            chunk = []
    await asyncio.to_thread(_append, sheet, t, chunk)


def _rate_row(name: str, figures: AttendanceFigures | None) -> list[Any]:
    if figures is None:
        return [name]
    rate = "–" if figures.rate is None else f"{figures.rate * 100:.0f}%"
    return [name, figures.expected, figures.present, figures.excused, rate, figures.no_shows]


def _append(sheet: Sheet, t: Translator, rows: list[Row]) -> None:
    for row in rows:
        sheet.append(
            [
                row["enrollment"],
                row["participant_id"],
                row["code"],
                row["position"],
                _local(row["starts_at"]),
                *(_word(t, column, row[column]) for column in ("intent", "status", "source", "location")),
                _local(row["recorded_at"]),
            ]
        )


def _word(t: Translator, column: str, value: str | None) -> str | None:
    key = WORDS[column].get(value or "")
    return None if key is None else t.plain(key)


def _local(value: str | None) -> str | None:
    return None if not value else from_db_time(value).astimezone(REPORT_ZONE).strftime("%Y-%m-%d %H:%M")
