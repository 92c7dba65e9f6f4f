"""Rotating the data keys of a large installation while people keep using the bot.

Run: ``python bench/rotation.py [--participants 100000] [--batch 500] [--backend postgresql]``. Prints JSON lines,
``"bench": "rotation"``: one with the figures, then the machine.

Seeding (not timed, reported as ``seed_s``): a fresh SQLite file migrated with the project's migrations and filled
with plain ``sqlite3``: N participants whose NIK, KPJ, phone and birth date are sealed with the run's key set
exactly as the bot seals them (``bot.storage.participants.sealed_columns``), blind indexes, masked NIK, key id.
With ``--backend postgresql`` the same rows are copied to PostgreSQL (``bench.common.PostgresRun``).

Timed: a new writing key is put in front (``Vault.with_new_key``), then ``bot.storage.sealing.reseal`` re-seals
every participant in transactions of ``--batch`` rows (``rotate_s``, ``rows_per_s``), exactly what
``python main.py rotate-keys`` runs. Meanwhile a chatting participant (``ChatLoop``) does what a message costs
the bot: a read unit (their participant row, opened) and a write unit (a dialog saved), one after the other,
without pause; ``chat_p50_ms``, ``chat_p95_ms`` and ``chat_max_ms`` are the times of those interactions while the
rotation runs (``chat_max_ms`` the longest pause anyone saw). ``idle_p95_ms`` is the same loop before rotating.

Checked afterwards (exit status 1 otherwise): every row's key id is the new key, ``check_keys`` passes with the new
key alone (the old one can be removed), and a sample of 200 participants opens to their seeded values and is found
by the blind index of their NIK, KPJ and phone. Timings are not asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # run as a script: make `bot` importable
    sys.path.insert(0, _ROOT)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import random  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

from bench.common import (  # noqa: E402
    VAULT,
    BenchFailure,
    PostgresRun,
    add_backend_options,
    machine_info,
    percentile,
    print_lines,
)
from bot.storage.connect import open_database  # noqa: E402
from bot.storage.db import Database, to_db_time  # noqa: E402
from bot.storage.participants import sealed_columns  # noqa: E402
from bot.storage.sealing import check_keys, reseal  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from bot.storage.vault import Vault  # noqa: E402

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
CHAT_USER = 1  # the chatting participant: the first seeded one
SAMPLE = 200


def _person(index: int) -> dict[str, str]:
    return {
        "nik": f"3201{index % 28 + 1:02d}{index % 12 + 1:02d}90{index:06d}"[:16],
        "kpj": f"{10**10 + index}",
        "phone": f"+62812{index:08d}",
        "birth_date": f"1990-{index % 12 + 1:02d}-{index % 28 + 1:02d}",
    }


def seed(path: Path, participants: int, vault: Vault) -> None:
    moment = to_db_time(NOW)
    rows = []
    for index in range(1, participants + 1):
        values: dict[str, Any] = {}
        for column, value in _person(index).items():
            values |= sealed_columns(vault, column, value)
        rows.append(
            (
                index,
                index,
                f"Peserta {index}",
                values["nik"],
                values["nik_index"],
                values["nik_masked"],
                values["kpj"],
                values["kpj_index"],
                values["phone"],
                values["phone_index"],
                values["birth_date"],
                vault.current,
                moment,
                moment,
                moment,
            )
        )
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO participants (id, telegram_user_id, full_name, nik, nik_index, nik_masked, kpj, kpj_index,"
            " phone, phone_index, birth_date, key_id, consent_at, registered_at, updated_at, birth_year, gender,"
            " province_code, phk_date, education, needs_verification, consent_version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1990, 'F', '32', '2026-03-01', 'sma', 0, '2026-01')",
            rows,
        )


class ChatLoop:
    """One person chatting without pause: a read unit then a write unit, timed together."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.times: list[float] = []
        self._stop = asyncio.Event()

    async def run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            async with self._store.read() as unit:
                person = await unit.participants.by_telegram_id(CHAT_USER)
            assert person is not None and person.nik is not None
            async with self._store.write() as unit:
                await unit.dialogs.save(CHAT_USER, "profile", "phone", {"n": len(self.times)}, NOW)
            self.times.append(time.perf_counter() - started)
            await asyncio.sleep(0)

    def stop(self) -> None:
        self._stop.set()


async def _chatting(store: Store, seconds: float) -> list[float]:
    loop = ChatLoop(store)
    task = asyncio.create_task(loop.run())
    await asyncio.sleep(seconds)
    loop.stop()
    await task
    return sorted(loop.times)


async def measure(url: str, participants: int, batch: int) -> dict[str, Any]:
    rotated = VAULT.with_new_key(NOW)
    db: Database = await open_database(url)
    try:
        await check_keys(db, rotated, NOW)
        store = Store(db, rotated)
        idle = await _chatting(store, 2.0)
        chat = ChatLoop(store)
        chatting = asyncio.create_task(chat.run())
        started = time.perf_counter()
        done = await reseal(db, rotated, clear_only=False, batch=batch)
        rotate_s = time.perf_counter() - started
        chat.stop()
        await chatting
        during = sorted(chat.times)
        await _check(db, rotated, participants, done.participants)
    finally:
        await db.close()
    return {
        "participants": participants,
        "batch": batch,
        "rotate_s": round(rotate_s, 2),
        "rows_per_s": round(done.participants / rotate_s),
        "idle_p95_ms": round(percentile(idle, 95) * 1000, 1),
        "chat_interactions": len(during),
        "chat_p50_ms": round(percentile(during, 50) * 1000, 1),
        "chat_p95_ms": round(percentile(during, 95) * 1000, 1),
        "chat_max_ms": round(during[-1] * 1000, 1),
    }


async def _check(db: Database, rotated: Vault, participants: int, resealed: int) -> None:
    if resealed != participants:
        raise BenchFailure(f"re-sealed {resealed} of {participants} participants")
    new_only = Vault(keys=rotated.keys[:1], index_key=rotated.index_key)
    await check_keys(db, new_only, NOW)  # raises when any value still needs the old key
    store = Store(db, new_only)
    async with store.read() as unit:
        for index in random.Random(7).sample(range(1, participants + 1), min(SAMPLE, participants)):
            person = await unit.participants.by_telegram_id(index)
            seeded = _person(index)
            if person is None or (person.nik, person.kpj, person.phone) != (
                seeded["nik"],
                seeded["kpj"],
                seeded["phone"],
            ):
                raise BenchFailure(f"participant {index} does not open to its seeded values")
            if await unit.participants.nik_holder(seeded["nik"]) != index:
                raise BenchFailure(f"participant {index} is not found by NIK")
            for column in ("kpj", "phone"):
                found = await unit.participants.search(column=column, value=seeded[column], limit=2)
                if [p.telegram_user_id for p in found] != [index]:
                    raise BenchFailure(f"participant {index} is not found by {column}")


async def run(path: Path, participants: int, batch: int, postgres: PostgresRun | None) -> list[dict[str, Any]]:
    started = time.perf_counter()
    db = await open_database(path)
    await db.migrate()
    await check_keys(db, VAULT, NOW)
    await db.close()
    await asyncio.to_thread(seed, path, participants, VAULT)
    url = f"sqlite:///{path}"
    if postgres is not None:
        url = await postgres.copy_of(path, "bench_rotation")
    seed_s = time.perf_counter() - started
    figures = await measure(url, participants, batch)
    backend = "postgresql" if postgres is not None else "sqlite"
    return [
        {"bench": "rotation", "backend": backend, "seed_s": round(seed_s, 1), **figures},
        {"bench": "rotation", "machine": machine_info()},
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--participants", type=int, default=100_000, help="participants to re-seal (100000)")
    parser.add_argument("--batch", type=int, default=200, help="rows per transaction, as rotate-keys (200)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the database here")
    add_backend_options(parser)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vokasi-rotation-") as temporary:
        folder = args.workdir or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "rotation.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if args.backend == "postgresql":
            with PostgresRun(args.postgresql_url) as postgres:
                return print_lines(run(path, args.participants, args.batch, postgres))
        return print_lines(run(path, args.participants, args.batch, None))


if __name__ == "__main__":
    sys.exit(main())
