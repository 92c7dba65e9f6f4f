from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bot.services.catalogue_import as catalogue_import
from bot.services.catalogue_import import (
    COLUMNS,
    MAX_CAPACITY,
    PROBLEM_KEYS,
    STATUSES,
    CatalogueRejected,
    CourseSpec,
    InstituteSpec,
    SessionSpec,
    parse_catalogue,
)
from bot.services.provinces import ProvinceCatalog
from bot.services.spreadsheet import ImportProblem

CATALOG = ProvinceCatalog.load()
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_courses.csv"
TODAY = date(2026, 11, 23)
WIB = ZoneInfo("Asia/Jakarta")

CRANE_SESSIONS = (
    "2026-12-07 08:00-16:00 Pengenalan crane dan K3 dasar\n"
    "2026-12-08 08:00-16:00 Praktik lapangan @ Pelabuhan Ciwandan, Cilegon"
)
VALID: Mapping[str, str] = {
    "kode": "CLG-CRANE-01",
    "judul": "Operator Crane",
    "kategori": "Alat Berat",
    "deskripsi": "Pelatihan operator mobile crane.",
    "lpk": "Kautsar Institute",
    "kota_lpk": "Kota Cilegon",
    "kontak_lpk": "0254-5550101",
    "kabupaten_kota": "Kota Cilegon",
    "provinsi": "Banten",
    "alamat": "Jl. Jenderal Sudirman No. 88, Kota Cilegon",
    "kapasitas": "20",
    "batas_pendaftaran": "2026-12-02",
    "status": "buka",
    "sesi": CRANE_SESSIONS,
}

Found = tuple[int, str, dict[str, str]]


def row(**changes: str) -> dict[str, str]:
    return {**VALID, **changes}


def csv_bytes(
    *rows: Mapping[str, str],
    columns: Sequence[str] = COLUMNS,
    delimiter: str = ",",
    bom: bool = False,
    newline: str = "\n",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def parse(content: bytes, filename: str = "katalog.csv") -> list[CourseSpec]:
    return parse_catalogue(content, filename, CATALOG)


def rejected(content: bytes, filename: str = "katalog.csv") -> list[Found]:
    with pytest.raises(CatalogueRejected) as info:
        parse(content, filename)
    problems = info.value.problems
    assert all(isinstance(p, ImportProblem) and p.key in PROBLEM_KEYS for p in problems)
    return [(p.row, p.key, p.params) for p in problems]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --- the sample catalogue ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> list[CourseSpec]:
    return parse(SAMPLE.read_bytes(), SAMPLE.name)


def by_code(courses: Sequence[CourseSpec]) -> dict[str, CourseSpec]:
    return {course.code: course for course in courses}


def test_sample_parses(sample: list[CourseSpec]) -> None:
    assert len(sample) == 10
    assert [course.row for course in sample] == list(range(2, 12))
    assert len({course.code for course in sample}) == 10
    for course in sample:
        first = course.sessions[0].starts_at
        assert course.status == "open"
        assert 15 <= course.capacity <= 30
        assert datetime(2026, 12, 7, tzinfo=UTC) - timedelta(hours=9) <= first < datetime(2027, 1, 19, tzinfo=UTC)
        assert utc(2026, 11, 30, 17) < course.registration_deadline < first
        assert first - course.registration_deadline < timedelta(days=10)
        assert list(course.sessions) == sorted(course.sessions, key=lambda s: s.starts_at)
        assert all(s.starts_at.tzinfo is UTC and s.ends_at > s.starts_at for s in course.sessions)
        assert course.registration_deadline.tzinfo is UTC
        assert course.institute.contact
        assert "555" in course.institute.contact or "example.org" in course.institute.contact


def test_sample_kautsar_courses_in_cilegon(sample: list[CourseSpec]) -> None:
    kautsar = [course for course in sample if course.institute.name == "Kautsar Institute"]
    assert sorted(course.title for course in kautsar) == [
        "Barista",
        "K3 Listrik",
        "Operator Crane",
        "Operator Forklift",
    ]
    for course in kautsar:
        assert (course.regency, course.province_code, course.timezone) == ("Kota Cilegon", "36", "Asia/Jakarta")
        assert course.institute.city == "Kota Cilegon"
        assert 5 <= len(course.sessions) <= 10
        for session in course.sessions:
            start, end = session.starts_at.astimezone(WIB), session.ends_at.astimezone(WIB)
            assert start.weekday() < 5
            assert (start.time(), end.time(), start.date()) == (time(8), time(16), end.date())


def test_sample_pilot_cities(sample: list[CourseSpec]) -> None:
    pilot = [course for course in sample if course.province_code in {"31", "35"}]
    assert 3 <= len(pilot) <= 4
    assert {course.regency for course in pilot if course.province_code == "35"} == {"Kota Surabaya"}


def test_sample_crane_course_has_a_session_at_the_port(sample: list[CourseSpec]) -> None:
    crane = by_code(sample)["CLG-CRANE-01"]
    elsewhere = [s for s in crane.sessions if s.venue_address is not None]
    assert len(elsewhere) == 1
    assert elsewhere[0].venue_address is not None and elsewhere[0].venue_address.startswith("Pelabuhan Ciwandan")
    assert elsewhere[0].topic == "Praktik lapangan bongkar muat"
    assert crane.sessions[0] == SessionSpec(
        utc(2026, 12, 7, 1), utc(2026, 12, 7, 9), "Pengenalan crane dan K3 dasar", None
    )
    # A date alone is the end of that day, venue time (WIB, UTC+7).
    assert crane.registration_deadline == utc(2026, 12, 2, 16, 59, 59)


def test_sample_wita_and_wit_courses(sample: list[CourseSpec]) -> None:
    courses = by_code(sample)
    manado, jayapura = courses["MDO-DM-01"], courses["JYP-MOTOR-01"]
    assert (manado.regency, manado.province_code, manado.timezone) == ("Kota Manado", "71", "Asia/Makassar")
    assert (jayapura.regency, jayapura.province_code, jayapura.timezone) == ("Kota Jayapura", "94", "Asia/Jayapura")
    # 08:00 WITA (UTC+8) is midnight UTC; 08:00 WIT (UTC+9) is 23:00 UTC the day before.
    assert manado.sessions[0].starts_at == utc(2027, 1, 11, 0)
    assert jayapura.sessions[0].starts_at == utc(2027, 1, 17, 23)
    assert jayapura.registration_deadline == utc(2027, 1, 12, 14, 59, 59)
    for course in (manado, jayapura):
        zone = ZoneInfo(course.timezone)
        assert {s.starts_at.astimezone(zone).time() for s in course.sessions} == {time(8)}


def test_sample_deadline_with_a_time(sample: list[CourseSpec]) -> None:
    assert by_code(sample)["CLG-FORKLIFT-01"].registration_deadline == utc(2026, 12, 9, 10)  # 17:00 WIB


# --- a valid row, in detail -------------------------------------------------------------------------------


def test_valid_row_gives_the_spec() -> None:
    assert parse(csv_bytes(row())) == [
        CourseSpec(
            row=2,
            code="CLG-CRANE-01",
            title="Operator Crane",
            category="Alat Berat",
            description="Pelatihan operator mobile crane.",
            institute=InstituteSpec("Kautsar Institute", "Kota Cilegon", "0254-5550101"),
            regency="Kota Cilegon",
            province_code="36",
            venue_address="Jl. Jenderal Sudirman No. 88, Kota Cilegon",
            timezone="Asia/Jakarta",
            capacity=20,
            registration_deadline=utc(2026, 12, 2, 16, 59, 59),
            status="open",
            sessions=(
                SessionSpec(utc(2026, 12, 7, 1), utc(2026, 12, 7, 9), "Pengenalan crane dan K3 dasar", None),
                SessionSpec(
                    utc(2026, 12, 8, 1), utc(2026, 12, 8, 9), "Praktik lapangan", "Pelabuhan Ciwandan, Cilegon"
                ),
            ),
        )
    ]


def test_tolerant_header_and_cells() -> None:
    columns = [f"  {c.upper().replace('_', ' ')} " for c in COLUMNS] + ["Catatan"]
    values = row(
        kode=" clg-crane-01 ",
        judul="  Operator   Crane ",
        provinsi="prov. banten",
        kapasitas="20.0",
        status="BUKA",
        sesi="07/12/2026 08.00 - 16.00 Pengenalan crane dan K3 dasar; 08-12-2026 08.00 s/d 16.00 Praktik lapangan "
        "@Pelabuhan  Ciwandan, Cilegon;",
        deskripsi="\n  Pelatihan operator mobile crane. \n",
    )
    content = csv_bytes({f"  {k.upper().replace('_', ' ')} ": v for k, v in values.items()}, columns=columns)
    assert parse(content) == parse(csv_bytes(row()))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-02", utc(2026, 12, 2, 16, 59, 59)),
        ("02-12-2026", utc(2026, 12, 2, 16, 59, 59)),
        ("2/12/2026", utc(2026, 12, 2, 16, 59, 59)),
        ("2026-12-02 17:00", utc(2026, 12, 2, 10)),
        ("02-12-2026 17.00", utc(2026, 12, 2, 10)),
        ("02/12/2026 9.30", utc(2026, 12, 2, 2, 30)),
        ("2026-12-02T17:00:30", utc(2026, 12, 2, 10, 0, 30)),
        ("2026-12-02 00:00", utc(2026, 12, 1, 17)),  # typed as text: taken as written
    ],
)
def test_deadline_formats(text: str, expected: datetime) -> None:
    [course] = parse(csv_bytes(row(batas_pendaftaran=text)))
    assert course.registration_deadline == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "open"),
        ("Buka", "open"),
        ("open", "open"),
        ("TUTUP", "closed"),
        ("closed", "closed"),
        ("selesai", "finished"),
        ("Finished", "finished"),
    ],
)
def test_statuses(text: str, expected: str) -> None:
    [course] = parse(csv_bytes(row(status=text)))
    assert course.status == expected


@pytest.mark.parametrize(("text", "code"), [("jatim", "35"), ("DKI", "31"), ("Jawa Timur", "35"), ("31", "31")])
def test_province_is_matched_tolerantly(text: str, code: str) -> None:
    [course] = parse(csv_bytes(row(provinsi=text)))
    assert (course.province_code, course.timezone) == (code, "Asia/Jakarta")


def test_optional_columns_may_be_left_out() -> None:
    columns = [c for c in COLUMNS if c not in {"deskripsi", "kontak_lpk", "status"}]
    [course] = parse(csv_bytes(row(), columns=columns))
    assert (course.description, course.institute.contact, course.status) == ("", "", "open")


def test_multi_line_contact_and_description_keep_their_lines() -> None:
    [course] = parse(csv_bytes(row(kontak_lpk=" 0254-5550101 \r\n pelatihan@example.org ", deskripsi="Satu.\n\nDua.")))
    assert course.institute.contact == "0254-5550101\npelatihan@example.org"
    assert course.description == "Satu.\n\nDua."


def test_row_numbers_count_records_and_blank_rows() -> None:
    content = csv_bytes(row()) + b"\n,,,\n" + csv_bytes(row(kode="CLG-CRANE-02")).split(b"\n", 1)[1]
    courses = parse(b"\n" + content)
    # Line 1 is empty, the header is row 2, row 3's sessions cell spans two lines, rows 4 and 5 are empty.
    assert [course.row for course in courses] == [3, 6]


def test_courses_of_one_institute_share_it() -> None:
    courses = parse(csv_bytes(row(), row(kode="CLG-FORK-01", lpk="KAUTSAR  institute", kota_lpk="kota cilegon")))
    assert [c.institute.name for c in courses] == ["Kautsar Institute", "KAUTSAR institute"]


# --- problems, one kind at a time -------------------------------------------------------------------------


@pytest.mark.parametrize(("filename", "extension"), [("katalog.xls", ".xls"), ("katalog.txt", ".txt"), ("katalog", "")])
def test_unsupported_file_type(filename: str, extension: str) -> None:
    assert rejected(csv_bytes(row()), filename) == [(0, "err-import-file-type", {"extension": extension})]


def test_file_type_is_case_insensitive() -> None:
    assert len(parse(csv_bytes(row()), "KATALOG.CSV")) == 1


def test_csv_not_utf8() -> None:
    content = csv_bytes(row()).replace(b"Kota Cilegon", "Kota Cilégon".encode("cp1252"), 1)
    assert rejected(content) == [(0, "err-import-encoding", {"line": "2"})]


def test_csv_cell_too_large() -> None:
    content = csv_bytes(row(deskripsi="x" * 200_000))
    assert rejected(content) == [(0, "err-import-csv-malformed", {"line": "2"})]


def test_xlsx_unreadable() -> None:
    assert rejected(b"PK\x03\x04 not really a workbook", "katalog.xlsx") == [(0, "err-import-xlsx-unreadable", {})]
    assert rejected(csv_bytes(row()), "katalog.xlsx") == [(0, "err-import-xlsx-unreadable", {})]


@pytest.mark.parametrize(
    "content", [b"", b"\xef\xbb\xbf", b"\n\n", b" ,  ,\r\n , \n", csv_bytes(), csv_bytes() + b",,,\n"]
)
def test_empty_file(content: bytes) -> None:
    assert rejected(content) == [(0, "err-import-empty", {})]


def test_missing_columns_reported_once_on_the_header_row() -> None:
    columns = [c for c in COLUMNS if c not in {"provinsi", "kapasitas"}]
    content = csv_bytes(row(), row(kode="CLG-CRANE-02", judul=""), columns=columns)
    assert rejected(content) == [
        (1, "err-import-missing-column", {"column": "provinsi"}),
        (1, "err-import-missing-column", {"column": "kapasitas"}),
        (3, "err-import-cell-empty", {"column": "judul"}),
    ]


def test_duplicate_column() -> None:
    columns = [*COLUMNS, "Judul"]
    assert rejected(csv_bytes(row(), columns=columns)) == [(1, "err-import-duplicate-column", {"column": "judul"})]


def test_extra_cells_from_an_unquoted_comma() -> None:
    content = csv_bytes() + b"X-1,Judul,K,,LPK A,Kota A,,Kota A,Banten,Jl. Mawar 1, Kota A,20,2026-12-02,,"
    content += b"2026-12-07 08:00-16:00 Topik\n"
    problems = rejected(content)
    assert problems[0] == (2, "err-import-extra-cells", {"cells": "15", "columns": "14"})
    assert (2, "err-import-capacity", {"value": "Kota A", "max": str(MAX_CAPACITY)}) in problems


@pytest.mark.parametrize(
    "column", ["kode", "judul", "kategori", "lpk", "kota_lpk", "kabupaten_kota", "provinsi", "alamat"]
)
def test_empty_required_text_cell(column: str) -> None:
    assert rejected(csv_bytes(row(**{column: "  "}))) == [(2, "err-import-cell-empty", {"column": column})]


@pytest.mark.parametrize("column", ["kapasitas", "batas_pendaftaran"])
def test_empty_required_value_cell(column: str) -> None:
    assert rejected(csv_bytes(row(**{column: ""}))) == [(2, "err-import-cell-empty", {"column": column})]


@pytest.mark.parametrize("code", ["A", "CLG CRANE", "CLG/CRANE", "X" * 31, "KODE-É"])
def test_bad_code(code: str) -> None:
    assert rejected(csv_bytes(row(kode=code))) == [(2, "err-import-code-format", {"value": code})]


def test_duplicate_code_mentions_the_first_row() -> None:
    content = csv_bytes(row(), row(kode="CLG-FORK-01"), row(kode="clg-crane-01"))
    assert rejected(content) == [(4, "err-import-code-duplicate", {"code": "CLG-CRANE-01", "first_row": "2"})]


def test_unknown_province() -> None:
    assert rejected(csv_bytes(row(provinsi="Atlantis"))) == [(2, "err-import-province-unknown", {"value": "Atlantis"})]


def test_ambiguous_province() -> None:
    problems = rejected(csv_bytes(row(provinsi="Sulawesi")))
    assert problems == [
        (
            2,
            "err-import-province-ambiguous",
            {
                "value": "Sulawesi",
                "candidates": "Sulawesi Utara, Sulawesi Tengah, Sulawesi Selatan, Sulawesi Tenggara, Sulawesi Barat",
            },
        )
    ]


@pytest.mark.parametrize("capacity", ["0", "-3", "dua puluh", "2.5", "25.000", "1e2", str(MAX_CAPACITY + 1)])
def test_bad_capacity(capacity: str) -> None:
    expected = [(2, "err-import-capacity", {"value": capacity, "max": str(MAX_CAPACITY)})]
    assert rejected(csv_bytes(row(kapasitas=capacity))) == expected


@pytest.mark.parametrize(
    "deadline", ["besok", "31-02-2026", "2026-12-02 25:00", "12/2026", "2026-12/02", "02-12-26", "2126-12-02"]
)
def test_bad_deadline(deadline: str) -> None:
    assert rejected(csv_bytes(row(batas_pendaftaran=deadline))) == [
        (2, "err-import-deadline-format", {"value": deadline})
    ]


def test_deadline_after_the_last_session() -> None:
    assert rejected(csv_bytes(row(batas_pendaftaran="2026-12-08 16:01"))) == [
        (2, "err-import-deadline-after-end", {"deadline": "2026-12-08 16:01 WIB", "last_end": "2026-12-08 16:00 WIB"})
    ]


def test_deadline_may_be_the_end_of_the_last_session() -> None:
    [course] = parse(csv_bytes(row(batas_pendaftaran="2026-12-08 16:00")))
    assert course.registration_deadline == course.sessions[-1].ends_at


def test_bad_status() -> None:
    assert rejected(csv_bytes(row(status="penuh"))) == [(2, "err-import-status", {"value": "penuh"})]


@pytest.mark.parametrize("sessions", ["", "  ", ";;", " \n ; \r\n"])
def test_no_sessions(sessions: str) -> None:
    assert rejected(csv_bytes(row(sesi=sessions))) == [(2, "err-import-no-sessions", {})]


@pytest.mark.parametrize(
    "session",
    [
        "2026-12-07 Pengenalan crane",
        "2026-12-07 08:00-16:00",
        "2026-12-07 08:00-16:00 @ Pelabuhan Ciwandan",
        "2026-12-07 08:00-16:00 Praktik @ ",
        "08:00-16:00 Praktik lapangan",
        "2026-12-07 8am-4pm Praktik",
        "2026-12-07 08:00 Praktik",
    ],
)
def test_session_not_in_the_format(session: str) -> None:
    expected = [(2, "err-import-session-format", {"session": " ".join(session.split())})]
    assert rejected(csv_bytes(row(sesi=session))) == expected


@pytest.mark.parametrize(
    ("date_text", "session"),
    [
        ("2026-13-07", "2026-13-07 08:00-16:00 Topik"),
        ("07-12-26", "07-12-26 08:00-16:00 Topik"),
        ("Senin", "Senin 08:00-16:00 Topik"),
        ("2026-12-07T08:00", "2026-12-07T08:00 08:00-16:00 Topik"),
    ],
)
def test_session_date_not_parseable(date_text: str, session: str) -> None:
    expected = [(2, "err-import-session-date", {"session": session, "value": date_text})]
    assert rejected(csv_bytes(row(sesi=session))) == expected


def test_session_time_not_parseable() -> None:
    session = "2026-12-07 08:75-24:00 Topik"
    assert rejected(csv_bytes(row(sesi=session))) == [
        (2, "err-import-session-time", {"session": session, "value": "08:75"}),
        (2, "err-import-session-time", {"session": session, "value": "24:00"}),
    ]


@pytest.mark.parametrize("session", ["2026-12-07 16:00-08:00 Topik", "2026-12-07 08:00-08:00 Topik"])
def test_session_ends_before_it_starts(session: str) -> None:
    assert rejected(csv_bytes(row(sesi=session))) == [(2, "err-import-session-order", {"session": session})]


def test_duplicate_session() -> None:
    line = "2026-12-07 08:00-16:00 Pengenalan crane"
    sessions = f"{line}\n2026-12-08 08:00-16:00 Rigging\n07-12-2026 08.00-16.00 pengenalan  CRANE"
    assert rejected(csv_bytes(row(sesi=sessions))) == [
        (2, "err-import-session-duplicate", {"session": "07-12-2026 08.00-16.00 pengenalan CRANE"})
    ]


def test_overlapping_sessions() -> None:
    sessions = "2026-12-07 11:00-16:00 Praktik\n2026-12-07 08:00-12:00 Teori\n2026-12-07 12:00-13:00 Evaluasi"
    assert rejected(csv_bytes(row(sesi=sessions))) == [
        (
            2,
            "err-import-session-overlap",
            {"session": "2026-12-07 11:00-16:00 Praktik", "other": "2026-12-07 08:00-12:00 Teori"},
        ),
        (
            2,
            "err-import-session-overlap",
            {"session": "2026-12-07 12:00-13:00 Evaluasi", "other": "2026-12-07 11:00-16:00 Praktik"},
        ),
    ]


def test_same_institute_in_another_city() -> None:
    content = csv_bytes(row(), row(kode="SBY-1", kota_lpk="Kota Surabaya"), row(kode="SBY-2", kota_lpk="Kota Surabaya"))
    problem = {
        "institute": "Kautsar Institute",
        "city": "Kota Surabaya",
        "first_city": "Kota Cilegon",
        "first_row": "2",
    }
    assert rejected(content) == [(3, "err-import-institute-city", problem), (4, "err-import-institute-city", problem)]


def test_long_values_are_cut_in_problems() -> None:
    [(_, _, params)] = rejected(csv_bytes(row(provinsi="x" * 200)))
    assert params["value"] == "x" * 79 + "…"


def test_every_problem_of_the_file_in_row_order() -> None:
    columns = [*COLUMNS, "kode"]
    content = csv_bytes(
        row(),
        row(kode="JKT-1", provinsi="Atlantis", kapasitas="0", sesi="2026-12-07 08:00-16:00 A\n2026-12-07 9-10 B"),
        row(status="penuh", sesi="2026-12-07 08:00-25:00 A"),
        row(kode="MDO-1", provinsi="sulut", lpk="LPK Kawanua", kota_lpk="Kota Manado"),
        row(kode="MDO-2", provinsi="sulut", lpk="lpk kawanua", kota_lpk="Kota Bitung", batas_pendaftaran=""),
        columns=columns,
    )
    assert rejected(content) == [
        (1, "err-import-duplicate-column", {"column": "kode"}),
        (3, "err-import-province-unknown", {"value": "Atlantis"}),
        (3, "err-import-capacity", {"value": "0", "max": str(MAX_CAPACITY)}),
        (3, "err-import-session-format", {"session": "2026-12-07 9-10 B"}),
        (4, "err-import-code-duplicate", {"code": "CLG-CRANE-01", "first_row": "2"}),
        (4, "err-import-status", {"value": "penuh"}),
        (4, "err-import-session-time", {"session": "2026-12-07 08:00-25:00 A", "value": "25:00"}),
        (
            6,
            "err-import-institute-city",
            {"institute": "lpk kawanua", "city": "Kota Bitung", "first_city": "Kota Manado", "first_row": "5"},
        ),
        (6, "err-import-cell-empty", {"column": "batas_pendaftaran"}),
    ]


def test_file_level_problems_come_first() -> None:
    columns = [c for c in COLUMNS if c != "alamat"]
    content = csv_bytes(row(kapasitas="x"), columns=columns)
    problems = rejected(content)
    assert [p[:2] for p in problems] == [(1, "err-import-missing-column"), (2, "err-import-capacity")]


def test_rejection_carries_no_partial_result() -> None:
    with pytest.raises(CatalogueRejected) as info:
        parse(csv_bytes(row(), row(kode="X-2", kapasitas="0"), row(kode="X-3")))
    assert len(info.value.problems) == 1
    assert "1 problem" in str(info.value)


# --- CSV dialects ------------------------------------------------------------------------------------------


def test_semicolon_csv_with_bom_and_crlf() -> None:
    rows = [row(), row(kode="CLG-CRANE-02", sesi=CRANE_SESSIONS.replace("\n", "; "), provinsi="Banten")]
    content = csv_bytes(*rows, delimiter=";", bom=True, newline="\r\n")
    assert content.startswith(b"\xef\xbb\xbfkode;judul;")
    assert parse(content) == parse(csv_bytes(*rows))


def test_bom_with_comma_csv() -> None:
    assert parse(csv_bytes(row(), bom=True)) == parse(csv_bytes(row()))


# --- XLSX ---------------------------------------------------------------------------------------------------


def xlsx_bytes(
    rows: Sequence[Sequence[Any]], *, sheet_title: str = "Katalog", extra_first_sheet: bool = False
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title
    if extra_first_sheet:
        other = workbook.create_sheet("Lain", 1)
        other.append(["bukan", "katalog"])
    for values in rows:
        sheet.append(list(values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_row(values: Mapping[str, Any], columns: Sequence[str] = COLUMNS) -> list[Any]:
    return [values.get(column) for column in columns]


def test_xlsx_parses_like_the_same_csv() -> None:
    multi_line = (
        "2026-12-14 08:00-16:00 Pengenalan forklift\n15/12/2026 08.00-16.00 Praktik @ Gudang PT Contoh, Cilegon"
    )
    csv_rows = [
        row(),
        row(kode="CLG-FORK-01", kapasitas="25", batas_pendaftaran="2026-12-09 17:00", sesi=multi_line),
        row(kode="CLG-BAR-01", kapasitas="15", batas_pendaftaran="2026-12-03", status=""),
    ]
    xlsx_rows = [
        list(COLUMNS),
        xlsx_row({**row(), "kapasitas": 20, "batas_pendaftaran": datetime(2026, 12, 2)}),
        xlsx_row(
            {
                **row(kode="CLG-FORK-01", sesi=multi_line),
                "kapasitas": 25.0,
                "batas_pendaftaran": datetime(2026, 12, 9, 17, 0),
            }
        ),
        xlsx_row({**row(kode="CLG-BAR-01", status=""), "kapasitas": 15, "batas_pendaftaran": date(2026, 12, 3)}),
    ]
    from_xlsx = parse(xlsx_bytes(xlsx_rows), "katalog.xlsx")
    assert from_xlsx == parse(csv_bytes(*csv_rows))
    assert [len(course.sessions) for course in from_xlsx] == [2, 2, 2]
    assert from_xlsx[1].sessions[1].venue_address == "Gudang PT Contoh, Cilegon"


def test_xlsx_header_after_empty_rows_and_sheet_row_numbers() -> None:
    rows: list[list[Any]] = [[], [None, None], list(COLUMNS), xlsx_row(row()), [], xlsx_row(row(kode="X-2"))]
    courses = parse(xlsx_bytes(rows), "Katalog.XLSX")
    assert [course.row for course in courses] == [4, 6]


def test_xlsx_problems_quote_cells_as_typed() -> None:
    columns = COLUMNS[:-1]  # no "sesi" column
    rows: list[list[Any]] = [
        list(columns),
        xlsx_row({**row(), "kapasitas": 2.5, "batas_pendaftaran": time(8, 0)}, columns),
        xlsx_row({**row(), "kode": 12345, "kapasitas": True, "batas_pendaftaran": 46357}, columns),
    ]
    assert rejected(xlsx_bytes(rows), "katalog.xlsx") == [
        (1, "err-import-missing-column", {"column": "sesi"}),
        (2, "err-import-capacity", {"value": "2.5", "max": str(MAX_CAPACITY)}),
        (2, "err-import-deadline-format", {"value": "08:00"}),
        (3, "err-import-capacity", {"value": "TRUE", "max": str(MAX_CAPACITY)}),
        (3, "err-import-deadline-format", {"value": "46357"}),
    ]


def test_xlsx_reads_the_first_sheet_only() -> None:
    content = xlsx_bytes([list(COLUMNS), xlsx_row(row())], extra_first_sheet=True)
    assert [course.code for course in parse(content, "katalog.xlsx")] == ["CLG-CRANE-01"]


def test_xlsx_numeric_code_and_contact() -> None:
    values = {**row(), "kode": 1234, "kontak_lpk": 2155500123, "kapasitas": 20.0}
    [course] = parse(xlsx_bytes([list(COLUMNS), xlsx_row(values)]), "katalog.xlsx")
    assert (course.code, course.institute.contact, course.capacity) == ("1234", "2155500123", 20)


@pytest.mark.parametrize("content", [xlsx_bytes([]), xlsx_bytes([list(COLUMNS)]), xlsx_bytes([[], [None, " "]])])
def test_xlsx_empty(content: bytes) -> None:
    assert rejected(content, "katalog.xlsx") == [(0, "err-import-empty", {})]


# --- property: any valid catalogue round-trips -------------------------------------------------------------

TEXT_ALPHABET = st.characters(categories=["L", "Nd"]) | st.sampled_from(" .,;@'\"-()/&:")
SESSION_ALPHABET = st.characters(categories=["L", "Nd"]) | st.sampled_from(" .,'\"-()/&:")


def collapsed(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def texts(alphabet: st.SearchStrategy[str] = TEXT_ALPHABET, max_size: int = 25) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=1, max_size=max_size).filter(lambda s: collapsed(s) != "")


DATE_STYLES = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
LOCAL_DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def sessions_of_a_course(draw: st.DrawFn) -> list[tuple[datetime, datetime, str, str | None]]:
    days = draw(st.lists(LOCAL_DAYS, min_size=1, max_size=6, unique=True))
    sessions = []
    for day in days:
        start = draw(st.integers(min_value=0, max_value=23 * 60 + 58))
        end = draw(st.integers(min_value=start + 1, max_value=23 * 60 + 59))
        topic = draw(texts(SESSION_ALPHABET))
        venue = draw(st.none() | texts(SESSION_ALPHABET))
        begin = datetime.combine(day, time(0)) + timedelta(minutes=start)
        sessions.append((begin, datetime.combine(day, time(0)) + timedelta(minutes=end), topic, venue))
    return sessions


def session_line(draw: st.DrawFn, session: tuple[datetime, datetime, str, str | None]) -> str:
    start, end, topic, venue = session
    sep = draw(st.sampled_from([":", "."]))
    dash = draw(st.sampled_from(["-", " - ", "–", " s/d "]))
    line = f"{start:{draw(st.sampled_from(DATE_STYLES))}} {start:%H}{sep}{start:%M}{dash}{end:%H}{sep}{end:%M} {topic}"
    return line if venue is None else f"{line} @ {venue}"


@st.composite
def catalogues(draw: st.DrawFn) -> tuple[bytes, list[CourseSpec]]:
    institutes = draw(
        st.lists(
            st.tuples(texts(), texts(), texts() | st.just("")),
            min_size=1,
            max_size=3,
            unique_by=lambda i: collapsed(i[0]).casefold(),
        )
    )
    codes = draw(
        st.lists(
            st.from_regex(r"[A-Za-z0-9_-]{2,30}", fullmatch=True),
            min_size=1,
            max_size=5,
            unique_by=str.upper,
        )
    )
    rows: list[dict[str, str]] = []
    expected: list[CourseSpec] = []
    for number, code in enumerate(codes, start=2):
        province = draw(st.sampled_from(CATALOG.all()))
        zone = ZoneInfo(province.timezone)
        name, city, contact = draw(st.sampled_from(institutes))
        title, category, regency, address = draw(texts()), draw(texts()), draw(texts()), draw(texts())
        description = draw(texts() | st.just(""))
        capacity = draw(st.integers(min_value=1, max_value=MAX_CAPACITY))
        status_text = draw(st.sampled_from(["", *STATUSES]))
        status_text = draw(st.sampled_from([status_text, status_text.upper(), status_text.title()]))
        sessions = draw(sessions_of_a_course())
        last_end = max(end for _, end, _, _ in sessions)
        deadline = draw(
            st.datetimes(min_value=datetime(2025, 1, 1), max_value=last_end).map(
                lambda d: d.replace(second=0, microsecond=0)
            )
        )
        deadline_text = f"{deadline:{draw(st.sampled_from(DATE_STYLES))}}"
        if draw(st.booleans()) or deadline.date() == last_end.date():
            deadline_text += f" {deadline:%H:%M}"
        else:
            deadline = datetime.combine(deadline.date(), time(23, 59, 59))
        separator = draw(st.sampled_from(["\n", ";", "\r\n", " ; "]))
        rows.append(
            {
                "kode": code,
                "judul": title,
                "kategori": category,
                "deskripsi": description,
                "lpk": name,
                "kota_lpk": city,
                "kontak_lpk": contact,
                "kabupaten_kota": regency,
                "provinsi": province.name,
                "alamat": address,
                "kapasitas": draw(st.sampled_from([str(capacity), f"{capacity}.0", f" {capacity} "])),
                "batas_pendaftaran": deadline_text,
                "status": status_text,
                "sesi": separator.join(session_line(draw, s) for s in sessions),
            }
        )

        def to_utc(local: datetime, zone: ZoneInfo = zone) -> datetime:
            return local.replace(tzinfo=zone).astimezone(UTC)

        expected.append(
            CourseSpec(
                row=number,
                code=code.upper(),
                title=collapsed(title),
                category=collapsed(category),
                description=collapsed(description),
                institute=InstituteSpec(collapsed(name), collapsed(city), collapsed(contact)),
                regency=collapsed(regency),
                province_code=province.code,
                venue_address=collapsed(address),
                timezone=province.timezone,
                capacity=capacity,
                registration_deadline=to_utc(deadline),
                status=STATUSES.get(status_text.casefold(), "open"),
                sessions=tuple(
                    SessionSpec(
                        to_utc(start), to_utc(end), collapsed(topic), None if venue is None else collapsed(venue)
                    )
                    for start, end, topic, venue in sorted(sessions)
                ),
            )
        )
    delimiter = draw(st.sampled_from([",", ";"]))
    return csv_bytes(*rows, delimiter=delimiter, bom=draw(st.booleans())), expected


@given(catalogues())
def test_any_valid_catalogue_round_trips(catalogue: tuple[bytes, list[CourseSpec]]) -> None:
    content, expected = catalogue
    assert parse(content) == expected


def test_problem_keys_are_unique_and_listed_in_the_module_docstring() -> None:
    assert len(set(PROBLEM_KEYS)) == len(PROBLEM_KEYS)
    assert catalogue_import.__doc__ is not None
    assert all(f"``{key}``" in catalogue_import.__doc__ for key in PROBLEM_KEYS)
