"""Broadcast to a large audience: selecting the recipients and enqueueing one outbox row each.

Run: ``python bench/broadcast.py [--sizes 20000,1000000] [--workdir DIR]``. Prints JSON lines (see ``run``), all
with ``"bench": "broadcast"``: one per size, then the machine.

Seeding (not timed, but reported as ``seed_s``): for each size N, a fresh SQLite file
(``<workdir>/broadcast-<N>.db``) is migrated with the project's own migrations (``Database.migrate``), then filled
with plain ``sqlite3`` (``executemany``, one transaction): N participants with unique Telegram ids (spread over
the id space, not in registration order), provinces over every real province code (so WIB, WITA and WIT; Jawa
Barat, Jawa Timur, Jawa Tengah and DKI Jakarta more often), two to four regencies per province, an employment status
spread over the check-in statuses and "never answered" (NULL); about 2 % opted out of announcements
(``announcements_off_at``), 1 % unreachable (``unreachable_since``) and 1 % erased (Telegram id NULL). Personal
columns the benchmark does not need are NULL. 10 % of the participants have an enrolment (enrolled or completed)
in one of 40 courses, so audience filters using EXISTS have data.

Timed, through ``BroadcastService`` wired as ``bot/app.py`` wires it (``Store``, default quiet hours, the province
catalogue) with a ``ManualClock`` at Monday 23 November 2026, 10:00 WIB (daytime in every zone):

1. ``count_s``: ``BroadcastRepository.count(Audience())`` in a read unit, the figure the composer shows.
2. ``select_enqueue_s``: a staff member starts a draft and attaches a text message (``start``, ``attach``; not
   timed), then ``BroadcastService.send`` with no filter: the whole audience selected and one outbox row per
   recipient inserted in one ``INSERT ... SELECT``, and committed. ``recipients`` is how many.
3. ``filtered_select_enqueue_s``: a second draft, with ``set_filter(province_code="32", employment_status=
   "not_working")`` (Jawa Barat, not working), sent the same way; ``filtered_recipients`` is how many.

The aim (``aim_s``) is 1 s for up to 20,000 participants and 20 s above; ``met`` says whether the unfiltered
``select_enqueue_s`` is within it. Afterwards each broadcast's outbox rows are checked against a plain SQL count of
the participants who must receive it (registered, reachable, not opted out, matching the filters; this count must
also equal the one the seeding planned): exactly one pending 'broadcast' row per such participant, each copying
the attached message, priority 0, not before the send time, and the broadcast's ``recipients`` figure the same;
otherwise the script exits with status 1. Timings are not asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # run as a script: make `bot` importable
    sys.path.insert(0, _ROOT)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bench.common import VAULT, BenchFailure, PostgresRun, add_backend_options, machine_info, print_lines  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services.broadcasts import BroadcastService, Panel  # noqa: E402
from bot.services.provinces import Province, ProvinceCatalog  # noqa: E402
from bot.services.reminders import QuietHours  # noqa: E402
from bot.services.survey_catalog import EMPLOYMENT_STATUSES  # noqa: E402
from bot.storage.broadcasts import BROADCAST_KIND, Audience, subject  # noqa: E402
from bot.storage.connect import open_database  # noqa: E402
from bot.storage.db import to_db_time  # noqa: E402
from bot.storage.store import Store  # noqa: E402

DEFAULT_SIZES = (20_000, 1_000_000)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
SEED = 20261123
# Telegram ids: FIRST_USER_ID + (index * USER_ID_STEP + 17) mod USER_ID_SPACE, a bijection (the step is coprime to
# the space), so ids are unique and arrive in no particular order, as real ones do.
FIRST_USER_ID = 100_000_000
USER_ID_SPACE = 10**9
USER_ID_STEP = 104_729
MAX_PARTICIPANTS = USER_ID_SPACE

# The staff member composing, and their chat with the bot (where the announcement is copied from).
ACTOR = 7_000_001
SOURCE_CHAT_ID = ACTOR
EVERYONE_MESSAGE_ID = 501
FILTERED_MESSAGE_ID = 502

# Share of participants in each state (drawn independently, so a few are both opted out and unreachable...).
OPTED_OUT_SHARE = 0.02
UNREACHABLE_SHARE = 0.01
ERASED_SHARE = 0.01
ENROLLED_SHARE = 0.10
COMPLETED_SHARE = 0.3  # of the enrolments; the others are 'enrolled'
COURSES = 40

# Provinces with more people get more participants; every other province gets weight 1.
PROVINCE_WEIGHTS = {"32": 8.0, "35": 6.0, "33": 5.0, "31": 3.0}
# The filtered broadcast: the most common province, people who said they are not working.
FILTER_PROVINCE = "32"
FILTER_EMPLOYMENT = "not_working"
# Employment statuses (None: never answered a check-in) and their weights.
EMPLOYMENT_CHOICES: tuple[str | None, ...] = (*EMPLOYMENT_STATUSES, None)
EMPLOYMENT_WEIGHTS = (2.0, 2.0, 1.0, 1.0, 3.0, 1.0, 10.0)
REGENCIES_PER_PROVINCE = (2, 3, 4)

SMALL_AIM_S = 1
LARGE_AIM_S = 20
SMALL_SIZE = 20_000

log = logging.getLogger("bench.broadcast")


def aim_for(participants: int) -> int:
    """Seconds the unfiltered select + enqueue should take: 1 s up to 20,000 participants, 20 s above."""
    return SMALL_AIM_S if participants <= SMALL_SIZE else LARGE_AIM_S


# --------------------------------------------------------------------------------------------- seeding


@dataclass(frozen=True, slots=True)
class SeedPlan:
    """What the seeding wrote, counted in Python (independently of the SQL the bot runs)."""

    participants: int
    recipients: int
    filtered_recipients: int
    enrollments: int


def user_id_for(index: int) -> int:
    return FIRST_USER_ID + (index * USER_ID_STEP + 17) % USER_ID_SPACE


def regencies_of(province: Province) -> list[str]:
    count = REGENCIES_PER_PROVINCE[int(province.code) % len(REGENCIES_PER_PROVINCE)]
    return [f"Kota {province.name}", *(f"Kabupaten {province.name} {n}" for n in range(1, count))]


def remove_database(db_path: Path) -> None:
    """The SQLite file and its WAL files, if they exist."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


async def migrated(db_path: Path) -> None:
    """A fresh file with the project's schema (any earlier file of that name is removed)."""
    remove_database(db_path)
    db = await open_database(db_path)
    try:
        await db.migrate()
    finally:
        await db.close()


def seed(db_path: Path, count: int, provinces: Sequence[Province]) -> SeedPlan:
    """N participants, courses and enrolments, written with plain sqlite3 in one transaction."""
    rng = random.Random(SEED + count)
    codes = [p.code for p in provinces]
    weights = [PROVINCE_WEIGHTS.get(code, 1.0) for code in codes]
    regencies = {p.code: regencies_of(p) for p in provinces}
    province_of = rng.choices(codes, weights, k=count)
    employment_of = rng.choices(EMPLOYMENT_CHOICES, EMPLOYMENT_WEIGHTS, k=count)
    now = to_db_time(NOW)
    earlier = to_db_time(NOW - timedelta(days=60))
    recipients = filtered = 0
    rows: list[tuple[Any, ...]] = []
    enrolled: list[int] = []  # participant ids (1-based, as inserted)
    for index in range(count):
        code = province_of[index]
        employment = employment_of[index]
        erased = rng.random() < ERASED_SHARE
        opted_out = rng.random() < OPTED_OUT_SHARE
        unreachable = rng.random() < UNREACHABLE_SHARE
        if not (erased or opted_out or unreachable):
            recipients += 1
            filtered += code == FILTER_PROVINCE and employment == FILTER_EMPLOYMENT
        if rng.random() < ENROLLED_SHARE:
            enrolled.append(index + 1)
        area = regencies[code]
        rows.append(
            (
                index + 1,
                None if erased else user_id_for(index),
                code,
                None if erased else area[index % len(area)],
                "2025-09-01",
                "SMA",
                earlier,
                "2025-01",
                earlier,
                earlier,
                earlier if erased else None,
                earlier if unreachable else None,
                "blocked" if unreachable else None,
                employment,
                None if employment is None else earlier,
                earlier if opted_out else None,
            )
        )
    with contextlib.closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: the random-order Telegram id index stays in memory
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO participants (id, telegram_user_id, province_code, regency, phk_date, education,"
            " consent_at, consent_version, registered_at, updated_at, erased_at, unreachable_since,"
            " unreachable_reason, employment_status, employment_status_at, announcements_off_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        del rows
        conn.execute(
            "INSERT INTO institutes (id, name, city) VALUES (1, 'LPK Bench Mandiri', 'Kota Bandung')",
        )
        course_provinces = [provinces[n % len(provinces)] for n in range(COURSES)]
        conn.executemany(
            "INSERT INTO courses (id, code, title, category, institute_id, regency, province_code, venue_address,"
            " timezone, capacity, registration_deadline, status, created_at, updated_at)"
            " VALUES (?, ?, ?, 'Bench', 1, ?, ?, 'Jl. Pendidikan No. 1', ?, 1000000, ?, ?, ?, ?)",
            [
                (
                    n + 1,
                    f"BRC-{n + 1:03d}",
                    f"Pelatihan Siaran {n + 1}",
                    regencies_of(p)[0],
                    p.code,
                    p.timezone,
                    earlier,
                    "finished" if n % 4 == 0 else "open",
                    earlier,
                    earlier,
                )
                for n, p in enumerate(course_provinces)
            ],
        )

        def enrolments() -> Iterator[tuple[Any, ...]]:
            for participant_id in enrolled:
                completed = rng.random() < COMPLETED_SHARE
                yield (
                    participant_id,
                    rng.randrange(COURSES) + 1,
                    "completed" if completed else "enrolled",
                    earlier,
                    now if completed else earlier,
                    now if completed else None,
                )

        conn.executemany(
            "INSERT INTO enrollments (participant_id, course_id, status, created_at, updated_at, finished_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            enrolments(),
        )
        conn.execute("COMMIT")  # no ANALYZE: the bot never runs it, so its queries are planned without statistics
    return SeedPlan(count, recipients, filtered, len(enrolled))


# --------------------------------------------------------------------------------------------- checks

# Who must receive a broadcast, written independently of bot/storage/broadcasts.py.
_WANTED = (
    "p.telegram_user_id IS NOT NULL AND p.announcements_off_at IS NULL AND p.unreachable_since IS NULL"
    " AND (? IS NULL OR p.province_code = ?) AND (? IS NULL OR p.employment_status = ?)"
)


def expected_recipients(db_path: Path, province_code: str | None = None, employment_status: str | None = None) -> int:
    """Registered, reachable participants who want announcements and match the filters (plain SQL)."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return int(
            conn.execute(
                f"SELECT COUNT(*) FROM participants p WHERE {_WANTED}",  # noqa: S608 (a fixed fragment)
                (province_code, province_code, employment_status, employment_status),
            ).fetchone()[0]
        )


def check_broadcast(
    db_path: Path, broadcast_id: int, province_code: str | None = None, employment_status: str | None = None
) -> int:
    """The broadcast's outbox rows are exactly one per participant who must receive it; returns how many."""
    expected = expected_recipients(db_path, province_code, employment_status)
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        found = conn.execute(
            "SELECT recipients, source_chat_id, source_message_id, send_at, status FROM broadcasts WHERE id = ?",
            (broadcast_id,),
        ).fetchone()
        if found is None:
            raise BenchFailure(f"broadcast {broadcast_id} does not exist")
        figure, chat_id, message_id, send_at, status = found
        tag = subject(broadcast_id)
        rows, distinct, copies, bulk, pending, timed, keyed = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT telegram_user_id),"
            " COALESCE(SUM(copy_from_chat_id = ? AND copy_message_id = ? AND message_key IS NULL), 0),"
            " COALESCE(SUM(priority = 0), 0), COALESCE(SUM(status = 'pending'), 0),"
            " COALESCE(SUM(not_before >= ?), 0), COALESCE(SUM(dedupe_key = subject || telegram_user_id), 0)"
            " FROM outbox WHERE subject = ? AND kind = ?",
            (chat_id, message_id, send_at, tag, BROADCAST_KIND),
        ).fetchone()
        strangers = conn.execute(
            "SELECT COUNT(*) FROM outbox o WHERE o.subject = ? AND o.kind = ? AND NOT EXISTS"  # noqa: S608
            f" (SELECT 1 FROM participants p WHERE p.telegram_user_id = o.telegram_user_id AND {_WANTED})",
            (tag, BROADCAST_KIND, province_code, province_code, employment_status, employment_status),
        ).fetchone()[0]
        other_kind = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE subject = ? AND kind <> ?", (tag, BROADCAST_KIND)
        ).fetchone()[0]
    problems = []
    if rows != expected:
        problems.append(f"{rows} outbox rows, expected {expected}")
    if distinct != rows:
        problems.append(f"{rows - distinct} duplicate recipients")
    if strangers:
        problems.append(f"{strangers} rows for participants who must not receive it")
    if chat_id is None or message_id is None or copies != rows:
        problems.append(f"{rows - copies} rows not copying message {chat_id}/{message_id}")
    if bulk != rows:
        problems.append(f"{rows - bulk} rows not at priority 0")
    if pending != rows:
        problems.append(f"{rows - pending} rows not pending")
    if send_at is None or timed != rows:
        problems.append(f"{rows - timed} rows due before the send time {send_at}")
    if keyed != rows:
        problems.append(f"{rows - keyed} rows with another dedupe key")
    if other_kind:
        problems.append(f"{other_kind} rows of another kind")
    if figure != expected or status != "sending":
        problems.append(f"the broadcast says {figure} recipients, status {status!r}")
    if problems:
        raise BenchFailure(f"broadcast {broadcast_id}: " + "; ".join(problems))
    return expected


# --------------------------------------------------------------------------------------------- timed part


@dataclass(frozen=True, slots=True)
class Measured:
    count: int
    count_s: float
    everyone_id: int
    recipients: int
    select_enqueue_s: float
    filtered_id: int
    filtered_recipients: int
    filtered_select_enqueue_s: float


def bench_settings() -> Settings:
    """The bot's default settings (no .env file read)."""
    return Settings(_env_file=None, bot_token="bench")  # type: ignore[call-arg]  # pydantic-settings' init option


async def draft_with_message(service: BroadcastService, message_id: int) -> int:
    draft = await service.start(ACTOR)
    panel = await service.attach(ACTOR, SOURCE_CHAT_ID, message_id, "text")
    if panel is None or panel.broadcast.id != draft.id:
        raise BenchFailure(f"attaching the message to draft {draft.id} failed: {panel!r}")
    return draft.id


async def timed_send(service: BroadcastService, broadcast_id: int) -> tuple[int, float]:
    started = time.perf_counter()
    sent = await service.send(ACTOR, broadcast_id)
    elapsed = time.perf_counter() - started
    if not isinstance(sent, Panel):
        raise BenchFailure(f"sending broadcast {broadcast_id} was refused: {sent!r}")
    return sent.count, elapsed


async def measure(database: Path | str, catalog: ProvinceCatalog) -> Measured:
    settings = bench_settings()
    db = await open_database(database)
    try:
        store = Store(db, VAULT)
        quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)
        service = BroadcastService(store, ManualClock(NOW), quiet, catalog)

        started = time.perf_counter()
        async with store.read() as unit:
            count = await unit.broadcasts.count(Audience())
        count_s = time.perf_counter() - started

        everyone_id = await draft_with_message(service, EVERYONE_MESSAGE_ID)
        recipients, select_enqueue_s = await timed_send(service, everyone_id)

        filtered_id = await draft_with_message(service, FILTERED_MESSAGE_ID)
        changed = await service.set_filter(
            ACTOR, filtered_id, province_code=FILTER_PROVINCE, employment_status=FILTER_EMPLOYMENT
        )
        if not isinstance(changed, Panel):
            raise BenchFailure(f"setting the filters of broadcast {filtered_id} was refused: {changed!r}")
        filtered_recipients, filtered_s = await timed_send(service, filtered_id)
    finally:
        await db.close()
    return Measured(
        count, count_s, everyone_id, recipients, select_enqueue_s, filtered_id, filtered_recipients, filtered_s
    )


# --------------------------------------------------------------------------------------------- results


async def bench_size(
    db_path: Path, participants: int, catalog: ProvinceCatalog, postgres: PostgresRun | None = None
) -> dict[str, Any]:
    """Seed, measure and check one database of `participants`; its JSON line. With `postgres`, the seeded file is
    copied to PostgreSQL (seed_s includes that), measured there, and copied back for the checks."""
    started = time.perf_counter()
    await migrated(db_path)
    plan = seed(db_path, participants, catalog.all())
    database: Path | str = db_path
    if postgres is not None:
        database = await postgres.copy_of(db_path, f"bench_broadcast_{participants}")
    seed_s = time.perf_counter() - started
    log.info("seeded %d participants in %.1f s", participants, seed_s)

    expected = expected_recipients(db_path)
    expected_filtered = expected_recipients(db_path, FILTER_PROVINCE, FILTER_EMPLOYMENT)
    if (expected, expected_filtered) != (plan.recipients, plan.filtered_recipients):
        raise BenchFailure(
            f"the database holds {expected} (filtered {expected_filtered}) participants to reach,"
            f" the seeding planned {plan.recipients} ({plan.filtered_recipients})"
        )

    measured = await measure(database, catalog)
    if isinstance(database, str):
        await postgres_back(database, db_path, postgres)

    if measured.count != expected:
        raise BenchFailure(f"the audience count says {measured.count}, expected {expected}")
    if (measured.recipients, measured.filtered_recipients) != (expected, expected_filtered):
        raise BenchFailure(
            f"send enqueued {measured.recipients} (filtered {measured.filtered_recipients}),"
            f" expected {expected} ({expected_filtered})"
        )
    check_broadcast(db_path, measured.everyone_id)
    check_broadcast(db_path, measured.filtered_id, FILTER_PROVINCE, FILTER_EMPLOYMENT)

    aim_s = aim_for(participants)
    backend = {} if postgres is None else {"backend": "postgresql"}
    return {
        "bench": "broadcast",
        "participants": participants,
        "recipients": measured.recipients,
        "count_s": round(measured.count_s, 3),
        "select_enqueue_s": round(measured.select_enqueue_s, 3),
        "filtered_recipients": measured.filtered_recipients,
        "filtered_select_enqueue_s": round(measured.filtered_select_enqueue_s, 3),
        "aim_s": aim_s,
        "met": measured.select_enqueue_s <= aim_s,
        "seed_s": round(seed_s, 2),
        **backend,
    }


async def postgres_back(url: str, db_path: Path, postgres: PostgresRun | None) -> None:
    """The measured PostgreSQL database, back in the SQLite file the checks read."""
    assert postgres is not None
    await postgres.back_to_sqlite(url, db_path)


def machine() -> dict[str, Any]:
    return {"bench": "broadcast", "machine": machine_info()}


async def run(
    sizes: Sequence[int] = DEFAULT_SIZES, workdir: Path | None = None, postgres: PostgresRun | None = None
) -> list[dict[str, Any]]:
    """One line per size, then the machine, as dicts.

    The databases are ``workdir/broadcast-<N>.db`` when a directory is given (they are kept; an earlier file of
    that name is replaced), else temporary files, each removed once measured. Raises BenchFailure when a count or
    the outbox is not what it must be.
    """
    if not sizes or any(not 1 <= n <= MAX_PARTICIPANTS for n in sizes):
        raise ValueError(f"sizes must be between 1 and {MAX_PARTICIPANTS} participants")
    catalog = ProvinceCatalog.load()
    lines: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        directory = workdir if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        directory.mkdir(parents=True, exist_ok=True)
        for participants in sizes:
            db_path = directory / f"broadcast-{participants}.db"
            lines.append(await bench_size(db_path, participants, catalog, postgres))
            if workdir is None:
                remove_database(db_path)
    lines.append(machine())
    return lines


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {text!r}") from None
    if not sizes or any(not 1 <= n <= MAX_PARTICIPANTS for n in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be between 1 and {MAX_PARTICIPANTS:,}")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="participants in each synthetic database, comma-separated (default 20000,1000000)",
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep the databases here (default: a temporary directory)"
    )
    add_backend_options(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bot").setLevel(logging.WARNING)
    if args.backend == "postgresql":
        with PostgresRun(args.postgresql_url) as postgres:
            return print_lines(run(args.sizes, args.workdir, postgres))
    return print_lines(run(args.sizes, args.workdir))


if __name__ == "__main__":
    sys.exit(main())
