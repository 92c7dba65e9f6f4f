from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fakegram import FakeTelegram
from tests.harness import BotHarness

# Opt in to PTB's timedelta-valued retry_after (what PTB 23 will do), as main.py does.
os.environ["PTB_TIMEDELTA"] = "true"


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake
    assert fake.internal_errors == []


# The admin of the staff tests (ADMIN_IDS).
ADMIN_ID = 7001


@pytest.fixture
async def staff_bot(server: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotHarness]:
    """The bot with one admin configured (ADMIN_IDS)."""
    harness = BotHarness(server, tmp_path / "vokasi.db", admin_ids=str(ADMIN_ID))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
async def bot(server: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotHarness]:
    harness = BotHarness(server, tmp_path / "vokasi.db")
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
