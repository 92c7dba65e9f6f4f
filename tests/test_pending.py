"""What waits for a person's answer: the one-statement read (bot/storage/pending.py) and the rules that decide what
really waits, in which order (bot/services/pending.py). Runs on SQLite and, with --backend=postgresql, PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import DATA_DIR
from bot.services.pending import Kind, Pending, PendingService
from bot.services.survey_catalog import EMPLOYMENT, SurveyCatalog
from bot.storage.connect import open_database
from bot.storage.db import Database, Param, Row
from bot.storage.pending import Outstanding
from bot.storage.store import Store
from bot.storage.surveys import NewRun
from tests.backends import database_url
from tests.keys import VAULT
from tests.test_storage import NOW, new_participant

PERSON = 1
OTHER = 2
ADMIN_FROM_SETTINGS = 99


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(database_url(tmp_path / "pending.db"))
    await database.migrate()
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def store(db: Database) -> Store:
    return Store(db, VAULT)


def service(store: Store) -> PendingService:
    return PendingService(store, frozenset({ADMIN_FROM_SETTINGS}), SurveyCatalog.load(DATA_DIR / "surveys"))


async def outstanding(store: Store, user_id: int = PERSON) -> Outstanding:
    async with store.read() as unit:
        return await unit.pending.outstanding(user_id)


async def add_draft(store: Store, user_id: int = PERSON, step: str = "message") -> int:
    async with store.write() as unit:
        draft = await unit.broadcasts.create_draft(user_id, NOW)
        if step != "message":
            await unit.broadcasts.set_step(draft.id, step)
        return draft.id


async def add_dialog(store: Store, user_id: int = PERSON, flow: str = "registration") -> None:
    async with store.write() as unit:
        await unit.dialogs.save(user_id, flow, "name", {}, NOW)


async def add_participant(store: Store, user_id: int = PERSON, nik: str = "3201015501900001") -> int:
    async with store.write() as unit:
        return (await unit.participants.create(new_participant(user_id, nik), NOW)).id


async def add_running_survey(store: Store, participant_id: int, survey: str = EMPLOYMENT) -> int:
    async with store.write() as unit:
        run = await unit.surveys.create(NewRun(participant_id, survey, "self", None, NOW), NOW)
        await unit.surveys.start(run.id, "status", NOW, NOW + timedelta(days=7))
        return run.id


async def add_staff(store: Store, user_id: int = PERSON, role: str = "operator") -> None:
    async with store.write() as unit:
        await unit.staff.put(user_id, role, "", ADMIN_FROM_SETTINGS, NOW)


# ---------------------------------------------------------------------- the read


async def test_nothing_stored_for_a_stranger(store: Store) -> None:
    assert await outstanding(store) == Outstanding()


async def test_each_kind_alone(store: Store) -> None:
    draft_id = await add_draft(store, user_id=10)
    assert await outstanding(store, 10) == Outstanding(draft_id=draft_id, draft_step="message")

    await add_dialog(store, user_id=11, flow="profile")
    assert await outstanding(store, 11) == Outstanding(dialog_flow="profile")

    participant_id = await add_participant(store, user_id=12)
    assert await outstanding(store, 12) == Outstanding(participant_id=participant_id)
    run_id = await add_running_survey(store, participant_id)
    assert await outstanding(store, 12) == Outstanding(
        survey_run_id=run_id, survey=EMPLOYMENT, participant_id=participant_id
    )

    await add_staff(store, user_id=13, role="viewer")
    assert await outstanding(store, 13) == Outstanding(staff_role="viewer")


async def test_everything_at_once_in_one_statement(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    participant_id = await add_participant(store)
    run_id = await add_running_survey(store, participant_id)
    await add_dialog(store, flow="profile")
    await add_staff(store, role="admin")
    draft_id = await add_draft(store, step="time")
    statements: list[str] = []
    async with store.read() as unit:
        session = unit.pending._s
        fetchall = session.fetchall

        async def counted(sql: str, params: Sequence[Param] = ()) -> list[Row]:
            statements.append(sql)
            return await fetchall(sql, params)

        monkeypatch.setattr(session, "fetchall", counted)
        found = await unit.pending.outstanding(PERSON)
    assert len(statements) == 1
    assert found == Outstanding(
        draft_id=draft_id,
        draft_step="time",
        dialog_flow="profile",
        survey_run_id=run_id,
        survey=EMPLOYMENT,
        participant_id=participant_id,
        staff_role="admin",
    )


async def test_only_the_persons_own_and_only_what_is_open(store: Store) -> None:
    await add_draft(store, user_id=OTHER)
    await add_dialog(store, user_id=OTHER)
    await add_staff(store, user_id=OTHER)
    other_participant = await add_participant(store, user_id=OTHER, nik="3201015501900002")
    await add_running_survey(store, other_participant)
    participant_id = await add_participant(store)
    # A survey waiting its turn, and a finished one, are not running.
    async with store.write() as unit:
        await unit.surveys.create(NewRun(participant_id, EMPLOYMENT, "d30", None, NOW + timedelta(days=30)), NOW)
        finished = await unit.surveys.create(NewRun(participant_id, EMPLOYMENT, "self", None, NOW), NOW)
        await unit.surveys.finish(finished.id, "completed", NOW)
        # A sent or cancelled broadcast is no draft.
        sent = await unit.broadcasts.create_draft(PERSON, NOW)
        await unit.broadcasts.set_status(sent.id, "done", NOW)
    assert await outstanding(store) == Outstanding(participant_id=participant_id)


async def test_the_latest_draft_is_the_one_read(store: Store) -> None:
    first = await add_draft(store)
    async with store.write() as unit:  # create_draft cancels the earlier one: a second live draft, written directly
        await unit.broadcasts._s.execute(
            "INSERT INTO broadcasts (created_by, created_at, status, step) VALUES (?, ?, 'draft', 'audience')",
            (PERSON, "2026-11-23T03:00:01.000000Z"),
        )
    found = await outstanding(store)
    assert found.draft_id is not None and found.draft_id > first
    assert found.draft_step == "audience"


# ---------------------------------------------------------------------- what waits


async def test_nothing_waits(store: Store) -> None:
    situation = await service(store).situation(PERSON)
    assert situation.waiting == ()
    assert not situation.registered
    assert situation.role is None


async def test_a_draft_waits_for_the_announcement_or_the_time_of_staff_only(store: Store) -> None:
    draft_id = await add_draft(store)
    # Removed from the staff (or never on it): the draft row stays, but waits for nothing.
    assert (await service(store).situation(PERSON)).waiting == ()
    await add_staff(store)
    situation = await service(store).situation(PERSON)
    assert situation.waiting == (Pending(Kind.ANNOUNCEMENT, draft_id),)
    assert situation.role == "operator"
    async with store.write() as unit:
        await unit.broadcasts.set_step(draft_id, "audience")
    assert (await service(store).situation(PERSON)).waiting == ()
    async with store.write() as unit:
        await unit.broadcasts.set_step(draft_id, "time")
    assert (await service(store).situation(PERSON)).waiting == (Pending(Kind.SEND_TIME, draft_id),)


async def test_admin_ids_are_staff_without_a_row(store: Store) -> None:
    draft_id = await add_draft(store, user_id=ADMIN_FROM_SETTINGS)
    situation = await service(store).situation(ADMIN_FROM_SETTINGS)
    assert situation.waiting == (Pending(Kind.ANNOUNCEMENT, draft_id),)
    assert situation.role == "admin"
    assert situation.may("catalogue")


async def test_a_dialog_waits(store: Store) -> None:
    await add_dialog(store)
    situation = await service(store).situation(PERSON)
    assert situation.waiting == (Pending(Kind.DIALOG),)
    assert not situation.registered


async def test_a_running_survey_waits_if_its_definition_is_known(store: Store) -> None:
    participant_id = await add_participant(store)
    run_id = await add_running_survey(store, participant_id)
    situation = await service(store).situation(PERSON)
    assert situation.waiting == (Pending(Kind.SURVEY, run_id),)
    assert situation.registered
    assert not situation.may("catalogue")
    async with store.write() as unit:
        await unit.surveys.finish(run_id, "completed", NOW)
    await add_running_survey(store, participant_id, survey="taken-out-of-data-surveys")
    assert (await service(store).situation(PERSON)).waiting == ()


async def test_most_pressing_first(store: Store) -> None:
    participant_id = await add_participant(store)
    run_id = await add_running_survey(store, participant_id)
    await add_dialog(store, flow="profile")
    await add_staff(store)
    draft_id = await add_draft(store)
    situation = await service(store).situation(PERSON)
    assert situation.waiting == (
        Pending(Kind.ANNOUNCEMENT, draft_id),
        Pending(Kind.DIALOG),
        Pending(Kind.SURVEY, run_id),
    )
    assert situation.registered
    assert situation.role == "operator"
