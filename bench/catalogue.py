"""Course catalogue under load: a large CSV import, then many participants browsing and enrolling at once.

Run: ``python bench/catalogue.py [--courses N] [--users U] [--think LO-HI]
[--backend postgresql [--postgresql-url URL]]``.
Prints JSON lines (see ``run``); with ``--backend postgresql`` the people browse a PostgreSQL copy of the seeded file.

Import: a generated catalogue of N courses (default 1,000) with 10 sessions each, spread over every province and
so over WIB, WITA and WIT, is written to a temporary CSV file and imported with
``CatalogueService.import_file(bytes, "catalogue.csv")`` into a fresh, migrated SQLite file: the parse and the
all-or-nothing write. Then the same file is imported again (every course an update, no schedule change). The
database must then hold exactly N courses and 10 N sessions.

Interactions: U participants (default 200) are written straight into that database through the storage layer (one
transaction; registering has its own benchmark), the real Application from ``bot.app.build_application`` is
started with ``bot.runner.serve`` and long-polls a fresh ``fakegram.FakeTelegram`` on 127.0.0.1, as in
bench/registration.py (the rate limiter in the path, Telegram's pacing lifted); the clock is fixed at Monday
23 November 2026, 10:00 WIB, before every deadline. All participants at once (``asyncio.gather``), each
sequentially (update -> bot messages):

1. ``/pelatihan`` -> 1 (the first page of the list, a new message)
2. "next page" (``c:p:1:a`` on the list) -> 1 (the list edited to page 2)
3. ``c:p:2:a`` -> 1 (page 3)
4. a course's details (``c:d:<id>:2:a``) -> 1 (the list message edited)
5. "Daftar" (``c:e:<id>:2:a``) -> 1 (edited to the confirmation question)
6. confirm (``c:y:<id>``) -> 2 (the question edited to "enrolled", and a new message with the sessions)

Every participant gets a course of their own (spread over the catalogue), so every enrolment succeeds. Latency is
from just before sending an update to the arrival of all its messages; the content of each reply is checked.

Pacing (``--think LO-HI``, seconds): by default nobody waits between a reply and their next tap, so the 200 are
always all waiting for the bot and the figures measure its saturation (throughput; latency then is about users /
throughput, whatever the code does). With ``--think 1-3`` each person reads for a random 1 to 3 seconds (seeded by
their id) before each tap (the first included: the 200 arrive within those seconds), as people on a phone do: the
figures are then the latency 200 people browsing at once see. ``think_s`` in the output says which.
At the end exactly U enrolments must exist, all ``enrolled``, each participant in their own course, and the fake
server must have seen no failed request and no internal error; otherwise the script exits with status 1.
Timings are not asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # run as a script: make `bot` and `fakegram` importable
    sys.path.insert(0, _ROOT)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import csv  # noqa: E402
import io  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bench.common import (  # noqa: E402
    VAULT,
    BenchFailure,
    PostgresRun,
    add_backend_options,
    machine_info,
    percentile,
    print_lines,
    serving,
)
from bot.app import build_application  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services.catalogue import PAGE_SIZE, CatalogueService  # noqa: E402
from bot.services.catalogue_import import COLUMNS  # noqa: E402
from bot.services.education import EDUCATION_LEVELS  # noqa: E402
from bot.services.provinces import Province, ProvinceCatalog  # noqa: E402
from bot.services.registration import CONSENT_VERSION  # noqa: E402
from bot.services.reminders import ReminderPlanner  # noqa: E402
from bot.storage.connect import open_database  # noqa: E402
from bot.storage.participants import NewParticipant  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from fakegram import BotMessage, FakeTelegram, FakeUser  # noqa: E402

DEFAULT_COURSES = 1000
DEFAULT_USERS = 200
SESSIONS_PER_COURSE = 10
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
REPLY_TIMEOUT = 60.0  # a reply slower than this is a failure, not a measurement
FIRST_USER_ID = 60_000_000
LIST_PAGES = 3  # the participant looks at pages 1, 2 and 3 of the list before picking a course
MIN_COURSES = (LIST_PAGES - 1) * PAGE_SIZE + 1  # page 3 must exist
INTERACTIONS_PER_USER = 6

# Courses start on one of these days after the first, so registration is open on NOW for all of them.
FIRST_COURSE_DAY = date(2026, 12, 1)
COURSE_START_SPREAD = 90
DEADLINE_DAYS_BEFORE = 2
# Session hours (venue local time), by course: mornings, afternoons or full days.
SESSION_HOURS = (("08:00", "12:00"), ("13:00", "17:00"), ("08.00", "16.00"))

# (category, course title); the title gets "Angkatan <n>" so that every title is unique.
PROGRAMMES = (
    ("Alat Berat", "Operator Forklift"),
    ("Alat Berat", "Operator Excavator"),
    ("Teknologi Informasi", "Desain Grafis"),
    ("Teknologi Informasi", "Pemrograman Web Dasar"),
    ("Otomotif", "Teknisi Sepeda Motor"),
    ("Otomotif", "Teknisi AC Mobil"),
    ("Tata Boga", "Barista"),
    ("Tata Boga", "Pembuatan Roti dan Kue"),
    ("Kelistrikan", "Instalasi Listrik Rumah Tinggal"),
    ("Pengelasan", "Juru Las SMAW"),
    ("Garmen", "Menjahit Pakaian Jadi"),
    ("Perhotelan", "Housekeeping Hotel"),
    ("Bisnis", "Pemasaran Digital UMKM"),
    ("Bahasa", "Bahasa Inggris untuk Kerja"),
    ("K3", "Ahli K3 Umum"),
    ("Pertanian", "Budidaya Hidroponik"),
)
TOPICS = (
    "Pengenalan program dan K3",
    "Teori dasar dan peralatan",
    "Praktik dasar",
    "Praktik lanjutan",
    "Studi kasus di tempat kerja",
    "Perawatan dan pemeriksaan",
    "Praktik mandiri",
    "Kunjungan industri",
    "Persiapan uji kompetensi",
    "Uji kompetensi dan evaluasi",
)
INSTITUTE_NAMES = ("LPK Karya Mandiri", "LPK Cipta Terampil")
# Regency or city of each province's capital (BPS code -> name), for institutes and venues.
CAPITALS = {
    "11": "Kota Banda Aceh",
    "12": "Kota Medan",
    "13": "Kota Padang",
    "14": "Kota Pekanbaru",
    "15": "Kota Jambi",
    "16": "Kota Palembang",
    "17": "Kota Bengkulu",
    "18": "Kota Bandar Lampung",
    "19": "Kota Pangkal Pinang",
    "21": "Kota Tanjung Pinang",
    "31": "Kota Jakarta Pusat",
    "32": "Kota Bandung",
    "33": "Kota Semarang",
    "34": "Kota Yogyakarta",
    "35": "Kota Surabaya",
    "36": "Kota Serang",
    "51": "Kota Denpasar",
    "52": "Kota Mataram",
    "53": "Kota Kupang",
    "61": "Kota Pontianak",
    "62": "Kota Palangka Raya",
    "63": "Kota Banjarbaru",
    "64": "Kota Samarinda",
    "65": "Kabupaten Bulungan",
    "71": "Kota Manado",
    "72": "Kota Palu",
    "73": "Kota Makassar",
    "74": "Kota Kendari",
    "75": "Kota Gorontalo",
    "76": "Kabupaten Mamuju",
    "81": "Kota Ambon",
    "82": "Kota Tidore Kepulauan",
    "91": "Kabupaten Manokwari",
    "92": "Kota Sorong",
    "94": "Kota Jayapura",
    "95": "Kabupaten Merauke",
    "96": "Kabupaten Nabire",
    "97": "Kabupaten Jayawijaya",
}

FIRST_NAMES = ("Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Putri", "Eko", "Wati", "Hendra", "Ayu", "Rudi")
LAST_NAMES = ("Nurhaliza", "Santoso", "Lestari", "Wijaya", "Pratama", "Saputra", "Hidayat", "Kusuma", "Rahmawati")
EMPLOYERS = ("PT Maju Jaya Sentosa", "CV Sinar Abadi", "PT Tekstil Nusantara", "PT Garmen Sejahtera")
FIRST_BIRTH_DATE = date(1970, 1, 1)
BIRTH_SPAN_DAYS = 10_000  # birth dates 1970-1997; the NIK serial changes every BIRTH_SPAN_DAYS participants
FIRST_PHK_DATE = date(2025, 6, 1)

log = logging.getLogger("bench.catalogue")


@dataclass(frozen=True, slots=True)
class PlannedCourse:
    code: str
    title: str
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Target:
    """A participant and the course they enrol in."""

    user_id: int
    course_id: int
    course: PlannedCourse


# --------------------------------------------------------------------------------------------- the catalogue


def capital(province: Province) -> str:
    return CAPITALS.get(province.code, f"Kota {province.name}")


def catalogue_csv(count: int, provinces: Sequence[Province]) -> tuple[bytes, list[PlannedCourse]]:
    """A valid catalogue of `count` courses (10 sessions each) as CSV bytes, and what it holds."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    planned: list[PlannedCourse] = []
    for index in range(count):
        category, programme = PROGRAMMES[index % len(PROGRAMMES)]
        title = f"{programme} Angkatan {index // len(PROGRAMMES) + 1}"
        province = provinces[index % len(provinces)]
        city = capital(province)
        # Two institutes per province; an institute is always in the same city.
        institute = f"{INSTITUTE_NAMES[(index // len(provinces)) % len(INSTITUTE_NAMES)]} {province.name}"
        first_day = FIRST_COURSE_DAY + timedelta(days=index % COURSE_START_SPREAD)
        start, end = SESSION_HOURS[index % len(SESSION_HOURS)]
        topics = tuple(f"{topic} ({programme})" for topic in TOPICS)
        lines = [
            f"{(first_day + timedelta(days=day)).isoformat()} {start}-{end} {topic}"
            for day, topic in enumerate(topics[:SESSIONS_PER_COURSE])
        ]
        deadline = first_day - timedelta(days=DEADLINE_DAYS_BEFORE)
        code = f"BNC-{index + 1:05d}"
        writer.writerow(
            [
                code,
                title,
                category,
                f"Pelatihan {programme.lower()}, {SESSIONS_PER_COURSE} hari, dengan sertifikat kompetensi.",
                institute,
                city,
                f"0812-{index % 10_000:04d}-{(index * 37) % 10_000:04d}",
                city,
                province.name,
                f"Jl. Pendidikan No. {index % 200 + 1}, {city}",
                str(10 + index % 21),
                deadline.isoformat() if index % 2 else f"{deadline.isoformat()} 17:00",
                "buka",
                # Both ways staff write sessions: one per line, or separated by ";".
                "\n".join(lines) if index % 2 else "; ".join(lines),
            ]
        )
        planned.append(PlannedCourse(code, title, topics[:SESSIONS_PER_COURSE]))
    return out.getvalue().encode("utf-8"), planned


async def timed_imports(
    db_path: Path, content: bytes, expected: int, provinces: ProvinceCatalog
) -> tuple[float, float]:
    """Import into a fresh database, then import the same file again; seconds for each."""
    db = await open_database(db_path)
    try:
        await db.migrate()
        # Wired as bot/app.py wires it (the planner re-plans reminders of people enrolled in a changed course).
        planner = ReminderPlanner(bench_settings(), provinces)
        service = CatalogueService(Store(db, VAULT), provinces, ManualClock(NOW), planner)
        started = time.perf_counter()
        first = await service.import_file(content, "catalogue.csv")
        import_s = time.perf_counter() - started
        started = time.perf_counter()
        second = await service.import_file(content, "catalogue.csv")
        reimport_s = time.perf_counter() - started
    finally:
        await db.close()
    if (first.created, first.updated) != (expected, 0):
        raise BenchFailure(f"first import: {first}, expected {expected} created")
    if (second.created, second.updated, second.rescheduled, second.notified) != (0, expected, 0, 0):
        raise BenchFailure(f"second import: {second}, expected {expected} updated and nothing rescheduled")
    return import_s, reimport_s


def check_catalogue(db_path: Path, planned: Sequence[PlannedCourse]) -> dict[str, int]:
    """Exactly the planned courses with their sessions; returns course id by code."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        ids = {str(code): int(course_id) for code, course_id in conn.execute("SELECT code, id FROM courses")}
        sessions = conn.execute("SELECT COUNT(*) FROM course_sessions").fetchone()[0]
        per_course = conn.execute(
            "SELECT COUNT(*) FROM (SELECT course_id FROM course_sessions GROUP BY course_id HAVING COUNT(*) <> ?)",
            (SESSIONS_PER_COURSE,),
        ).fetchone()[0]
    expected_sessions = len(planned) * SESSIONS_PER_COURSE
    if set(ids) != {c.code for c in planned} or sessions != expected_sessions or per_course:
        raise BenchFailure(
            f"after the imports: {len(ids)} courses (expected {len(planned)}), {sessions} sessions "
            f"(expected {expected_sessions}), {per_course} courses without exactly {SESSIONS_PER_COURSE} sessions"
        )
    return ids


# --------------------------------------------------------------------------------------------- participants


def nik_for(index: int, province: Province) -> str:
    """A valid-looking, unique NIK: province, regency and district codes, birth date (day + 40 for women), serial."""
    born = FIRST_BIRTH_DATE + timedelta(days=index % BIRTH_SPAN_DAYS)
    day = born.day + (40 if index % 2 else 0)
    serial = index // BIRTH_SPAN_DAYS + 1
    return f"{province.nik_codes[0]}0101{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def new_participant(index: int, province: Province) -> NewParticipant:
    return NewParticipant(
        telegram_user_id=FIRST_USER_ID + index,
        full_name=f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index % len(LAST_NAMES)]}",
        nik=nik_for(index, province),
        birth_date=FIRST_BIRTH_DATE + timedelta(days=index % BIRTH_SPAN_DAYS),
        gender="F" if index % 2 else "M",
        kpj=None if index % 3 else f"{(index * 104_729 + 17) % 10**11:011d}",
        phone=f"+62812{(index * 7919 + 1_234_567) % 10**8:08d}",  # 7919 is coprime to 10**8: unique
        province_code=province.code,
        regency=capital(province),
        last_employer=EMPLOYERS[index % len(EMPLOYERS)],
        phk_date=FIRST_PHK_DATE + timedelta(days=index % 365),
        education=EDUCATION_LEVELS[index % len(EDUCATION_LEVELS)],
        needs_verification=False,
        consent_at=NOW,
        consent_version=CONSENT_VERSION,
    )


async def seed_participants(db_path: Path, count: int, provinces: Sequence[Province]) -> list[int]:
    """`count` registered participants in one transaction; their Telegram user ids."""
    db = await open_database(db_path)
    try:
        async with Store(db, VAULT).write() as unit:
            for index in range(count):
                await unit.participants.create(new_participant(index, provinces[index % len(provinces)]), NOW)
    finally:
        await db.close()
    return [FIRST_USER_ID + index for index in range(count)]


def targets(user_ids: Sequence[int], planned: Sequence[PlannedCourse], ids: dict[str, int]) -> list[Target]:
    """A course of their own for every participant, spread evenly over the catalogue."""
    if len(user_ids) > len(planned):
        raise ValueError("more users than courses")
    chosen = [planned[index * len(planned) // len(user_ids)] for index in range(len(user_ids))]
    return [Target(user_id, ids[course.code], course) for user_id, course in zip(user_ids, chosen, strict=True)]


# --------------------------------------------------------------------------------------------- driving users


async def interact(user: FakeUser, send: Awaitable[int], replies: int, latencies: list[float]) -> list[BotMessage]:
    """One update (`send`, not awaited yet) and exactly its bot messages; latency from just before sending."""
    started = time.perf_counter()
    await send
    messages = await user.wait_messages(replies, timeout=REPLY_TIMEOUT)
    latencies.append(time.perf_counter() - started)
    return messages


def expect(condition: bool, user: FakeUser, step: str, message: BotMessage) -> None:
    if not condition:
        raise BenchFailure(
            f"user {user.user_id}, {step}: unexpected reply {message.plain_text!r} "
            f"(edited: {message.edited}) with buttons {message.callback_data()!r}"
        )


def check_page(user: FakeUser, message: BotMessage, page: int, list_id: int | None) -> None:
    data = message.callback_data()
    courses = [d for d in data if d.startswith("c:d:")]
    expect(
        bool(courses)
        and all(d.endswith(f":{page}:a") for d in courses)
        and (page == 0 or f"c:p:{page - 1}:a" in data)
        and (list_id is None or (message.message_id == list_id and message.edited)),
        user,
        f"list page {page + 1}",
        message,
    )


async def browse_and_enrol(
    user: FakeUser, target: Target, latencies: list[float], think: tuple[float, float] = (0.0, 0.0)
) -> None:
    course_id, title = target.course_id, target.course.title
    rng = random.Random(user.user_id)

    async def read() -> None:
        """The person reads the reply before the next tap."""
        if think[1] > 0:
            await asyncio.sleep(rng.uniform(*think))

    await read()  # the 200 arrive within the first seconds, not all in the same millisecond
    [listing] = await interact(user, user.send_text("/pelatihan"), 1, latencies)
    check_page(user, listing, 0, None)
    list_id = listing.message_id
    for page in range(1, LIST_PAGES):
        await read()
        [listing] = await interact(user, user.press_data(f"c:p:{page}:a", list_id), 1, latencies)
        check_page(user, listing, page, list_id)
    page = LIST_PAGES - 1
    await read()
    [detail] = await interact(user, user.press_data(f"c:d:{course_id}:{page}:a", list_id), 1, latencies)
    expect(
        detail.message_id == list_id
        and title in (detail.plain_text or "")
        and f"c:e:{course_id}:{page}:a" in detail.callback_data(),
        user,
        "course detail",
        detail,
    )
    await read()
    [question] = await interact(user, user.press_data(f"c:e:{course_id}:{page}:a", list_id), 1, latencies)
    expect(
        question.message_id == list_id
        and title in (question.plain_text or "")
        and f"c:y:{course_id}" in question.callback_data(),
        user,
        "enrol question",
        question,
    )
    await read()
    replies = await interact(user, user.press_data(f"c:y:{course_id}", list_id), 2, latencies)
    edited = [m for m in replies if m.message_id == list_id]
    sessions = [m for m in replies if m.message_id != list_id]
    expect(
        len(edited) == 1 and title in (edited[0].plain_text or "") and not edited[0].inline_keyboard,
        user,
        "enrolled",
        replies[0],
    )
    expect(
        len(sessions) == 1 and all(topic in (sessions[0].plain_text or "") for topic in target.course.topics),
        user,
        "sessions after enrolling",
        replies[-1],
    )


async def drive_all(
    server: FakeTelegram, plan: Sequence[Target], think: tuple[float, float] = (0.0, 0.0)
) -> tuple[float, list[float]]:
    """Everyone at once; returns the wall time in seconds and every interaction's latency in seconds."""
    users = [(server.user(target.user_id, first_name="Peserta"), target) for target in plan]
    latencies: list[float] = []
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(browse_and_enrol(user, target, latencies, think) for user, target in users), return_exceptions=True
    )
    elapsed = time.perf_counter() - started
    failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    if failures:
        raise BenchFailure(f"{len(failures)} of {len(users)} users failed; first: {failures[0]!r}") from failures[0]
    leftovers = {user.user_id: len(left) for user, _ in users if (left := user.new_messages())}
    if leftovers:
        raise BenchFailure(f"unexpected extra bot messages (user id -> count): {leftovers}")
    failed = [r for r in server.requests if not r.ok]
    if failed or server.internal_errors:
        raise BenchFailure(f"failed Bot API requests: {failed[:5]!r}; fakegram errors: {server.internal_errors[:5]!r}")
    return elapsed, latencies


def bench_settings(**fields: Any) -> Settings:
    """The bot's settings: defaults (no .env file read) with `fields` set."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
        # The rate limiter stays in the path (its cost is the bot's), but with Telegram's pacing lifted, as in
        # bench/registration.py: this measures the bot's own ceiling.
        telegram_messages_per_s=100_000,
        telegram_chat_messages_per_s=100_000,
        **fields,
    )


async def run_interactions(
    db_path: Path,
    plan: Sequence[Target],
    think: tuple[float, float] = (0.0, 0.0),
    postgres: PostgresRun | None = None,
) -> tuple[float, list[float]]:
    """The people browse and enrol; with `postgres`, on a PostgreSQL copy of the seeded file (brought back after,
    so the checks read the same rows either way)."""
    database_url = f"sqlite:///{db_path}" if postgres is None else await postgres.copy_of(db_path, "bench_catalogue")
    async with FakeTelegram() as server:
        settings = bench_settings(
            bot_token=server.token,
            bot_api_url=server.base_url,
            bot_file_url=server.base_file_url,
            database_url=database_url,
        )
        app = build_application(settings, clock=ManualClock(NOW))
        async with serving(app, server):
            measured = await drive_all(server, plan, think)
        # Anything the bot sent after the last expected message (during shutdown included) is a failure too.
        failed = [r for r in server.requests if not r.ok]
        if failed or server.internal_errors:
            raise BenchFailure(
                f"failed Bot API requests: {failed[:5]!r}; fakegram errors: {server.internal_errors[:5]!r}"
            )
    if postgres is not None:
        await postgres.back_to_sqlite(database_url, db_path)
    check_enrolled(db_path, plan)
    return measured


def check_enrolled(db_path: Path, plan: Sequence[Target]) -> None:
    """Exactly one enrolment per participant, in their own course, all with status 'enrolled'."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute(
            "SELECT p.telegram_user_id, e.course_id, e.status FROM enrollments e"
            " JOIN participants p ON p.id = e.participant_id"
        ).fetchall()
    expected = {target.user_id: target.course_id for target in plan}
    got = {int(user_id): int(course_id) for user_id, course_id, _ in rows}
    statuses = sorted({str(status) for _, _, status in rows})
    if len(rows) != len(plan) or got != expected or statuses != ["enrolled"]:
        missing = sorted(set(expected) - set(got))[:10]
        wrong = sorted(user_id for user_id, course_id in got.items() if expected.get(user_id) != course_id)[:10]
        raise BenchFailure(
            f"{len(rows)} enrolments for {len(plan)} users ({len(got)} distinct users), statuses {statuses}; "
            f"missing users: {missing}; wrong course or unknown user: {wrong}"
        )


# --------------------------------------------------------------------------------------------- results


def interactions_summary(
    users: int, elapsed: float, latencies: Sequence[float], think: tuple[float, float] = (0.0, 0.0)
) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "bench": "catalogue",
        "users": users,
        "think_s": list(think),
        "interactions": len(ordered),
        "interactions_per_s": round(len(ordered) / elapsed, 1),
        "p50_ms": round(percentile(ordered, 50) * 1000, 1),
        "p95_ms": round(percentile(ordered, 95) * 1000, 1),
        "p99_ms": round(percentile(ordered, 99) * 1000, 1),
    }


def machine() -> dict[str, Any]:
    return {
        "bench": "catalogue",
        "machine": machine_info(),
    }


async def run(
    courses: int = DEFAULT_COURSES,
    users: int = DEFAULT_USERS,
    workdir: Path | None = None,
    think: tuple[float, float] = (0.0, 0.0),
    postgres: PostgresRun | None = None,
) -> list[dict[str, Any]]:
    """Import (always on SQLite), then interactions (on PostgreSQL with `postgres`); the JSON lines as dicts:
    import, interactions, machine.

    The CSV file and the database are ``workdir/catalogue.csv`` and ``workdir/bench.db`` when a directory is
    given (they are kept), else temporary files. Raises BenchFailure when an import, a reply or the final
    enrolments are not what they must be.
    """
    if courses < MIN_COURSES:
        raise ValueError(f"at least {MIN_COURSES} courses (the participants look at {LIST_PAGES} pages)")
    if not 1 <= users <= courses:
        raise ValueError("between 1 user and one user per course")
    catalog = ProvinceCatalog.load()
    provinces = catalog.all()
    content, planned = catalogue_csv(courses, provinces)
    with contextlib.ExitStack() as stack:
        directory = workdir if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        csv_path = directory / "catalogue.csv"
        csv_path.write_bytes(content)
        db_path = directory / "bench.db"
        import_s, reimport_s = await timed_imports(db_path, csv_path.read_bytes(), courses, catalog)
        ids = check_catalogue(db_path, planned)
        imported = {
            "bench": "catalogue",
            "courses": courses,
            "sessions": courses * SESSIONS_PER_COURSE,
            "import_s": round(import_s, 3),
            "reimport_s": round(reimport_s, 3),
        }
        user_ids = await seed_participants(db_path, users, provinces)
        elapsed, latencies = await run_interactions(db_path, targets(user_ids, planned, ids), think, postgres)
    if len(latencies) != users * INTERACTIONS_PER_USER:
        raise BenchFailure(f"{len(latencies)} interactions measured, expected {users * INTERACTIONS_PER_USER}")
    browsed = interactions_summary(users, elapsed, latencies, think)
    if postgres is not None:
        browsed["backend"] = "postgresql"
    return [imported, browsed, machine()]


def think_range(text: str) -> tuple[float, float]:
    """ "1-3" -> (1.0, 3.0)."""
    try:
        low, high = (float(part) for part in text.split("-", 1))
    except ValueError:
        raise argparse.ArgumentTypeError("expected LO-HI in seconds, e.g. 1-3") from None
    if not 0 <= low <= high:
        raise argparse.ArgumentTypeError("expected 0 <= LO <= HI")
    return low, high


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--courses", type=int, default=DEFAULT_COURSES, help=f"courses in the catalogue (default {DEFAULT_COURSES})"
    )
    parser.add_argument(
        "--users", type=int, default=DEFAULT_USERS, help=f"simulated participants (default {DEFAULT_USERS})"
    )
    parser.add_argument(
        "--think",
        type=think_range,
        default=(0.0, 0.0),
        metavar="LO-HI",
        help="seconds each person reads a reply before the next tap, at random between LO and HI (default 0-0: "
        "the bot's saturation)",
    )
    add_backend_options(parser)
    args = parser.parse_args(argv)
    if args.courses < MIN_COURSES:
        parser.error(f"--courses must be at least {MIN_COURSES}")
    if not 1 <= args.users <= args.courses:
        parser.error("--users must be at least 1 and at most --courses (every user enrols in a course of their own)")
    # PTB 22 warns unless durations such as retry_after are timedelta objects (the PTB 23 behaviour), as main.py.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.backend == "postgresql":
        with PostgresRun(args.postgresql_url) as postgres:
            return print_lines(run(args.courses, args.users, think=args.think, postgres=postgres))
    return print_lines(run(args.courses, args.users, think=args.think))


if __name__ == "__main__":
    sys.exit(main())
