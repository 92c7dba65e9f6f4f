"""The soak's set-up (not timed): who the simulated people are, the fresh database and the bot serving.

A fresh, migrated SQLite file with the sample catalogue imported through ``CatalogueService.import_file`` and the
participants registered before the run written straight through the storage layer (spread over the catalogue's
provinces, WIB, WITA and WIT); the moment the clock starts at; the bot's production settings pointed at the fake
server; and the Application long-polling it while the run lasts. ``bench/soak.py`` describes the whole scenario.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import VAULT, BenchFailure
from bot.clock import ManualClock
from bot.config import DATA_DIR, Settings
from bot.context import VokasiApp
from bot.runner import serve
from bot.services.catalogue import CatalogueService
from bot.services.education import EDUCATION_LEVELS
from bot.services.provinces import Province, ProvinceCatalog
from bot.services.registration import CONSENT_VERSION
from bot.services.reminders import ReminderPlanner
from bot.storage.connect import open_database
from bot.storage.db import from_db_time
from bot.storage.participants import NewParticipant
from bot.storage.store import Store
from fakegram import FakeTelegram

SAMPLE_CATALOGUE = DATA_DIR / "sample_courses.csv"

# Telegram's limits as the bot's own limiter keeps them (its defaults).
BOT_PER_S = 30.0
BOT_CHAT_PER_S = 1.0

# Who the simulated participants are.
NEWCOMER_SHARE = 0.25
"""Participants who register through the dialog during the run; the others are registered before it."""
FIRST_USER_ID = 80_000_000
FIRST_NEWCOMER_ID = 81_000_000
STAFF_ID = 9_000_001
# The catalogue's provinces (BPS codes): Banten, DKI Jakarta, Jawa Timur (WIB), Sulawesi Utara (WITA), Papua (WIT),
# each as often as it has courses. Registered participants come from these in turn (the list shows courses of one's
# own province first, and people mostly pick one near the top: see PICK_MEAN in bench/soak_courses.py).
HOME_PROVINCES = ("36", "31", "36", "35", "36", "31", "71", "36", "35", "94")
FIRST_NAMES = ("Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Putri", "Eko", "Wati", "Hendra", "Ayu", "Rudi")
LAST_NAMES = ("Nurhaliza", "Santoso", "Lestari", "Wijaya", "Pratama", "Saputra", "Hidayat", "Kusuma", "Rahmawati")
EMPLOYERS = ("PT Maju Jaya Sentosa", "CV Sinar Abadi", "PT Tekstil Nusantara", "PT Garmen Sejahtera")
FIRST_BIRTH_DATE = date(1970, 1, 1)
FIRST_PHK_DATE = date(2025, 6, 1)

# The clock starts with registration open everywhere (the schedule it follows is in bench/soak_conductor.py).
WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 11, 26, 9, 0, tzinfo=WIB)

POLL_TIMEOUT = 1  # seconds, as in tests/harness.py


@dataclass(frozen=True, slots=True)
class CourseInfo:
    id: int
    code: str
    title: str
    last_end: datetime


def bench_settings(server: FakeTelegram, db_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
        bot_token=server.token,
        bot_api_url=server.base_url,
        bot_file_url=server.base_file_url,
        database_url=f"sqlite:///{db_path}",
        telegram_messages_per_s=BOT_PER_S,
        telegram_chat_messages_per_s=BOT_CHAT_PER_S,
    )


def registered_participant(index: int, province: Province) -> NewParticipant:
    """A registered participant; NIKs never start with 32 (those of the newcomers do), phones are +62813..."""
    born = FIRST_BIRTH_DATE + timedelta(days=index)
    day = born.day + (40 if index % 2 else 0)
    return NewParticipant(
        telegram_user_id=FIRST_USER_ID + index,
        full_name=f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index % len(LAST_NAMES)]}",
        nik=f"{province.nik_codes[0]}0101{day:02d}{born.month:02d}{born.year % 100:02d}{index % 9999 + 1:04d}",
        birth_date=born,
        gender="F" if index % 2 else "M",
        kpj=None,
        phone=f"+62813{(index * 7919 + 1_234_567) % 10**8:08d}",
        province_code=province.code,
        regency=f"Kota {province.name}",
        last_employer=EMPLOYERS[index % len(EMPLOYERS)],
        phk_date=FIRST_PHK_DATE + timedelta(days=index % 365),
        education=EDUCATION_LEVELS[index % len(EDUCATION_LEVELS)],
        needs_verification=False,
        consent_at=START,
        consent_version=CONSENT_VERSION,
    )


def remove_database(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


async def prepare(db_path: Path, registered: int) -> list[CourseInfo]:
    """The catalogue imported and `registered` participants written, in a fresh database; the courses."""
    remove_database(db_path)
    provinces = ProvinceCatalog.load()
    homes = []
    for code in HOME_PROVINCES:
        province = provinces.get(code)
        if province is None:
            raise BenchFailure(f"province {code} is not in data/provinces.json")
        homes.append(province)
    db = await open_database(db_path)
    try:
        await db.migrate()
        store = Store(db, VAULT)
        settings = Settings(_env_file=None, database_url=f"sqlite:///{db_path}")  # type: ignore[call-arg]
        catalogue = CatalogueService(store, provinces, ManualClock(START), ReminderPlanner(settings, provinces))
        report = await catalogue.import_file(SAMPLE_CATALOGUE.read_bytes(), SAMPLE_CATALOGUE.name)
        if report.created < 1:
            raise BenchFailure(f"importing {SAMPLE_CATALOGUE.name} created no course: {report}")
        async with store.write() as unit:
            for index in range(registered):
                await unit.participants.create(registered_participant(index, homes[index % len(homes)]), START)
    finally:
        await db.close()
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute(
            "SELECT c.id, c.code, c.title, MAX(s.ends_at) FROM courses c JOIN course_sessions s ON s.course_id = c.id"
            " GROUP BY c.id ORDER BY c.id"
        ).fetchall()
    return [CourseInfo(int(i), str(code), str(title), from_db_time(str(end))) for i, code, title, end in rows]


@contextlib.asynccontextmanager
async def serving(app: VokasiApp, server: FakeTelegram) -> AsyncIterator[asyncio.Task[None]]:
    """The Application polling the fake server (as tests/harness.py runs it), stopped on exit; yields its task."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, stop, poll_timeout=POLL_TIMEOUT))
    try:
        await server.wait_until(lambda: task.done() or (server.long_polls > 0 and app.running), timeout=30)
        if task.done():
            await task  # raises what stopped it
            raise BenchFailure("the bot stopped during start-up")
        yield task
    finally:
        stop.set()
        await task
