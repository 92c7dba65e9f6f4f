"""Run the real bot against fakegram: the same Application and start/stop code as production.

`BotHarness` owns a FakeTelegram server, a ManualClock and a database file; `start()` builds the Application
with `build_application` and runs it with `bot.runner.serve` in a background task. `settle()` waits until every
update the fake server has queued has been processed, so a test can then assert on messages and rows.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update

from bot.app import build_application
from bot.clock import ManualClock
from bot.concurrency import PerUserUpdateProcessor
from bot.config import Settings
from bot.context import VokasiApp
from bot.i18n import Translations, Translator
from bot.runner import serve
from bot.storage.dialogs import DATA_COLUMN
from bot.storage.participants import SEALED
from fakegram import FakeTelegram, FakeUser
from tests.backends import database_url, query
from tests.keys import VAULT

WIB = ZoneInfo("Asia/Jakarta")
# Monday 23 November 2026, 10:00 WIB: tests never read the real clock.
START = datetime(2026, 11, 23, 10, 0, tzinfo=WIB)


class RecordingProcessor(PerUserUpdateProcessor):
    """The production processor, noting which updates have been fully handled."""

    def __init__(self, done: set[int], changed: asyncio.Event) -> None:
        super().__init__()
        self._done = done
        self._changed = changed

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await super().do_process_update(update, coroutine)
        finally:
            if isinstance(update, Update):
                self._done.add(update.update_id)
            self._changed.set()


class BotHarness:
    def __init__(self, server: FakeTelegram, db_path: Path, **settings: Any) -> None:
        self.server = server
        self.db_path = db_path
        self.clock = ManualClock(START)
        self.settings = Settings(
            _env_file=None,
            bot_token=server.token,
            bot_api_url=server.base_url,
            bot_file_url=server.base_file_url,
            database_url=settings.pop("database_url", None) or database_url(db_path),
            # Flow tests check behaviour, not Telegram's pacing (tests/test_ratelimit.py does that).
            telegram_messages_per_s=settings.pop("telegram_messages_per_s", 10_000),
            telegram_chat_messages_per_s=settings.pop("telegram_chat_messages_per_s", 10_000),
            # The health endpoint only where a test asks for it (with a free port).
            health_port=settings.pop("health_port", 0),
            **settings,
        )
        self.translations = Translations("id")
        self.app: VokasiApp | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._done: set[int] = set()
        self._changed = asyncio.Event()

    def t(self, language: str = "id") -> Translator:
        return self.translations.get(language)

    async def start(self) -> None:
        self.app = build_application(
            self.settings, clock=self.clock, update_processor=RecordingProcessor(self._done, self._changed)
        )
        self._stop = asyncio.Event()
        # start_polling sends deleteWebhook right before its first getUpdates; start_webhook sends setWebhook.
        starts = self._starts()
        self._task = asyncio.create_task(serve(self.app, self._stop, poll_timeout=1, settings=self.settings))
        await self.server.wait_until(lambda: self._starts() > starts or self._task_failed(), timeout=15)
        if self._task.done():
            await self._task

    def _starts(self) -> int:
        return len(self.server.requests_for("deleteWebhook")) + len(self.server.requests_for("setWebhook"))

    def _task_failed(self) -> bool:
        return self._task is not None and self._task.done()

    async def stop(self) -> None:
        if self._task is None or self._stop is None:
            return
        self._stop.set()
        await self._task
        self._task = None
        self.app = None

    async def restart(self) -> None:
        """Stop the Application and build a new one on the same database (as after a crash or deploy)."""
        await self.stop()
        await self.start()

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every update sent so far has been handled by the bot."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            sent = set(self.server.delivered_update_ids)
            if self.server.pending_updates == 0 and sent <= self._done:
                return
            if self._task is not None and self._task.done():
                await self._task
                raise RuntimeError("the bot stopped while updates were pending")
            if loop.time() > deadline:
                raise TimeoutError(f"{self.server.pending_updates} updates pending, {len(sent - self._done)} unhandled")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=0.05)

    async def drain_outbox(self) -> int:
        """Send what is due now; waits for a dispatcher run in progress first (it holds the same lock)."""
        assert self.app is not None
        return await self.app.bot_data.services.dispatcher.run_once()

    def user(self, user_id: int = 1001, first_name: str = "Budi") -> FakeUser:
        return self.server.user(user_id, first_name=first_name)

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)

    @property
    def database_url(self) -> str:
        return self.settings.database_url.get_secret_value()

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Read the database directly, as an auditor would (sqlite3.Row or asyncpg Record, whichever backend)."""
        return query(self.database_url, sql, params)

    def participant(self, telegram_user_id: int) -> Any:
        """The person's row, its sealed columns opened as the bot opens them (the stored tokens: `participant_row`)."""
        found = self.participant_row(telegram_user_id)
        if found is None:
            return None
        opened = dict(found)
        for column in SEALED:
            opened[column] = VAULT.open_opt(found[column], column)
        return opened

    def participant_row(self, telegram_user_id: int) -> Any:
        found = self.rows("SELECT * FROM participants WHERE telegram_user_id = ?", (telegram_user_id,))
        return found[0] if found else None

    def dialog(self, telegram_user_id: int) -> Any:
        """The person's dialog, its sealed answers opened."""
        found = self.rows("SELECT * FROM dialogs WHERE telegram_user_id = ?", (telegram_user_id,))
        if not found:
            return None
        opened = dict(found[0])
        opened["data"] = VAULT.open(found[0]["data"], DATA_COLUMN)
        return opened
