"""Checking a course catalogue that programme staff send as a CSV or XLSX file: all of it, or none of it.

Here live the catalogue's columns (see ``COLUMNS``; one row per course, ``data/sample_courses.csv`` is an
example), the checks of each row, the result types, and the rule that a file with any problem is rejected as a
whole: every problem is collected, each as a message key with parameters (the texts live in the gettext
catalogues), staff fix the file and send it again, and the catalogue never holds half an import. Reading the
sheet and its cells is :mod:`bot.services.spreadsheet`'s.

Times in the file are the venue's local time (the province's zone: WIB, WITA or WIT); the specs carry UTC.

Problem keys, those found while reading the sheet included (row 0 is the file as a whole, header problems are on
the header's row):

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
``err-import-institute-city`` (institute, city, first_city, first_row), ``err-import-coordinates`` (lat, lon).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from bot.services.import_codes import read_code
from bot.services.provinces import Province, ProvinceCatalog
from bot.services.spreadsheet import (
    ImportProblem,
    LocalSession,
    SheetRow,
    Table,
    block,
    cell_text,
    collapse,
    header_columns,
    parse_deadline,
    parse_session,
    read_sheet,
    session_lines,
    shown,
    used_width,
    whole_number,
)
from bot.services.venue import parse_coordinates

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
# The venue's coordinates (decimal degrees), optional: the attendance location check needs them.
COL_LAT: Final = "lat"
COL_LON: Final = "lon"

# In the order of the sample file; staff may order the columns as they like.
COLUMNS: Final[tuple[str, ...]] = (COL_CODE, COL_TITLE, COL_CATEGORY, COL_DESCRIPTION, COL_INSTITUTE,
    COL_INSTITUTE_CITY, COL_INSTITUTE_CONTACT, COL_REGENCY, COL_PROVINCE, COL_ADDRESS, COL_CAPACITY, COL_DEADLINE,
    COL_STATUS, COL_SESSIONS)  # fmt: skip
# Optional columns after those: the venue's coordinates.
COORDINATE_COLUMNS: Final[tuple[str, ...]] = (COL_LAT, COL_LON)
OPTIONAL_COLUMNS: Final = frozenset({COL_DESCRIPTION, COL_INSTITUTE_CONTACT, COL_STATUS, *COORDINATE_COLUMNS})
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
    "err-import-coordinates",
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
    coordinates: tuple[float, float] | None = None  # the venue's (lat, lon), when given


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
    table = read_sheet(content, filename)
    if isinstance(table, ImportProblem):
        raise CatalogueRejected([table])
    problems: list[ImportProblem] = []
    courses = _parse_table(table, provinces, problems)
    if problems:
        # Stable: problems of one row stay in the order they were found (column order).
        raise CatalogueRejected(sorted(problems, key=lambda p: p.row))
    return courses


# --- the rows --------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, provinces: ProvinceCatalog, problems: list[ImportProblem]) -> None:
        self._provinces = provinces
        self._problems = problems
        self._code_rows: dict[str, int] = {}
        # institute name (case-insensitive) -> (row, city) where first seen
        self._institutes: dict[str, tuple[int, str]] = {}

    def course(self, row: SheetRow) -> CourseSpec | None:
        code = read_code(row, COL_CODE, self._code_rows)
        title = row.required(COL_TITLE)
        category = row.required(COL_CATEGORY)
        description = block(cell_text(row.cell(COL_DESCRIPTION)))
        institute = self._institute(row)
        regency = row.required(COL_REGENCY)
        province_text = row.required(COL_PROVINCE)
        province = None if province_text is None else self._province(row, province_text)
        address = row.required(COL_ADDRESS)
        capacity = self._capacity(row)
        deadline = self._deadline(row)
        status = self._status(row)
        sessions = self._sessions(row)
        coordinates = parse_coordinates(cell_text(row.cell(COL_LAT)), cell_text(row.cell(COL_LON)))
        if coordinates is False:
            row.problem("err-import-coordinates", lat=shown(row.cell(COL_LAT)), lon=shown(row.cell(COL_LON)))
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
            coordinates=coordinates or None,
        )

    def _institute(self, row: SheetRow) -> InstituteSpec | None:
        name = row.required(COL_INSTITUTE)
        city = row.required(COL_INSTITUTE_CITY)
        contact = block(cell_text(row.cell(COL_INSTITUTE_CONTACT)))
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

    def _province(self, row: SheetRow, text: str) -> Province | None:
        found = self._provinces.match(text)
        if not found:
            row.problem("err-import-province-unknown", value=shown(text))
            return None
        if len(found) > 1:
            row.problem(
                "err-import-province-ambiguous",
                value=shown(text),
                candidates=", ".join(p.name for p in found),
            )
            return None
        return found[0]

    def _capacity(self, row: SheetRow) -> int | None:
        cell = row.required_cell(COL_CAPACITY)
        if cell is None:
            return None
        value = whole_number(cell)
        if value is None or not 0 < value <= MAX_CAPACITY:
            row.problem("err-import-capacity", value=shown(cell), max=str(MAX_CAPACITY))
            return None
        return value

    def _deadline(self, row: SheetRow) -> datetime | None:
        cell = row.required_cell(COL_DEADLINE)
        if cell is None:
            return None
        value = parse_deadline(cell)
        if value is None:
            row.problem("err-import-deadline-format", value=shown(cell))
        return value

    def _status(self, row: SheetRow) -> str | None:
        text = collapse(cell_text(row.cell(COL_STATUS)))
        if not text:
            return DEFAULT_STATUS
        status = STATUSES.get(text.casefold())
        if status is None:
            row.problem("err-import-status", value=shown(text))
        return status

    def _sessions(self, row: SheetRow) -> list[LocalSession]:
        if not row.has(COL_SESSIONS):
            return []
        lines = session_lines(row.cell(COL_SESSIONS))
        if not lines:
            row.problem("err-import-no-sessions")
            return []
        sessions = [session for session in (parse_session(row, line) for line in lines) if session is not None]
        if len(sessions) != len(lines):
            return []  # the bad lines are reported; no partial course
        previous: LocalSession | None = None  # the session ending last among those before
        for session in sorted(sessions, key=lambda s: (s.starts_at, s.ends_at)):
            if previous is not None:
                if session.identity() == previous.identity():
                    row.problem("err-import-session-duplicate", session=shown(session.line))
                elif session.starts_at < previous.ends_at:
                    row.problem("err-import-session-overlap", session=shown(session.line), other=shown(previous.line))
            if previous is None or session.ends_at > previous.ends_at:
                previous = session
        return sessions


# --- the table -------------------------------------------------------------------------------------------


def _parse_table(table: Table, provinces: ProvinceCatalog, problems: list[ImportProblem]) -> list[CourseSpec]:
    if not table:
        problems.append(ImportProblem(0, "err-import-empty"))
        return []
    (header_row, header), data = table[0], table[1:]
    columns = header_columns(header_row, header, COLUMNS + COORDINATE_COLUMNS, REQUIRED_COLUMNS, problems)
    if not data:
        problems.append(ImportProblem(0, "err-import-empty"))
        return []
    header_width = used_width(header)
    parser = _Parser(provinces, problems)
    courses: list[CourseSpec] = []
    for number, cells in data:
        used = used_width(cells)
        row = SheetRow(number, {name: cells[i] if i < len(cells) else None for name, i in columns.items()}, problems)
        if used > header_width:
            # Usually an address with an unquoted comma that shifted the rest of the row.
            row.problem("err-import-extra-cells", cells=str(used), columns=str(header_width))
        course = parser.course(row)
        if course is not None:
            courses.append(course)
    return courses
