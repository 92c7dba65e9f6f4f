"""Reading a CSV or XLSX sheet that staff upload for an import, before any rule about what the rows describe.

Here live the file read into numbered rows (``read_sheet``: the file type, the encoding, Excel's ";" separator,
the first worksheet of a workbook), the header matched to known column names, one data row's cells by column
(``SheetRow``, which records every problem found in the row as an :class:`ImportProblem`, a message key with
parameters whose text lives in the gettext catalogues), and the readings of one cell as a person types it: text
collapsed or kept as lines, a whole number, an Indonesian date, a deadline, a clock time and a session line
("DATE START-END TOPIC @ VENUE"). Whether the values make a valid course is the catalogue import's business,
so another import with the same "all or nothing, every problem by row" shape can read its sheet with this
module alone.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any, Final, TypeAlias

from bot.text import shorten

# What a cell can hold: text from a CSV, or what openpyxl gives for an XLSX cell.
Cell: TypeAlias = str | int | float | bool | datetime | date | time | timedelta | None

# Non-empty rows with their row numbers as a spreadsheet program shows them.
Table: TypeAlias = list[tuple[int, list[Cell]]]

# Dates outside these years are typos ("2062", "0226"); they also keep UTC conversion far from datetime's limits.
MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2099
# Longest cell value quoted back in a problem; longer ones are cut with "…".
SHOWN_MAX: Final = 80


@dataclass(frozen=True, slots=True)
class ImportProblem:
    row: int  # 0: the file as a whole
    key: str
    params: dict[str, str] = field(default_factory=dict)


# --- reading the file ------------------------------------------------------------------------------------


def read_sheet(content: bytes, filename: str) -> Table | ImportProblem:
    """The non-empty rows of a ``.csv`` file or of an ``.xlsx`` file's first worksheet, or why it cannot be read."""
    extension = PurePath(filename).suffix.casefold()
    if extension == ".csv":
        return _read_csv(content)
    if extension == ".xlsx":
        return _read_xlsx(content)
    return ImportProblem(0, "err-import-file-type", {"extension": extension})


def _read_csv(content: bytes) -> Table | ImportProblem:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Typically "CSV (Comma delimited)" from Excel on Windows (cp1252) instead of "CSV UTF-8".
        return ImportProblem(0, "err-import-encoding", {"line": str(content.count(b"\n", 0, exc.start) + 1)})
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    table: Table = []
    try:
        # One record is one spreadsheet row, even when a quoted cell spans several lines.
        for number, record in enumerate(reader, start=1):
            cells: list[Cell] = list(record)
            if not _is_empty_row(cells):
                table.append((number, cells))
    except csv.Error:
        return ImportProblem(0, "err-import-csv-malformed", {"line": str(reader.line_num)})
    return table


def _delimiter(text: str) -> str:
    """The header line's separator: ";" (what Excel writes in Indonesian locales) or ","."""
    for line in io.StringIO(text):
        if line.strip():
            return ";" if line.count(";") > line.count(",") else ","
    return ","


def _read_xlsx(content: bytes) -> Table | ImportProblem:
    # Imported here: only XLSX uploads pay for loading openpyxl. Through importlib it is typed Any, which is
    # what it is (openpyxl ships no type information).
    openpyxl: Any = importlib.import_module("openpyxl")
    table: Table = []
    with warnings.catch_warnings():
        # openpyxl warns about spreadsheet features it drops (data validation, conditional formatting...);
        # none of them matter for reading cell values.
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # not a zip, not a workbook, broken XML: all "cannot read this file"
            return ImportProblem(0, "err-import-xlsx-unreadable")
        try:
            if not workbook.worksheets:
                return table
            sheet = workbook.worksheets[0]
            # The stored dimensions may be wrong (files written by other programs); read what is there.
            sheet.reset_dimensions()
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                cells: list[Cell] = list(values)
                if not _is_empty_row(cells):
                    table.append((number, cells))
        except Exception:
            return ImportProblem(0, "err-import-xlsx-unreadable")
        finally:
            workbook.close()
    return table


def _is_empty_row(cells: Sequence[Cell]) -> bool:
    return all(not cell_text(cell).strip() for cell in cells)


def header_columns(
    header_row: int,
    header: Iterable[Cell],
    known: Sequence[str],
    required: Sequence[str],
    problems: list[ImportProblem],
) -> dict[str, int]:
    """Known column name -> index. Unknown columns (a "no" or "catatan" column) are ignored."""
    columns: dict[str, int] = {}
    duplicates: list[str] = []
    for index, cell in enumerate(header):
        name = _column_key(cell)
        if name not in known:
            continue
        if name in columns:
            if name not in duplicates:
                duplicates.append(name)
            continue
        columns[name] = index
    for name in duplicates:
        problems.append(ImportProblem(header_row, "err-import-duplicate-column", {"column": name}))
    for name in required:
        if name not in columns:
            problems.append(ImportProblem(header_row, "err-import-missing-column", {"column": name}))
    return columns


def used_width(cells: Sequence[Cell]) -> int:
    """How many cells of a row are in use: up to the last non-empty one."""
    return max((i + 1 for i, cell in enumerate(cells) if cell_text(cell).strip()), default=0)


# --- one row ---------------------------------------------------------------------------------------------


class SheetRow:
    """One data row: its cells by column, and the problems found in it."""

    def __init__(self, number: int, cells: Mapping[str, Cell], problems: list[ImportProblem]) -> None:
        self.number = number
        self._cells = cells
        self._problems = problems
        self._first_problem = len(problems)

    @property
    def ok(self) -> bool:
        return len(self._problems) == self._first_problem

    def problem(self, key: str, **params: str) -> None:
        self._problems.append(ImportProblem(self.number, key, params))

    def cell(self, column: str) -> Cell:
        return self._cells.get(column)

    def has(self, column: str) -> bool:
        return column in self._cells

    def required(self, column: str) -> str | None:
        """The cell's text collapsed; None (and a problem) when empty, None (no problem) without the column."""
        if not self.has(column):
            return None  # reported once as a missing column
        text = collapse(cell_text(self.cell(column)))
        if not text:
            self.problem("err-import-cell-empty", column=column)
            return None
        return text

    def required_cell(self, column: str) -> Cell:
        """The raw cell when it is not empty; None as :meth:`required`."""
        return self.cell(column) if self.required(column) is not None else None


# --- cells -----------------------------------------------------------------------------------------------


def cell_text(cell: Cell) -> str:
    """A cell as text: CSV text as is, XLSX numbers and dates as a person would type them."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        if cell.time() == time(0):
            return cell.date().isoformat()
        return cell.strftime("%Y-%m-%d %H:%M:%S" if cell.second else "%Y-%m-%d %H:%M")
    if isinstance(cell, time):
        return cell.strftime("%H:%M")
    return str(cell)


def collapse(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def block(text: str) -> str:
    """Multi-line text (description, contact): each line collapsed, line breaks kept, no blank lines around."""
    lines = (" ".join(line.split()) for line in unicodedata.normalize("NFC", text).splitlines())
    return "\n".join(lines).strip("\n")


def shown(cell: Cell) -> str:
    """A cell's value as quoted back in a problem."""
    text = collapse(cell_text(cell))
    return shorten(text, SHOWN_MAX)


def _column_key(cell: Cell) -> str:
    """Header cell -> column name: case and surrounding spaces ignored, spaces accepted for underscores."""
    return "_".join(cell_text(cell).casefold().split())


_WHOLE_NUMBER_RE = re.compile(r"\+?(?P<digits>[0-9]{1,9})(?:[.,]0{1,2})?")


def whole_number(cell: Cell) -> int | None:
    """25, 25.0 (XLSX), "25", "25.0", "25,00"; not 2.5, "dua puluh", "25.000" (which means 25000 in Indonesia)."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() else None
    if isinstance(cell, str):
        match = _WHOLE_NUMBER_RE.fullmatch(cell.strip())
        return None if match is None else int(match["digits"])
    return None


# --- dates and times -------------------------------------------------------------------------------------

_DATE_PATTERN = (
    r"(?:(?P<y1>[0-9]{4})(?P<s1>[-/.])(?P<m1>[0-9]{1,2})(?P=s1)(?P<d1>[0-9]{1,2})"  # 2026-12-01
    r"|(?P<d2>[0-9]{1,2})(?P<s2>[-/.])(?P<m2>[0-9]{1,2})(?P=s2)(?P<y2>[0-9]{4}))"  # 01-12-2026, 01/12/2026
)
_DATE_RE = re.compile(_DATE_PATTERN)
_DEADLINE_RE = re.compile(
    _DATE_PATTERN + r"(?:(?:\s+|T)(?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})(?:[:.](?P<second>[0-9]{2}))?)?"
)
_CLOCK_RE = re.compile(r"(?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})")
# The end of a deadline given as a date only.
_END_OF_DAY = time(23, 59, 59)


def _date_from(match: re.Match[str]) -> date | None:
    year, month, day = (
        (match["y1"], match["m1"], match["d1"]) if match["y1"] is not None else (match["y2"], match["m2"], match["d2"])
    )
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return value if MIN_YEAR <= value.year <= MAX_YEAR else None


def parse_date(text: str) -> date | None:
    """2026-12-01, 01-12-2026 or 01/12/2026 (day first, as Indonesians write it); "." is accepted too."""
    match = _DATE_RE.fullmatch(text.strip())
    return None if match is None else _date_from(match)


def _time_of(hour: str, minute: str, second: str | None = None) -> time | None:
    try:
        return time(int(hour), int(minute), int(second or 0))
    except ValueError:
        return None


def parse_clock(text: str) -> time | None:
    """A session's start or end: "08:00" or "08.00", 24-hour."""
    match = _CLOCK_RE.fullmatch(text)
    return None if match is None else _time_of(match["hour"], match["minute"])


def parse_deadline(cell: Cell) -> datetime | None:
    """Naive local time. A date alone means the end of that day.

    An XLSX date cell arrives as a datetime at midnight; that is a date too (nobody closes registration at the
    very start of a day on purpose), while "2026-12-01 00:00" typed as text is taken as written.
    """
    if isinstance(cell, datetime):
        value = cell.replace(tzinfo=None)
        if value.time() == time(0):
            value = datetime.combine(value.date(), _END_OF_DAY)
        return value if MIN_YEAR <= value.year <= MAX_YEAR else None
    if isinstance(cell, date):
        return datetime.combine(cell, _END_OF_DAY) if MIN_YEAR <= cell.year <= MAX_YEAR else None
    if not isinstance(cell, str):
        return None
    match = _DEADLINE_RE.fullmatch(cell.strip())
    if match is None:
        return None
    day = _date_from(match)
    if day is None:
        return None
    if match["hour"] is None:
        return datetime.combine(day, _END_OF_DAY)
    clock = _time_of(match["hour"], match["minute"], match["second"])
    return None if clock is None else datetime.combine(day, clock)


# --- sessions --------------------------------------------------------------------------------------------

# DATE START-END TOPIC [@ VENUE]; "08.00 s/d 16.00" and dashes Word or Excel made "smart" are accepted too.
_SESSION_RE = re.compile(
    r"(?P<date>\S+)\s+(?P<start>[0-9]{1,2}[:.][0-9]{2})"
    r"(?:\s*[-–—]\s*|\s+(?:s/d|s\.\s?d\.?|sd|sampai)\s+)"
    r"(?P<end>[0-9]{1,2}[:.][0-9]{2})(?:\s+(?P<rest>.*))?"
)
_VENUE_RE = re.compile(r"(?:^|\s)@")
_SESSION_SPLIT_RE = re.compile(r"[;\r\n]+")


@dataclass(frozen=True, slots=True)
class LocalSession:
    line: str  # as written, for problems
    starts_at: datetime  # naive, venue local time
    ends_at: datetime
    topic: str
    venue_address: str | None

    def identity(self) -> tuple[datetime, datetime, str, str]:
        return self.starts_at, self.ends_at, self.topic.casefold(), (self.venue_address or "").casefold()


def session_lines(cell: Cell) -> list[str]:
    """The non-empty lines of a sessions cell, collapsed; sessions are separated by line breaks or ";"."""
    return [line for line in (collapse(part) for part in _SESSION_SPLIT_RE.split(cell_text(cell))) if line]


def parse_session(row: SheetRow, line: str) -> LocalSession | None:
    """One session line, or None with the row's problem recorded."""
    quoted = shown(line)
    match = _SESSION_RE.fullmatch(line)
    if match is None:
        row.problem("err-import-session-format", session=quoted)
        return None
    rest = match["rest"] or ""
    venue_match = _VENUE_RE.search(rest)
    topic = (rest if venue_match is None else rest[: venue_match.start()]).strip()
    venue = None if venue_match is None else rest[venue_match.end() :].strip()
    if not topic or venue == "":
        row.problem("err-import-session-format", session=quoted)
        return None
    day = parse_date(match["date"])
    if day is None:
        row.problem("err-import-session-date", session=quoted, value=match["date"])
    start = parse_clock(match["start"])
    if start is None:
        row.problem("err-import-session-time", session=quoted, value=match["start"])
    end = parse_clock(match["end"])
    if end is None:
        row.problem("err-import-session-time", session=quoted, value=match["end"])
    if day is None or start is None or end is None:
        return None
    if end <= start:
        row.problem("err-import-session-order", session=quoted)
        return None
    return LocalSession(
        line=line,
        starts_at=datetime.combine(day, start),
        ends_at=datetime.combine(day, end),
        topic=topic,
        venue_address=venue,
    )
