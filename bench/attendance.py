"""Attendance at the venue: many participants scan one session's QR code within a minute, through fakegram.

Run: ``python bench/attendance.py [--users 200] [--spread 60] [--seed S]``. Prints JSON lines:
``{"bench": "attendance", "users": …, "spread_s": …, "p50_ms": …, "p95_ms": …, "p99_ms": …, "max_ms": …,
"seconds": …}`` (the confirmation's latency: from sending ``/start h-<code>`` to "✅ Kehadiran Anda tercatat"
arriving) and ``{"bench": "attendance", "machine": {…}}``.

The real Application (``build_application``, ``bot.runner.serve``) long-polls a fresh ``fakegram.FakeTelegram`` on
127.0.0.1 with a fresh SQLite database, with Telegram's own pacing kept (30 messages/s overall, 1/s per chat: the
bot's rate limiter in the path, as in production). One course with ``--users`` participants is imported and
seeded; the clock is fixed at 07:30 WIB on the day of its first session (inside the QR's window). A staff
member's code is made as /absen makes it; every participant then sends ``/start h-<code>`` at a random moment
within ``--spread`` seconds (seeded), as a room of people arriving and scanning would, and waits for the one reply.

Checked at the end (exit status 1 otherwise): every reply was the confirmation, the database holds exactly one
present record per participant, and fakegram saw no failed request. Timings are not asserted.
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
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from datetime import datetime  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bench.catalogue import new_participant  # noqa: E402
from bench.common import BenchFailure, machine_info, percentile, print_lines, serving  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services.enrollment import Enrolled  # noqa: E402
from bot.services.presence import IssuedCode  # noqa: E402
from bot.services.provinces import ProvinceCatalog  # noqa: E402
from fakegram import FakeTelegram, FakeUser  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
# Before the course's registration deadline (enrolment), then the morning of its first session.
SEEDING = datetime(2026, 11, 23, 10, 0, tzinfo=WIB)
SCANNING = datetime(2026, 12, 7, 7, 30, tzinfo=WIB)
STAFF_ID = 9001
from bench.catalogue import FIRST_USER_ID  # noqa: E402  (its participants)

DEFAULT_USERS = 200
DEFAULT_SPREAD_S = 60.0
DEFAULT_SEED = 19
REPLY_TIMEOUT = 60.0
HEADER = "kode,judul,kategori,lpk,kota_lpk,kabupaten_kota,provinsi,alamat,kapasitas,batas_pendaftaran,sesi\n"
COURSE = (
    'CRANE-01,Operator Crane,Alat Berat,Kautsar Institute,Kota Cilegon,Kota Cilegon,Banten,"Jl. Sudirman 88",'
    '{capacity},2026-12-02,"2026-12-07 08:00-16:00 Teori K3\n2026-12-08 08:00-16:00 Praktik"\n'
)


async def scan(user: FakeUser, code: str, delay: float, latencies: list[float]) -> None:
    await asyncio.sleep(delay)
    started = time.perf_counter()
    await user.send_text(f"/start h-{code}")
    [reply] = await user.wait_messages(1, timeout=REPLY_TIMEOUT)
    latencies.append(time.perf_counter() - started)
    if not (reply.text or "").startswith("✅"):
        raise BenchFailure(f"user {user.user_id}: expected the confirmation, got {reply.text!r}")


async def measure(users: int, spread: float, seed: int, db_path: Path) -> tuple[float, list[float]]:
    async with FakeTelegram() as server:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
            bot_token=server.token,
            bot_api_url=server.base_url,
            bot_file_url=server.base_file_url,
            database_url=f"sqlite:///{db_path}",
            admin_ids=str(STAFF_ID),  # type: ignore[arg-type]  # parsed by the setting's validator
        )
        clock = ManualClock(SEEDING)
        app = build_application(settings, clock=clock)
        async with serving(app, server):
            services = app.bot_data.services
            await services.catalogue.import_file(HEADER.encode() + COURSE.format(capacity=users).encode(), "k.csv")
            course_id = await _course_id(services)
            people = [server.user(FIRST_USER_ID + index, first_name="Peserta") for index in range(users)]
            banten = ProvinceCatalog.load().get("36")
            assert banten is not None
            async with services.store.write() as unit:
                for index in range(users):
                    await unit.participants.create(new_participant(index, banten), SEEDING)
            for index in range(users):
                if not isinstance(
                    await services.enrollment.enrol(FIRST_USER_ID + index, course_id, waitlist=False), Enrolled
                ):
                    raise BenchFailure(f"participant {index} could not enrol")
            clock.advance(SCANNING - clock.now())
            while await services.dispatcher.run_once():  # the session's reminders, before the scanning begins
                pass
            sessions = await services.presence.sessions(STAFF_ID)
            issued = await services.presence.issue_code(STAFF_ID, sessions[0].session.id)
            if not isinstance(issued, IssuedCode):
                raise BenchFailure(f"no code: {issued}")
            rng = random.Random(seed)
            for person in people:
                person.new_messages()
            latencies: list[float] = []
            started = time.perf_counter()
            outcomes = await asyncio.gather(
                *(scan(p, issued.code, rng.uniform(0, spread), latencies) for p in people), return_exceptions=True
            )
            elapsed = time.perf_counter() - started
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        raise BenchFailure(f"{len(failures)} of {users} scans failed; first: {failures[0]!r}") from failures[0]
    failed = [r for r in server.requests if not r.ok]
    if failed or server.internal_errors:
        raise BenchFailure(f"failed Bot API requests: {failed[:5]!r}; fakegram errors: {server.internal_errors[:5]!r}")
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        found = conn.execute("SELECT COUNT(*), COUNT(DISTINCT enrollment_id) FROM session_presence"
                             " WHERE status = 'present'").fetchone()  # fmt: skip
    if tuple(found) != (users, users):
        raise BenchFailure(f"{found[0]} present records for {found[1]} enrolments, expected {users}")
    return elapsed, latencies


async def _course_id(services: Any) -> int:
    async with services.store.read() as unit:
        course = await unit.catalogue.course_by_code("CRANE-01")
    if course is None:
        raise BenchFailure("the course was not imported")
    return int(course.id)


async def run(
    users: int = DEFAULT_USERS, spread: float = DEFAULT_SPREAD_S, seed: int = DEFAULT_SEED, workdir: Path | None = None
) -> list[dict[str, Any]]:
    """The JSON lines as dicts: the figures, then the machine. Raises BenchFailure when a check failed."""
    with contextlib.ExitStack() as stack:
        directory = workdir if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        elapsed, latencies = await measure(users, spread, seed, directory / "bench.db")
    ordered = sorted(latencies)
    figures = {
        "bench": "attendance",
        "users": users,
        "spread_s": spread,
        "p50_ms": round(percentile(ordered, 50) * 1000, 1),
        "p95_ms": round(percentile(ordered, 95) * 1000, 1),
        "p99_ms": round(percentile(ordered, 99) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "seconds": round(elapsed, 3),
    }
    return [figures, {"bench": "attendance", "machine": machine_info()}]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=DEFAULT_USERS, help="participants scanning (default %(default)s)")
    parser.add_argument(
        "--spread", type=float, default=DEFAULT_SPREAD_S, help="seconds over which they scan (default %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="arrival times' seed (default %(default)s)")
    args = parser.parse_args(argv)
    if args.users < 1 or args.spread < 0:
        parser.error("--users must be at least 1 and --spread not negative")
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return print_lines(run(args.users, args.spread, args.seed))


if __name__ == "__main__":
    sys.exit(main())
