"""Publishing vacancies from a CSV/XLSX file: all or nothing, every problem named on its row; staff send it to the
bot like the catalogue (the header tells which import it is), or use `python main.py import-vacancies FILE`."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from bot.services.provinces import ProvinceCatalog
from bot.services.vacancies import CATALOGUE_IMPORT, VACANCY_IMPORT, Publisher, import_kind
from bot.services.vacancy_import import (
    COLUMNS,
    PROBLEM_KEYS,
    VacanciesRejected,
    VacancySpec,
    parse_rupiah,
    parse_vacancies,
)
from tests.catalogue_data import catalogue_csv, course_row, import_catalogue
from tests.conftest import ADMIN_ID
from tests.harness import BotHarness
from tests.test_cli import run
from tests.test_lpk import appoint_lpk, refusals
from tests.vacancy_data import SAMPLE, import_vacancies, vacancies_csv, vacancy_row

CATALOG = ProvinceCatalog.load()
CATEGORIES = ("Alat Berat", "Kuliner", "Pengelasan")
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
LPK_MEMBER, OTHER_LPK = 7010, 7011


def parse(content: bytes, filename: str = "lowongan.csv") -> list[VacancySpec]:
    return parse_vacancies(content, filename, CATALOG, CATEGORIES, NOW)


def problems(*rows: dict[str, str]) -> list[tuple[int, str, dict[str, str]]]:
    with pytest.raises(VacanciesRejected) as rejected:
        parse(vacancies_csv(*rows))
    return [(p.row, p.key, p.params) for p in rejected.value.problems]


def test_the_sample_file_is_valid() -> None:
    crane, welder, barista = parse(SAMPLE.read_bytes())
    assert (crane.code, crane.province_code, crane.regency, crane.apply_method) == (
        "LOK-CRANE-01",
        "36",
        "Kota Cilegon",
        "bot",
    )
    assert (crane.salary_from, crane.salary_to, crane.categories) == (5_500_000, 7_000_000, ("Alat Berat",))
    # The end of the closing day in the province's zone (Banten: WIB).
    assert (crane.closes_on, crane.closes_at) == (date(2027, 3, 31), datetime(2027, 3, 31, 16, 59, 59, tzinfo=UTC))
    assert crane.requirements.count("\n") == 2  # lines kept
    assert (welder.apply_method, welder.apply_detail) == (
        "link",
        "https://karier.karyalogam.example.co.id/lowongan/las-smaw",
    )
    assert (barista.province_code, barista.regency, barista.apply_method) == (None, None, "contact")


def test_categories_match_the_catalogue_in_its_spelling() -> None:
    (spec,) = parse(vacancies_csv(vacancy_row("A1", kategori="alat  berat; PENGELASAN, Alat Berat")))
    assert spec.categories == ("Alat Berat", "Pengelasan")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4500000", 4_500_000),
        ("4.500.000", 4_500_000),
        ("Rp 4.500.000", 4_500_000),
        ("Rp4.500.000,00", 4_500_000),
        ("4,5 juta", 4_500_000),
        ("5 jt", 5_000_000),
        ("4.500", 4_500),
        ("empat juta", None),
        ("4,5", None),
        ("0", None),
    ],
)
def test_salaries_as_staff_type_them(text: str, value: int | None) -> None:
    assert parse_rupiah(text) == value


def test_every_refusal_is_named_on_its_row() -> None:
    found = problems(
        vacancy_row("OK-1"),
        vacancy_row("PAST", batas_lamaran="2026-11-01"),
        vacancy_row("CAT", kategori="Alat Berat, Menjahit"),
        vacancy_row("PROV", provinsi="Atlantis"),
        vacancy_row("PAY", gaji_dari="7.000.000", gaji_sampai="5.000.000"),
        vacancy_row("HTML", posisi="<b>Operator</b>"),
        vacancy_row("FORM", perusahaan='=HYPERLINK("http://x","klik")'),
        vacancy_row("OK-1"),
        vacancy_row("NAT", provinsi="seluruh Indonesia", kabupaten_kota="Kota Cilegon"),
        vacancy_row("LINK", cara_melamar="https://exa mple.com"),
        vacancy_row("DAY", batas_lamaran="31 Maret"),
        vacancy_row("AMP", persyaratan="Sehat &amp; kuat"),
    )
    assert found == [
        (3, "err-vacancy-closing-past", {"value": "01-11-2026"}),
        (4, "err-vacancy-category-unknown", {"value": "Menjahit", "known": "Alat Berat, Kuliner, Pengelasan"}),
        (5, "err-import-province-unknown", {"value": "Atlantis"}),
        (6, "err-vacancy-salary-order", {"salary_from": "7.000.000", "salary_to": "5.000.000"}),
        (7, "err-vacancy-html", {"column": "posisi"}),
        (8, "err-vacancy-formula", {"column": "perusahaan"}),
        (9, "err-import-code-duplicate", {"code": "OK-1", "first_row": "2"}),
        (10, "err-vacancy-regency-without-province", {}),
        (11, "err-vacancy-link", {"value": "https://exa mple.com"}),
        (12, "err-vacancy-closing-format", {"value": "31 Maret"}),
        (13, "err-vacancy-html", {"column": "persyaratan"}),
    ]
    # Every key this import can give has its text (tests/test_i18n.py checks both languages).
    assert {key for _, key, _ in found if key.startswith("err-vacancy")} <= set(PROBLEM_KEYS)


def test_a_missing_column_and_an_empty_cell() -> None:
    content = b"kode,posisi,perusahaan\nA1,Operator,\n"
    with pytest.raises(VacanciesRejected) as rejected:
        parse(content)
    keys = {(p.row, p.key, p.params.get("column", "")) for p in rejected.value.problems}
    assert (1, "err-import-missing-column", "batas_lamaran") in keys
    assert (2, "err-import-cell-empty", "perusahaan") in keys


def test_an_xlsx_file_with_number_and_date_cells() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    values = vacancy_row("X1")
    cells: list[object] = [values[c] for c in COLUMNS]
    cells[COLUMNS.index("gaji_dari")] = 4_500_000
    cells[COLUMNS.index("gaji_sampai")] = -1  # a number, not a formula: refused as a salary
    cells[COLUMNS.index("batas_lamaran")] = datetime(2027, 1, 15)
    sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(VacanciesRejected) as rejected:
        parse(buffer.getvalue(), "lowongan.xlsx")
    assert [(p.row, p.key) for p in rejected.value.problems] == [(2, "err-vacancy-salary-format")]
    cells[COLUMNS.index("gaji_sampai")] = 6_000_000
    sheet.delete_rows(2)
    sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    (spec,) = parse(buffer.getvalue(), "lowongan.xlsx")
    assert (spec.salary_from, spec.salary_to, spec.closes_on) == (4_500_000, 6_000_000, date(2027, 1, 15))


def test_the_header_tells_the_import() -> None:
    assert import_kind(SAMPLE.read_bytes(), "lowongan.csv") == VACANCY_IMPORT
    assert import_kind(catalogue_csv(course_row("K1")), "katalog.csv") == CATALOGUE_IMPORT
    assert import_kind(b"\xff\xfe", "katalog.csv") == CATALOGUE_IMPORT  # unreadable: the catalogue explains


def vacancy_rows(bot: BotHarness) -> dict[str, dict[str, object]]:
    return {str(r["code"]): dict(r) for r in bot.rows("SELECT * FROM vacancies ORDER BY code")}


async def test_staff_send_the_file_to_the_bot(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    admin = bot.user(ADMIN_ID)
    await import_catalogue(bot, catalogue_csv(course_row("K1"), course_row("K2", kategori="Pengelasan")))
    await admin.send_document(vacancies_csv(vacancy_row("V1"), vacancy_row("V2", kategori="Kuliner")), "loker.csv")
    await bot.settle()
    (rejected,) = admin.new_messages()
    assert rejected.text.startswith(t("import-rejected", count=1).split(":")[0])
    assert "Kuliner" in rejected.text and vacancy_rows(bot) == {}  # nothing published

    await admin.send_document(vacancies_csv(vacancy_row("V1"), vacancy_row("V2", kategori="pengelasan")), "l.csv")
    await bot.settle()
    (done,) = admin.new_messages()
    assert done.text == t("vacancy-import-done", created=2, updated=0)
    rows = vacancy_rows(bot)
    assert set(rows) == {"V1", "V2"} and rows["V1"]["published_by"] == ADMIN_ID
    assert bot.rows("SELECT category FROM vacancy_categories v JOIN vacancies x ON x.id = v.vacancy_id"
                    " WHERE x.code = 'V2'")[0][0] == "Pengelasan"  # fmt: skip

    # Re-importing a code updates it; a catalogue file still imports the catalogue.
    await admin.send_document(vacancies_csv(vacancy_row("V1", posisi="Operator Senior")), "l.csv")
    await bot.settle()
    assert admin.new_messages()[0].text == t("vacancy-import-done", created=0, updated=1)
    assert vacancy_rows(bot)["V1"]["position"] == "Operator Senior"
    await admin.send_document(catalogue_csv(course_row("K3")), "katalog.csv")
    await bot.settle()
    assert "✅" in admin.new_messages()[0].text
    assert bot.rows("SELECT COUNT(*) FROM courses")[0][0] == 3


async def test_an_lpk_member_publishes_and_updates_only_their_own(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    await import_catalogue(bot, catalogue_csv(course_row("K1")))
    await appoint_lpk(bot, LPK_MEMBER, "Kautsar Institute")
    await appoint_lpk(bot, OTHER_LPK, "Kautsar Institute")
    member, other = bot.user(LPK_MEMBER), bot.user(OTHER_LPK)
    await member.send_document(vacancies_csv(vacancy_row("V1")), "l.csv")
    await bot.settle()
    assert member.new_messages()[0].text == t("vacancy-import-done", created=1, updated=0)
    row = vacancy_rows(bot)["V1"]
    assert (row["published_by"], row["institute_key"]) == (LPK_MEMBER, "kautsar institute")

    await other.send_document(vacancies_csv(vacancy_row("V1", posisi="Diganti"), vacancy_row("V9")), "l.csv")
    await bot.settle()
    refused = other.new_messages()[0].text
    assert t("err-vacancy-not-yours", code="V1") in refused
    assert set(vacancy_rows(bot)) == {"V1"} and vacancy_rows(bot)["V1"]["position"] == "Operator V1"

    # A catalogue file is not an LPK member's to import: answered like any document, and audited.
    await member.send_document(catalogue_csv(course_row("K7")), "katalog.csv")
    await bot.settle()
    assert member.new_messages()[0].text == t("not-registered")
    assert bot.rows("SELECT COUNT(*) FROM courses")[0][0] == 1
    count, details = refusals(bot, LPK_MEMBER)["refused:catalogue:import"]
    assert count == 1 and details == [{"needs": "catalogue"}]
    entries = bot.rows("SELECT action, detail FROM audit_log WHERE actor = ? AND allowed = 1", (LPK_MEMBER,))
    assert [(r[0], json.loads(r[1])) for r in entries] == [("vacancies:import", {"created": 1, "updated": 0})]


async def test_publisher_of_the_command_line(staff_bot: BotHarness) -> None:
    await import_catalogue(staff_bot, catalogue_csv(course_row("K1")))
    report = await import_vacancies(staff_bot, vacancies_csv(vacancy_row("V1")), Publisher(0))
    assert (report.created, len(report.vacancy_ids)) == (1, 1)
    assert vacancy_rows(staff_bot)["V1"]["published_by"] == 0


def test_import_vacancies_on_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vokasi.db'}"
    courses = run("import-courses", str(SAMPLE.parent / "sample_courses.csv"), cwd=tmp_path, DATABASE_URL=url)
    assert courses.returncode == 0, courses.stderr
    # The command line runs on today's date: a closing date well ahead of it.
    ahead = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    good = tmp_path / "lowongan.csv"
    good.write_bytes(vacancies_csv(vacancy_row("V1", batas_lamaran=ahead)))
    done = run("import-vacancies", str(good), cwd=tmp_path, DATABASE_URL=url)
    assert done.returncode == 0, done.stderr
    assert "1 baru, 0 diperbarui" in done.stdout
    bad = tmp_path / "bad.csv"
    bad.write_bytes(vacancies_csv(vacancy_row("V2", batas_lamaran=ahead, gaji_dari="9 juta", gaji_sampai="1 juta")))
    rejected = run("import-vacancies", str(bad), cwd=tmp_path, DATABASE_URL=url)
    assert rejected.returncode == 1
    assert "baris 2: gaji_dari (Rp9.000.000) lebih besar dari gaji_sampai (Rp1.000.000)" in rejected.stderr
