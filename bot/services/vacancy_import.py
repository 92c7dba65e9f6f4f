"""Checking a vacancy list that staff send as a CSV or XLSX file: all of it, or none of it, like the catalogue.

One row per vacancy (``COLUMNS``; ``data/sample_vacancies.csv`` is an example). The sheet is read by
:mod:`bot.services.spreadsheet`; every problem is an :class:`ImportProblem` (a message key with parameters) on
its row, and a file with any problem publishes nothing. A row is refused for a closing date already past, a
category the course catalogue does not have, an unknown province, a salary "from" above "to", and any cell that
looks like HTML or like a spreadsheet formula (the texts are shown to participants and written into the staff's
workbooks).

Problem keys of this import (besides the sheet's, see bot/services/catalogue_import.py):
``err-import-code-format`` (value), ``err-import-code-duplicate`` (code, first_row),
``err-import-province-unknown`` (value), ``err-import-province-ambiguous`` (value, candidates),
``err-vacancy-regency-without-province``, ``err-vacancy-category-unknown`` (value, known),
``err-vacancy-salary-format`` (column, value), ``err-vacancy-salary-order`` (salary_from, salary_to),
``err-vacancy-closing-format`` (value), ``err-vacancy-closing-past`` (value), ``err-vacancy-link`` (value),
``err-vacancy-html`` (column), ``err-vacancy-formula`` (column).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.services.import_codes import read_code
from bot.services.provinces import Province, ProvinceCatalog
from bot.services.safe_cells import formula_like
from bot.services.spreadsheet import (
    Cell,
    ImportProblem,
    SheetRow,
    Table,
    block,
    cell_text,
    collapse,
    header_columns,
    parse_deadline,
    read_sheet,
    shown,
    used_width,
)
from bot.storage.vacancies import APPLY_BOT, APPLY_CONTACT, APPLY_LINK

# --- the format ------------------------------------------------------------------------------------------

COL_CODE: Final = "kode"
COL_POSITION: Final = "posisi"
COL_EMPLOYER: Final = "perusahaan"
COL_SECTOR: Final = "sektor"
COL_CATEGORIES: Final = "kategori"
COL_PROVINCE: Final = "provinsi"
COL_REGENCY: Final = "kabupaten_kota"
COL_SALARY_FROM: Final = "gaji_dari"
COL_SALARY_TO: Final = "gaji_sampai"
COL_REQUIREMENTS: Final = "persyaratan"
COL_CLOSING: Final = "batas_lamaran"
COL_APPLY: Final = "cara_melamar"

COLUMNS: Final[tuple[str, ...]] = (COL_CODE, COL_POSITION, COL_EMPLOYER, COL_SECTOR, COL_CATEGORIES, COL_PROVINCE,
    COL_REGENCY, COL_SALARY_FROM, COL_SALARY_TO, COL_REQUIREMENTS, COL_CLOSING, COL_APPLY)  # fmt: skip
OPTIONAL_COLUMNS: Final = frozenset({COL_REGENCY, COL_SALARY_FROM, COL_SALARY_TO})
REQUIRED_COLUMNS: Final[tuple[str, ...]] = tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)
# The columns only a vacancy list has: a file whose header names them is a vacancy list, not a course catalogue.
DISTINCTIVE_COLUMNS: Final = frozenset({COL_POSITION, COL_EMPLOYER, COL_APPLY})

# "provinsi" for a vacancy anywhere in the country (compared with case and spacing ignored).
ALL_INDONESIA: Final = frozenset({"seluruh indonesia", "semua provinsi", "nasional", "all indonesia"})
# "cara_melamar" for "Saya tertarik" in the bot; a link (http/https) or anything else (a contact) otherwise.
APPLY_IN_BOT: Final = frozenset({"lamar lewat bot", "lewat bot", "bot"})
# A vacancy for all Indonesia closes at the end of the day in Jakarta.
DEFAULT_ZONE: Final = "Asia/Jakarta"
# More than this a month is a typo (an extra zero), not a salary of the programme's jobs.
MAX_SALARY: Final = 1_000_000_000
MAX_TEXT: Final = {COL_POSITION: 120, COL_EMPLOYER: 120, COL_SECTOR: 80, COL_REQUIREMENTS: 1500, COL_APPLY: 300}

PROBLEM_KEYS: Final[tuple[str, ...]] = (
    "err-vacancy-regency-without-province",
    "err-vacancy-category-unknown",
    "err-vacancy-salary-format",
    "err-vacancy-salary-order",
    "err-vacancy-closing-format",
    "err-vacancy-closing-past",
    "err-vacancy-link",
    "err-vacancy-html",
    "err-vacancy-formula",
    "err-vacancy-too-long",
)


@dataclass(frozen=True, slots=True)
class VacancySpec:
    row: int
    code: str  # upper case
    position: str
    employer: str
    sector: str
    categories: tuple[str, ...]  # as the catalogue spells them
    province_code: str | None  # None: all Indonesia
    regency: str | None
    salary_from: int | None
    salary_to: int | None
    requirements: str
    closes_on: date
    closes_at: datetime  # aware, UTC: the end of the closing day in the province's zone
    apply_method: str
    apply_detail: str


class VacanciesRejected(Exception):
    """The file has problems; ``problems`` lists all of them, in row order."""

    problems: list[ImportProblem]

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        super().__init__(f"vacancies rejected: {len(problems)} problem(s)")
        self.problems = list(problems)


def is_vacancy_sheet(table: Table) -> bool:
    """Whether a sheet's header is a vacancy list's (rather than a course catalogue's)."""
    if not table:
        return False
    names = {"_".join(cell_text(cell).casefold().split()) for cell in table[0][1]}
    return bool(names & DISTINCTIVE_COLUMNS)


def parse_vacancies(
    content: bytes, filename: str, provinces: ProvinceCatalog, categories: Sequence[str], now: datetime
) -> list[VacancySpec]:
    """The vacancies of a file, in row order; raises :class:`VacanciesRejected` with every problem found."""
    table = read_sheet(content, filename)
    if isinstance(table, ImportProblem):
        raise VacanciesRejected([table])
    return parse_vacancy_table(table, provinces, categories, now)


def parse_vacancy_table(
    table: Table, provinces: ProvinceCatalog, categories: Sequence[str], now: datetime
) -> list[VacancySpec]:
    problems: list[ImportProblem] = []
    if not table:
        raise VacanciesRejected([ImportProblem(0, "err-import-empty")])
    (header_row, header), data = table[0], table[1:]
    columns = header_columns(header_row, header, COLUMNS, REQUIRED_COLUMNS, problems)
    if not data:
        problems.append(ImportProblem(0, "err-import-empty"))
    header_width = used_width(header)
    parser = _Parser(provinces, categories, now)
    vacancies: list[VacancySpec] = []
    for number, cells in data:
        row = SheetRow(number, {name: cells[i] if i < len(cells) else None for name, i in columns.items()}, problems)
        if used_width(cells) > header_width:
            row.problem("err-import-extra-cells", cells=str(used_width(cells)), columns=str(header_width))
        vacancy = parser.vacancy(row)
        if vacancy is not None:
            vacancies.append(vacancy)
    if problems:
        raise VacanciesRejected(sorted(problems, key=lambda p: p.row))
    return vacancies


# --- the rows --------------------------------------------------------------------------------------------

# An HTML tag or entity: "<b>", "</a>", "<!--", "&lt;", "&#60;". A lone "<" ("gaji < 5 juta") is not one.
_HTML_RE = re.compile(r"<\s*[/!?]?\s*[A-Za-z]|&(?:[A-Za-z]+|#[0-9]+|#x[0-9A-Fa-f]+);")
_LINK_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
# 4500000, 4.500.000, 4,500,000, Rp 4.500.000, Rp4.500.000,00; 4,5 juta, 5 jt.
_RUPIAH_RE = re.compile(r"(?:rp\.?\s*)?(?P<digits>[0-9]{1,3}(?:[.,][0-9]{3})+|[0-9]+)(?:,00)?", re.IGNORECASE)
_MILLIONS_RE = re.compile(r"(?:rp\.?\s*)?(?P<whole>[0-9]{1,3})(?:[.,](?P<part>[0-9]{1,3}))?\s*(?:juta|jt)\.?", re.I)


def parse_rupiah(cell: Cell) -> int | None:
    """A monthly salary as staff type it: a number, with thousands dots, "Rp", or "4,5 juta"."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell if 0 < cell <= MAX_SALARY else None
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() and 0 < cell <= MAX_SALARY else None
    text = collapse(cell_text(cell))
    millions = _MILLIONS_RE.fullmatch(text)
    if millions is not None:
        part = millions["part"] or "0"
        value = int(millions["whole"]) * 1_000_000 + int(part.ljust(3, "0")[:3]) * 1_000
    else:
        match = _RUPIAH_RE.fullmatch(text)
        if match is None:
            return None
        value = int(re.sub(r"[.,]", "", match["digits"]))
    return value if 0 < value <= MAX_SALARY else None


class _Parser:
    def __init__(self, provinces: ProvinceCatalog, categories: Sequence[str], now: datetime) -> None:
        self._provinces = provinces
        self._categories: Mapping[str, str] = {" ".join(c.split()).casefold(): c for c in categories}
        self._now = now
        self._code_rows: dict[str, int] = {}

    def vacancy(self, row: SheetRow) -> VacancySpec | None:
        if not self._safe_cells(row):
            return None  # the texts themselves are refused: nothing else is worth checking
        code = read_code(row, COL_CODE, self._code_rows)
        position = self._text(row, COL_POSITION)
        employer = self._text(row, COL_EMPLOYER)
        sector = self._text(row, COL_SECTOR)
        categories = self._categories_of(row)
        place = self._place(row)
        salary = self._salary(row)
        requirements = self._text(row, COL_REQUIREMENTS, lines=True)
        apply = self._apply(row)
        closing = self._closing(row, None if place is None else place[0])
        if not row.ok:
            return None
        if (
            code is None
            or position is None
            or employer is None
            or sector is None
            or not categories
            or place is None
            or requirements is None
            or apply is None
            or closing is None
        ):
            return None  # a required column is missing: reported on the header row
        province, regency = place
        return VacancySpec(
            row=row.number,
            code=code,
            position=position,
            employer=employer,
            sector=sector,
            categories=categories,
            province_code=None if province is None else province.code,
            regency=regency,
            salary_from=salary[0],
            salary_to=salary[1],
            requirements=requirements,
            closes_on=closing[0],
            closes_at=closing[1],
            apply_method=apply[0],
            apply_detail=apply[1],
        )

    def _safe_cells(self, row: SheetRow) -> bool:
        """Participants read these texts and staff open them in workbooks: no HTML, nothing a sheet would run."""
        safe = True
        for column in COLUMNS:
            cell = row.cell(column)
            if not isinstance(cell, str):
                continue  # numbers and dates are not text
            if formula_like(cell.lstrip(" ")):
                row.problem("err-vacancy-formula", column=column)
                safe = False
            elif _HTML_RE.search(cell):
                row.problem("err-vacancy-html", column=column)
                safe = False
        return safe

    def _text(self, row: SheetRow, column: str, *, lines: bool = False) -> str | None:
        text = row.required(column)
        if text is None:
            return None
        value = block(cell_text(row.cell(column))) if lines else text
        if len(value) > MAX_TEXT[column]:
            row.problem("err-vacancy-too-long", column=column, max=str(MAX_TEXT[column]))
            return None
        return value

    def _categories_of(self, row: SheetRow) -> tuple[str, ...]:
        text = row.required(COL_CATEGORIES)
        if text is None:
            return ()
        found: list[str] = []
        for item in re.split(r"[,;\n]", text):
            name = " ".join(item.split())
            if not name:
                continue
            known = self._categories.get(name.casefold())
            if known is None:
                row.problem(
                    "err-vacancy-category-unknown", value=shown(name), known=", ".join(self._categories.values())
                )
            elif known not in found:
                found.append(known)
        return tuple(found)

    def _place(self, row: SheetRow) -> tuple[Province | None, str | None] | None:
        text = row.required(COL_PROVINCE)
        regency = collapse(cell_text(row.cell(COL_REGENCY))) or None
        if text is None:
            return None
        if " ".join(text.split()).casefold() in ALL_INDONESIA:
            if regency is not None:
                row.problem("err-vacancy-regency-without-province")
                return None
            return None, None
        found = self._provinces.match(text)
        if not found:
            row.problem("err-import-province-unknown", value=shown(text))
            return None
        if len(found) > 1:
            row.problem("err-import-province-ambiguous", value=shown(text), candidates=", ".join(p.name for p in found))
            return None
        return found[0], regency

    def _salary(self, row: SheetRow) -> tuple[int | None, int | None]:
        values: list[int | None] = []
        for column in (COL_SALARY_FROM, COL_SALARY_TO):
            cell = row.cell(column)
            if not collapse(cell_text(cell)):
                values.append(None)
                continue
            value = parse_rupiah(cell)
            if value is None:
                row.problem("err-vacancy-salary-format", column=column, value=shown(cell))
            values.append(value)
        low, high = values
        if low is not None and high is not None and low > high:
            row.problem("err-vacancy-salary-order", salary_from=f"{low:,}".replace(",", "."),
                        salary_to=f"{high:,}".replace(",", "."))  # fmt: skip
        return low, high

    def _apply(self, row: SheetRow) -> tuple[str, str] | None:
        text = self._text(row, COL_APPLY)
        if text is None:
            return None
        if text.casefold() in APPLY_IN_BOT:
            return APPLY_BOT, ""
        if text.casefold().startswith(("http://", "https://", "www.")):
            link = text if not text.casefold().startswith("www.") else "https://" + text
            if not _LINK_RE.fullmatch(link):
                row.problem("err-vacancy-link", value=shown(text))
                return None
            return APPLY_LINK, link
        return APPLY_CONTACT, text

    def _closing(self, row: SheetRow, province: Province | None) -> tuple[date, datetime] | None:
        cell = row.required_cell(COL_CLOSING)
        if cell is None:
            return None
        local = parse_deadline(cell)
        if local is None:
            row.problem("err-vacancy-closing-format", value=shown(cell))
            return None
        zone = ZoneInfo(DEFAULT_ZONE) if province is None else province.tzinfo
        closes_at = local.replace(tzinfo=zone).astimezone(UTC)
        if closes_at <= self._now:
            row.problem("err-vacancy-closing-past", value=f"{local:%d-%m-%Y}")
            return None
        return local.date(), closes_at
