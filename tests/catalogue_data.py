"""Building catalogue files and participants for the course tests."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from bot.services.catalogue import ImportReport
from bot.services.catalogue_import import COLUMNS
from bot.storage.participants import NewParticipant
from tests.harness import START, BotHarness

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_courses.csv"


def course_row(code: str, **values: str) -> dict[str, str]:
    """A valid course (Kota Cilegon, Banten, WIB) with two sessions in December 2026, overridable per column."""
    row = {
        "kode": code,
        "judul": f"Pelatihan {code}",
        "kategori": "Alat Berat",
        "deskripsi": "Pelatihan singkat.",
        "lpk": "Kautsar Institute",
        "kota_lpk": "Kota Cilegon",
        "kontak_lpk": "0254-5550101",
        "kabupaten_kota": "Kota Cilegon",
        "provinsi": "Banten",
        "alamat": "Jl. Jenderal Sudirman No. 88",
        "kapasitas": "10",
        "batas_pendaftaran": "2026-12-02",
        "status": "buka",
        "sesi": "2026-12-07 08:00-16:00 Teori K3\n2026-12-08 08:00-16:00 Praktik",
    }
    row.update(values)
    return row


def catalogue_csv(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


async def import_catalogue(bot: BotHarness, content: bytes, name: str = "katalog.csv") -> ImportReport:
    assert bot.app is not None
    return await bot.app.bot_data.services.catalogue.import_file(content, name)


async def seed_participant(bot: BotHarness, telegram_user_id: int, province_code: str = "32") -> int:
    """A registered participant written straight to the database (registration has its own tests)."""
    assert bot.app is not None
    serial = f"{telegram_user_id % 10000:04d}" if telegram_user_id % 10000 else "0001"
    async with bot.app.bot_data.services.store.write() as unit:
        created = await unit.participants.create(
            NewParticipant(
                telegram_user_id=telegram_user_id,
                full_name=f"Peserta {telegram_user_id}",
                nik=f"{province_code}0101150190{serial}",
                birth_date=date(1990, 1, 15),
                gender="M",
                kpj=None,
                phone=f"+62812{telegram_user_id:08d}",
                province_code=province_code,
                regency="Kota Bandung",
                last_employer="PT Contoh",
                phk_date=date(2026, 3, 1),
                education="sma",
                needs_verification=False,
                consent_at=START,
                consent_version="test",
            ),
            START,
        )
    return created.id
