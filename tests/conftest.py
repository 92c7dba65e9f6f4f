from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fakegram import FakeTelegram
from scripts.pg_test_server import PostgresServer
from tests.backends import Backend, is_postgres
from tests.harness import BotHarness
from tests.keys import VAULT

# Opt in to PTB's timedelta-valued retry_after (what PTB 23 will do), as main.py does.
os.environ["PTB_TIMEDELTA"] = "true"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database of the bot under test: sqlite (default) or postgresql (TEST_POSTGRESQL_URL, or a throw-away "
        "server started by scripts/pg_test_server.py)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: checks something only SQLite has (skipped on PostgreSQL runs)")
    config.addinivalue_line("markers", "postgresql_only: needs a PostgreSQL server (skipped on SQLite runs)")
    if config.getoption("backend") != "postgresql":
        return
    url = os.environ.get("TEST_POSTGRESQL_URL")
    if url:
        Backend.use_postgres(url)
        return
    server = PostgresServer.start_new()
    Backend.use_postgres(server.url, server)


def pytest_unconfigure(config: pytest.Config) -> None:
    Backend.close()


def pytest_report_header(config: pytest.Config) -> str:
    return f"database backend: {Backend.name}; data keys: a throw-away set made for this run (key {VAULT.current})"


# Modules whose tests never open the bot's database, or always an SQLite one (the playground's temporary database,
# the benchmarks' files), so a PostgreSQL run has nothing to add to what the SQLite run found.
BACKEND_INDEPENDENT = (
    "test_validation.py",
    "test_provinces.py",
    "test_fakegram.py",
    "test_http_client.py",
    "test_xlsx_book.py",
    "test_ratelimit.py",
    "test_i18n.py",
    "test_survey_catalog.py",
    "test_faq.py",
    "test_certificate_pdf.py",
    "test_playground",
    # The benchmarks' own SQLite runs and the command line's default database (PostgreSQL runs of the broadcast
    # and reports benchmarks: test_bench_postgres_smoke.py).
    "test_bench_smoke.py",
    "test_bench_attendance_smoke.py",
    "test_bench_broadcast_smoke.py",
    "test_bench_catalogue_smoke.py",
    "test_bench_certificates_smoke.py",
    "test_bench_delivery_smoke.py",
    "test_bench_reports_smoke.py",
    "test_bench_soak_smoke.py",
    "test_bench_surveys_smoke.py",
    "test_cli.py",
    "test_structure.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if is_postgres():  # deselected rather than skipped: hundreds of "skipped" lines would hide the real ones
        independent = [item for item in items if item.path.name.startswith(BACKEND_INDEPENDENT)]
        if independent:
            config.hook.pytest_deselected(items=independent)
            items[:] = [item for item in items if not item.path.name.startswith(BACKEND_INDEPENDENT)]
    for item in items:
        if is_postgres() and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="SQLite only (this run is on PostgreSQL)"))
        if not is_postgres() and item.get_closest_marker("postgresql_only"):
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only (pytest --backend=postgresql)"))


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
