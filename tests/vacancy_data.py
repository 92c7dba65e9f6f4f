"""Building vacancy files for the vacancy tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.services.vacancies import COMMAND_LINE, Publisher, VacancyImportReport
from bot.services.vacancy_import import COLUMNS
from tests.harness import BotHarness

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_vacancies.csv"


def vacancy_row(code: str, **values: str) -> dict[str, str]:
    """A valid "lamar lewat bot" vacancy in Kota Cilegon (Banten) for the catalogue's Alat Berat courses."""
    row = {
        "kode": code,
        "posisi": f"Operator {code}",
        "perusahaan": "PT Baja Pesisir",
        "sektor": "Konstruksi",
        "kategori": "Alat Berat",
        "provinsi": "Banten",
        "kabupaten_kota": "Kota Cilegon",
        "gaji_dari": "5.000.000",
        "gaji_sampai": "6.000.000",
        "persyaratan": "Sertifikat pelatihan operator\nBersedia kerja shift",
        "batas_lamaran": "2027-03-31",
        "cara_melamar": "lamar lewat bot",
    }
    row.update(values)
    return row


def vacancies_csv(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


async def import_vacancies(
    bot: BotHarness, content: bytes, publisher: Publisher | None = None, name: str = "lowongan.csv"
) -> VacancyImportReport:
    assert bot.app is not None
    return await bot.app.bot_data.services.vacancies.import_file(content, name, publisher or Publisher(COMMAND_LINE))
