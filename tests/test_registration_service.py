"""RegistrationService without Telegram: drafts expire and are purged, answers apply to the current step."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.services.provinces import ProvinceCatalog
from bot.services.registration import RegistrationService
from bot.services.registration_dialog import Asked, Choice, Stale, Step, Text
from bot.storage.connect import open_database
from bot.storage.store import Store
from tests.backends import database_url
from tests.harness import START
from tests.keys import VAULT


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[tuple[RegistrationService, ManualClock]]:
    db = await open_database(database_url(tmp_path / "s.db"))
    await db.migrate()
    clock = ManualClock(START)
    settings = Settings(_env_file=None, registration_timeout_hours=72)
    yield RegistrationService(Store(db, VAULT), ProvinceCatalog.load(), settings, clock), clock
    await db.close()


async def test_idle_drafts_are_purged_and_active_ones_kept(service: tuple[RegistrationService, ManualClock]) -> None:
    registration, clock = service
    await registration.consent(1, agreed=True)
    await registration.answer(1, Text("Budi Santoso"))
    clock.advance(timedelta(hours=48))
    await registration.consent(2, agreed=True)
    clock.advance(timedelta(hours=25))  # user 1 idle 73 h, user 2 idle 25 h
    assert await registration.purge_idle() == 1
    assert await registration.current(1) is None
    draft = await registration.current(2)
    assert draft is not None and draft.step is Step.NAME


async def test_a_button_for_another_step_is_stale(service: tuple[RegistrationService, ManualClock]) -> None:
    registration, _ = service
    await registration.consent(1, agreed=True)
    assert isinstance(await registration.answer(1, Choice("sma"), step=Step.EDUCATION), Stale)
    assert isinstance(await registration.answer(1, Choice("unknown"), step=Step.NAME), Stale)
    result = await registration.answer(1, Text("Budi Santoso"))
    assert isinstance(result, Asked) and result.draft.step is Step.NIK
    assert result.draft.value("full_name") == "Budi Santoso"


async def test_withdrawing_consent_drops_the_draft(service: tuple[RegistrationService, ManualClock]) -> None:
    registration, _ = service
    await registration.consent(1, agreed=True)
    await registration.answer(1, Text("Budi Santoso"))
    await registration.consent(1, agreed=False)
    assert await registration.current(1) is None
