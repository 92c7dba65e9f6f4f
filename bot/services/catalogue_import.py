"""Import of the course catalogue from a CSV or XLSX file prepared by programme staff.

One row per course; the header row names the columns (see ``COLUMNS``; ``data/sample_courses.csv`` is an
example). Every problem in the file is collected, each as a message key with parameters (the texts live in the
gettext catalogues, not here), and a file with any problem is rejected as a whole: staff fix the file and send it
again, so the catalogue never holds half an import.

Times in the file are the venue's local time (the province's zone: WIB, WITA or WIT); the specs carry UTC.

Problem keys (row 0 is the file as a whole, header problems are on the header's row):

``err-import-file-type`` (extension), ``err-import-encoding`` (line), ``err-import-csv-malformed`` (line),
``err-import-xlsx-unreadable``, ``err-import-empty``,
``err-import-missing-column`` (column), ``err-import-duplicate-column`` (column),
``err-import-extra-cells`` (cells, columns), ``err-import-cell-empty`` (column),
``err-import-code-format`` (value), ``err-import-code-duplicate`` (code, first_row),
``err-import-province-unknown`` (value), ``err-import-province-ambiguous`` (value, candidates),
``err-import-capacity`` (value, max), ``err-import-deadline-format`` (value),
``err-import-deadline-after-end`` (deadline, last_end), ``err-import-status`` (value),
``err-import-no-sessions``, ``err-import-session-format`` (session), ``err-import-session-date`` (session, value),
``err-import-session-time`` (session, value), ``err-import-session-order`` (session),
``err-import-session-duplicate`` (session), ``err-import-session-overlap`` (session, other),
``err-import-institute-city`` (institute, city, first_city, first_row).
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
from datetime import UTC, date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any, Final, TypeAlias

from bot.services.provinces import Province, ProvinceCatalog
from bot.text import shorten

# What a cell can hold: text from a CSV, or what openpyxl gives for an XLSX cell.
Cell: TypeAlias = str | int | float | bool | datetime | date | time | timedelta | None

# --- the format ------------------------------------------------------------------------------------------

COL_CODE: Final = "kode"
COL_TITLE: Final = "judul"
COL_CATEGORY: Final = "kategori"
COL_DESCRIPTION: Final = "deskripsi"
COL_INSTITUTE: Final = "lpk"
COL_INSTITUTE_CITY: Final = "kota_lpk"
COL_INSTITUTE_CONTACT: Final = "kontak_lpk"
COL_REGENCY: Final = "kabupaten_kota"
COL_PROVINCE: Final = "provinsi"
COL_ADDRESS: Final = "alamat"
COL_CAPACITY: Final = "kapasitas"
COL_DEADLINE: Final = "batas_pendaftaran"
COL_STATUS: Final = "status"
COL_SESSIONS: Final = "sesi"

# In the order of the sample file; staff may order the columns as they like.
COLUMNS: Final[tuple[str, ...]] = (
    COL_CODE,
    COL_TITLE,
    COL_CATEGORY,
    COL_DESCRIPTION,
    COL_INSTITUTE,
    COL_INSTITUTE_CITY,
    COL_INSTITUTE_CONTACT,
    COL_REGENCY,
    COL_PROVINCE,
    COL_ADDRESS,
    COL_CAPACITY,
    COL_DEADLINE,
    COL_STATUS,
    COL_SESSIONS,
)
OPTIONAL_COLUMNS: Final = frozenset({COL_DESCRIPTION, COL_INSTITUTE_CONTACT, COL_STATUS})
REQUIRED_COLUMNS: Final[tuple[str, ...]] = tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)

STATUSES: Final[Mapping[str, str]] = {
    "buka": "open",
    "open": "open",
    "tutup": "closed",
    "closed": "closed",
    "selesai": "finished",
    "finished": "finished",
}
DEFAULT_STATUS: Final = "open"

# More than this in one course is a typo (an extra zero), not a class.
MAX_CAPACITY: Final = 1000
# Dates outside these years are typos ("2062", "0226"); they also keep UTC conversion far from datetime's limits.
MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2099
# Longest cell value quoted back in a problem; longer ones are cut with "…".
SHOWN_MAX: Final = 80

PROBLEM_KEYS: Final[tuple[str, ...]] = (
    "err-import-file-type",
    "err-import-encoding",
    "err-import-csv-malformed",
    "err-import-xlsx-unreadable",
    "err-import-empty",
    "err-import-missing-column",
    "err-import-duplicate-column",
    "err-import-extra-cells",
    "err-import-cell-empty",
    "err-import-code-format",
    "err-import-code-duplicate",
    "err-import-province-unknown",
    "err-import-province-ambiguous",
    "err-import-capacity",
    "err-import-deadline-format",
    "err-import-deadline-after-end",
    "err-import-status",
    "err-import-no-sessions",
    "err-import-session-format",
    "err-import-session-date",
    "err-import-session-time",
    "err-import-session-order",
    "err-import-session-duplicate",
    "err-import-session-overlap",
    "err-import-institute-city",
)

# --- results ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstituteSpec:
    name: str
    city: str
    contact: str  # "" when not given


@dataclass(frozen=True, slots=True)
class SessionSpec:
    starts_at: datetime  # aware, UTC
    ends_at: datetime  # aware, UTC
    topic: str
    venue_address: str | None  # None: at the course's venue


@dataclass(frozen=True, slots=True)
class CourseSpec:
    row: int  # spreadsheet row number (the header is row 1 in a normal file)
    code: str  # upper case
    title: str
    category: str
    description: str  # "" when not given
    institute: InstituteSpec
    regency: str
    province_code: str  # BPS code
    venue_address: str
    timezone: str  # IANA zone of the province
    capacity: int
    registration_deadline: datetime  # aware, UTC
    status: str  # "open" | "closed" | "finished"
    sessions: tuple[SessionSpec, ...]  # sorted by start time


@dataclass(frozen=True, slots=True)
class ImportProblem:
    row: int  # 0: the file as a whole
    key: str
    params: dict[str, str] = field(default_factory=dict)


class CatalogueRejected(Exception):
    """The file has problems; ``problems`` lists all of them, in row order."""

    problems: list[ImportProblem]

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        super().__init__(f"catalogue rejected: {len(problems)} problem(s)")
        self.problems = list(problems)


# --- entry point -----------------------------------------------------------------------------------------


def parse_catalogue(content: bytes, filename: str, provinces: ProvinceCatalog) -> list[CourseSpec]:
    """The courses of a catalogue file (``.csv`` or ``.xlsx``), in row order.

    Raises :class:`CatalogueRejected` with every problem found; a file with problems gives no courses at all.
    """
    extension = PurePath(filename).suffix.casefold()
    if extension == ".csv":
        table = _read_csv(content)
    elif extension == ".xlsx":
        table = _read_xlsx(content)
    else:
        raise CatalogueRejected([ImportProblem(0, "err-import-file-type", {"extension": extension})])
    if isinstance(table, ImportProblem):
        raise CatalogueRejected([table])
    problems: list[ImportProblem] = []
    courses = _parse_table(table, provinces, problems)
    if problems:
        # Stable: problems of one row stay in the order they were found (column order).
        raise CatalogueRejected(sorted(problems, key=lambda p: p.row))
    return courses


# --- reading the file ------------------------------------------------------------------------------------

# Non-empty rows with their row numbers as a spreadsheet program shows them.
_Table: TypeAlias = list[tuple[int, list[Cell]]]


def _read_csv(content: bytes) -> _Table | ImportProblem:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Typically "CSV (Comma delimited)" from Excel on Windows (cp1252) instead of "CSV UTF-8".
        return ImportProblem(0, "err-import-encoding", {"line": str(content.count(b"\n", 0, exc.start) + 1)})
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    table: _Table = []
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


def _read_xlsx(content: bytes) -> _Table | ImportProblem:
    # Imported here: only XLSX uploads pay for loading openpyxl. Through importlib it is typed Any, which is
    # what it is (openpyxl ships no type information).
    openpyxl: Any = importlib.import_module("openpyxl")
    table: _Table = []
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
    return all(not _text(cell).strip() for cell in cells)


# --- cells -----------------------------------------------------------------------------------------------


def _text(cell: Cell) -> str:
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


def _collapse(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _block(text: str) -> str:
    """Multi-line text (description, contact): each line collapsed, line breaks kept, no blank lines around."""
    lines = (" ".join(line.split()) for line in unicodedata.normalize("NFC", text).splitlines())
    return "\n".join(lines).strip("\n")


def _shown(cell: Cell) -> str:
    text = _collapse(_text(cell))
    return shorten(text, SHOWN_MAX)


def _column_key(cell: Cell) -> str:
    """Header cell -> column name: case and surrounding spaces ignored, spaces accepted for underscores."""
    return "_".join(_text(cell).casefold().split())


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


def _parse_date(text: str) -> date | None:
    match = _DATE_RE.fullmatch(text.strip())
    return None if match is None else _date_from(match)


def _time_of(hour: str, minute: str, second: str | None = None) -> time | None:
    try:
        return time(int(hour), int(minute), int(second or 0))
    except ValueError:
        return None


def _parse_clock(text: str) -> time | None:
    """A session's start or end: "08:00" or "08.00", 24-hour."""
    match = _CLOCK_RE.fullmatch(text)
    return None if match is None else _time_of(match["hour"], match["minute"])


def _parse_deadline(cell: Cell) -> datetime | None:
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
class _LocalSession:
    line: str  # as written, for problems
    starts_at: datetime  # naive, venue local time
    ends_at: datetime
    topic: str
    venue_address: str | None

    def identity(self) -> tuple[datetime, datetime, str, str]:
        return self.starts_at, self.ends_at, self.topic.casefold(), (self.venue_address or "").casefold()


# --- the rows --------------------------------------------------------------------------------------------


class _Row:
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
        text = _collapse(_text(self.cell(column)))
        if not text:
            self.problem("err-import-cell-empty", column=column)
            return None
        return text

    def required_cell(self, column: str) -> Cell:
        """The raw cell when it is not empty; None as :meth:`required`."""
        return self.cell(column) if self.required(column) is not None else None


_CODE_RE = re.compile(r"[A-Za-z0-9_-]{2,30}")


class _Parser:
    def __init__(self, provinces: ProvinceCatalog, problems: list[ImportProblem]) -> None:
        self._provinces = provinces
        self._problems = problems
        self._code_rows: dict[str, int] = {}
        # institute name (case-insensitive) -> (row, city) where first seen
        self._institutes: dict[str, tuple[int, str]] = {}

    def course(self, row: _Row) -> CourseSpec | None:
        code = self._code(row)
        title = row.required(COL_TITLE)
        category = row.required(COL_CATEGORY)
        description = _block(_text(row.cell(COL_DESCRIPTION)))
        institute = self._institute(row)
        regency = row.required(COL_REGENCY)
        province_text = row.required(COL_PROVINCE)
        province = None if province_text is None else self._province(row, province_text)
        address = row.required(COL_ADDRESS)
        capacity = self._capacity(row)
        deadline = self._deadline(row)
        status = self._status(row)
        sessions = self._sessions(row)
        if deadline is not None and sessions:
            last = max(sessions, key=lambda s: s.ends_at)
            if deadline > last.ends_at:
                zone = "" if province is None else " " + province.zone
                row.problem(
                    "err-import-deadline-after-end",
                    deadline=f"{deadline:%Y-%m-%d %H:%M}{zone}",
                    last_end=f"{last.ends_at:%Y-%m-%d %H:%M}{zone}",
                )
        if not row.ok:
            return None
        if (
            code is None
            or title is None
            or category is None
            or institute is None
            or regency is None
            or province is None
            or address is None
            or capacity is None
            or deadline is None
            or status is None
            or not sessions
        ):
            return None  # a required column is missing: reported on the header row
        tz = province.tzinfo

        def utc(local: datetime) -> datetime:
            # Indonesia has no daylight saving time: every local time exists exactly once.
            return local.replace(tzinfo=tz).astimezone(UTC)

        return CourseSpec(
            row=row.number,
            code=code,
            title=title,
            category=category,
            description=description,
            institute=institute,
            regency=regency,
            province_code=province.code,
            venue_address=address,
            timezone=province.timezone,
            capacity=capacity,
            registration_deadline=utc(deadline),
            status=status,
            sessions=tuple(
                SessionSpec(utc(s.starts_at), utc(s.ends_at), s.topic, s.venue_address)
                for s in sorted(sessions, key=lambda s: (s.starts_at, s.ends_at))
            ),
        )

    def _code(self, row: _Row) -> str | None:
        text = row.required(COL_CODE)
        if text is None:
            return None
        if not _CODE_RE.fullmatch(text):
            row.problem("err-import-code-format", value=_shown(text))
            return None
        code = text.upper()
        first_row = self._code_rows.setdefault(code, row.number)
        if first_row != row.number:
            row.problem("err-import-code-duplicate", code=code, first_row=str(first_row))
            return None
        return code

    def _institute(self, row: _Row) -> InstituteSpec | None:
        name = row.required(COL_INSTITUTE)
        city = row.required(COL_INSTITUTE_CITY)
        contact = _block(_text(row.cell(COL_INSTITUTE_CONTACT)))
        if name is None or city is None:
            return None
        first_row, first_city = self._institutes.setdefault(name.casefold(), (row.number, city))
        if first_city.casefold() != city.casefold():
            row.problem(
                "err-import-institute-city",
                institute=name,
                city=city,
                first_city=first_city,
                first_row=str(first_row),
            )
            return None
        return InstituteSpec(name=name, city=city, contact=contact)

    def _province(self, row: _Row, text: str) -> Province | None:
        found = self._provinces.match(text)
        if not found:
            row.problem("err-import-province-unknown", value=_shown(text))
            return None
        if len(found) > 1:
            row.problem(
                "err-import-province-ambiguous",
                value=_shown(text),
                candidates=", ".join(p.name for p in found),
            )
            return None
        return found[0]

    def _capacity(self, row: _Row) -> int | None:
        cell = row.required_cell(COL_CAPACITY)
        if cell is None:
            return None
        value = _whole_number(cell)
        if value is None or not 0 < value <= MAX_CAPACITY:
            row.problem("err-import-capacity", value=_shown(cell), max=str(MAX_CAPACITY))
            return None
        return value

    def _deadline(self, row: _Row) -> datetime | None:
        cell = row.required_cell(COL_DEADLINE)
        if cell is None:
            return None
        value = _parse_deadline(cell)
        if value is None:
            row.problem("err-import-deadline-format", value=_shown(cell))
        return value

    def _status(self, row: _Row) -> str | None:
        text = _collapse(_text(row.cell(COL_STATUS)))
        if not text:
            return DEFAULT_STATUS
        status = STATUSES.get(text.casefold())
        if status is None:
            row.problem("err-import-status", value=_shown(text))
        return status

    def _sessions(self, row: _Row) -> list[_LocalSession]:
        if not row.has(COL_SESSIONS):
            return []
        lines = [
            line
            for line in (_collapse(part) for part in _SESSION_SPLIT_RE.split(_text(row.cell(COL_SESSIONS))))
            if line
        ]
        if not lines:
            row.problem("err-import-no-sessions")
            return []
        sessions = [session for session in (_session(row, line) for line in lines) if session is not None]
        if len(sessions) != len(lines):
            return []  # the bad lines are reported; no partial course
        previous: _LocalSession | None = None  # the session ending last among those before
        for session in sorted(sessions, key=lambda s: (s.starts_at, s.ends_at)):
            if previous is not None:
                if session.identity() == previous.identity():
                    row.problem("err-import-session-duplicate", session=_shown(session.line))
                elif session.starts_at < previous.ends_at:
                    row.problem("err-import-session-overlap", session=_shown(session.line), other=_shown(previous.line))
            if previous is None or session.ends_at > previous.ends_at:
                previous = session
        return sessions


def _session(row: _Row, line: str) -> _LocalSession | None:
    shown = _shown(line)
    match = _SESSION_RE.fullmatch(line)
    if match is None:
        row.problem("err-import-session-format", session=shown)
        return None
    rest = match["rest"] or ""
    venue_match = _VENUE_RE.search(rest)
    topic = (rest if venue_match is None else rest[: venue_match.start()]).strip()
    venue = None if venue_match is None else rest[venue_match.end() :].strip()
    if not topic or venue == "":
        row.problem("err-import-session-format", session=shown)
        return None
    day = _parse_date(match["date"])
    if day is None:
        row.problem("err-import-session-date", session=shown, value=match["date"])
    start = _parse_clock(match["start"])
    if start is None:
        row.problem("err-import-session-time", session=shown, value=match["start"])
    end = _parse_clock(match["end"])
    if end is None:
        row.problem("err-import-session-time", session=shown, value=match["end"])
    if day is None or start is None or end is None:
        return None
    if end <= start:
        row.problem("err-import-session-order", session=shown)
        return None
    return _LocalSession(
        line=line,
        starts_at=datetime.combine(day, start),
        ends_at=datetime.combine(day, end),
        topic=topic,
        venue_address=venue,
    )


_WHOLE_NUMBER_RE = re.compile(r"\+?(?P<digits>[0-9]{1,9})(?:[.,]0{1,2})?")


def _whole_number(cell: Cell) -> int | None:
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


# --- the table -------------------------------------------------------------------------------------------


def _parse_table(table: _Table, provinces: ProvinceCatalog, problems: list[ImportProblem]) -> list[CourseSpec]:
    if not table:
        problems.append(ImportProblem(0, "err-import-empty"))
        return []
    (header_row, header), data = table[0], table[1:]
    columns = _columns(header_row, header, problems)
    if not data:
        problems.append(ImportProblem(0, "err-import-empty"))
        return []
    header_width = max((i + 1 for i, cell in enumerate(header) if _text(cell).strip()), default=0)
    parser = _Parser(provinces, problems)
    courses: list[CourseSpec] = []
    for number, cells in data:
        used = max((i + 1 for i, cell in enumerate(cells) if _text(cell).strip()), default=0)
        row = _Row(number, {name: cells[i] if i < len(cells) else None for name, i in columns.items()}, problems)
        if used > header_width:
            # Usually an address with an unquoted comma that shifted the rest of the row.
            row.problem("err-import-extra-cells", cells=str(used), columns=str(header_width))
        course = parser.course(row)
        if course is not None:
            courses.append(course)
    return courses


def _columns(header_row: int, header: Iterable[Cell], problems: list[ImportProblem]) -> dict[str, int]:
    """Known column name -> index. Unknown columns (a "no" or "catatan" column) are ignored."""
    columns: dict[str, int] = {}
    duplicates: list[str] = []
    for index, cell in enumerate(header):
        name = _column_key(cell)
        if name not in COLUMNS:
            continue
        if name in columns:
            if name not in duplicates:
                duplicates.append(name)
            continue
        columns[name] = index
    for name in duplicates:
        problems.append(ImportProblem(header_row, "err-import-duplicate-column", {"column": name}))
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            problems.append(ImportProblem(header_row, "err-import-missing-column", {"column": name}))
    return columns
