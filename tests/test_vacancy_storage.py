"""The vacancies' tables: a re-imported code updates its vacancy and categories, an application follows its
consent (given, repeated, withdrawn, given again), and an erasure takes the person off every applicant list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage.connect import open_database
from bot.storage.db import load_migrations
from bot.storage.store import Store
from bot.storage.vacancies import HIRED, INTERVIEW, SENT, VacancyFields
from tests.backends import database_url
from tests.keys import VAULT
from tests.test_storage import NOW, new_participant


def fields(code: str = "LOK-01", **changes: object) -> VacancyFields:
    values: dict[str, object] = {
        "code": code,
        "position": "Operator Forklift",
        "employer": "PT Gudang Makmur",
        "sector": "Logistik",
        "province_code": "32",
        "regency": "Kabupaten Bekasi",
        "salary_from": 4_500_000,
        "salary_to": 5_500_000,
        "requirements": "SIO forklift",
        "closes_on": date(2026, 12, 31),
        "closes_at": datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC),
        "apply_method": "bot",
        "apply_detail": "",
        "published_by": 0,
        "institute_key": None,
    }
    values.update(changes)
    return VacancyFields(**values)  # type: ignore[arg-type]


async def test_vacancy_upsert_applications_and_erasure(tmp_path: Path) -> None:
    db = await open_database(database_url(tmp_path / "v.db"))
    try:
        await db.migrate()
        store = Store(db, VAULT)
        async with store.write() as unit:
            person = await unit.participants.create(new_participant(1), NOW)
            other = await unit.participants.create(new_participant(2, nik="3201015501900002"), NOW)
            vacancy_id, new = await unit.vacancies.upsert(fields(), ["Forklift", "Logistik"], NOW)
            assert new
            again_id, new = await unit.vacancies.upsert(
                fields(position="Operator Forklift Senior", salary_from=None), ["Forklift"], NOW + timedelta(hours=1)
            )
            assert (again_id, new) == (vacancy_id, False)
            vacancy = await unit.vacancies.by_code("LOK-01")
            assert vacancy is not None
            assert (vacancy.position, vacancy.salary_from, vacancy.categories) == (
                "Operator Forklift Senior",
                None,
                ("Forklift",),
            )
            assert await unit.vacancies.publishers(["LOK-01", "NOPE"]) == {"LOK-01": 0}

            first = await unit.vacancies.apply(vacancy_id, person.id, "v1", NOW)
            repeated = await unit.vacancies.apply(vacancy_id, person.id, "v1", NOW + timedelta(minutes=5))
            assert repeated.consented_at == first.consented_at  # a second tap changes nothing
            await unit.vacancies.apply(vacancy_id, other.id, "v1", NOW)
            assert await unit.vacancies.set_status(first.id, SENT, 9001, NOW) is not None
            assert await unit.vacancies.set_status(first.id, INTERVIEW, 9001, NOW) is not None
            assert await unit.vacancies.withdraw(vacancy_id, person.id, NOW)
            assert [a.participant_id for a in await unit.vacancies.applicants(vacancy_id)] == [other.id]
            assert await unit.vacancies.set_status(first.id, HIRED, 9001, NOW) is None  # withdrawn: off the list
            renewed = await unit.vacancies.apply(vacancy_id, person.id, "v1", NOW + timedelta(days=1))
            assert (renewed.status, renewed.live) == ("interested", True)

            assert await unit.vacancies.forget_participant(person.id, NOW) == 1
            assert [a.participant_id for a in await unit.vacancies.applicants(vacancy_id)] == [other.id]
            # Erased for good: applying again (a forged button) does not bring the person back.
            await unit.vacancies.apply(vacancy_id, person.id, "v1", NOW + timedelta(days=2))
            assert [a.participant_id for a in await unit.vacancies.applicants(vacancy_id)] == [other.id]
    finally:
        await db.close()


async def test_reshaping_vacancy_deliveries_keeps_what_was_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0015 rebuilds vacancy_deliveries (primary key led by the participant, no other index, no foreign
    keys) under rows already sent: they stay, and the same vacancy still cannot be recorded twice for a person."""
    db = await open_database(database_url(tmp_path / "old.db"))
    before = [m for m in load_migrations(db.dialect) if m.version < 15]
    monkeypatch.setattr("bot.storage.db.load_migrations", lambda dialect: before)
    await db.migrate()
    store = Store(db, VAULT)
    async with store.write() as unit:
        person = (await unit.participants.create(new_participant(), NOW)).id
        vacancy, _ = await unit.vacancies.upsert(fields(), ["Forklift"], NOW)
    async with db.transaction() as session:
        await session.execute(
            "INSERT INTO vacancy_deliveries (vacancy_id, participant_id, occasion, dedupe_key, delivered_at)"
            " VALUES (?, ?, 'digest', 'vacancies:digest:t:1', 'x')",
            (vacancy, person),
        )
    monkeypatch.undo()

    assert await db.migrate() == [f"{m.version:04d}_{m.name}" for m in load_migrations() if m.version >= 15]
    async with db.transaction() as session:
        rows = await session.fetchall("SELECT participant_id, vacancy_id, occasion FROM vacancy_deliveries")
        assert [tuple(row) for row in rows] == [(person, vacancy, "digest")]
        again = await session.execute(
            "INSERT INTO vacancy_deliveries (vacancy_id, participant_id, occasion, dedupe_key, delivered_at)"
            " VALUES (?, ?, 'published', 'vacancies:published:u:1', 'y') ON CONFLICT (participant_id, vacancy_id)"
            " DO NOTHING",
            (vacancy, person),
        )
        assert again == 0
    assert await db.integrity_check() == "ok"
    await db.close()
