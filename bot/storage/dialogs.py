"""Conversations in progress: the step a person is at and the answers given so far.

The answers (a registration draft holds NIK, KPJ, phone) are stored sealed as one token (bot/storage/vault.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Row, Session, from_db_time, to_db_time
from bot.storage.vault import Vault

# The associated data of the sealed answers: a token from another column does not open here.
DATA_COLUMN = "dialogs.data"


@dataclass(frozen=True, slots=True)
class Dialog:
    telegram_user_id: int
    flow: str
    step: str
    data: dict[str, Any]
    started_at: datetime
    updated_at: datetime


class DialogRepository:
    def __init__(self, session: Session, vault: Vault) -> None:
        self._s = session
        self._vault = vault

    def _dialog(self, row: Row) -> Dialog:
        return Dialog(
            telegram_user_id=row["telegram_user_id"],
            flow=row["flow"],
            step=row["step"],
            data=json.loads(self._vault.open(row["data"], DATA_COLUMN)),
            started_at=from_db_time(row["started_at"]),
            updated_at=from_db_time(row["updated_at"]),
        )

    async def get(self, telegram_user_id: int) -> Dialog | None:
        row = await self._s.fetchone("SELECT * FROM dialogs WHERE telegram_user_id = ?", (telegram_user_id,))
        return None if row is None else self._dialog(row)

    async def save(self, telegram_user_id: int, flow: str, step: str, data: dict[str, Any], now: datetime) -> None:
        """Create or replace the user's dialog; a new flow restarts the clock, the same flow keeps it."""
        await self._s.execute(
            "INSERT INTO dialogs (telegram_user_id, flow, step, data, started_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (telegram_user_id) DO UPDATE SET"
            " started_at = CASE WHEN dialogs.flow = excluded.flow THEN dialogs.started_at"
            " ELSE excluded.started_at END,"
            " flow = excluded.flow, step = excluded.step, data = excluded.data, updated_at = excluded.updated_at",
            (
                telegram_user_id,
                flow,
                step,
                self._vault.seal(json.dumps(data, ensure_ascii=False), DATA_COLUMN),
                to_db_time(now),
                to_db_time(now),
            ),
        )

    async def delete(self, telegram_user_id: int) -> bool:
        return await self._s.execute("DELETE FROM dialogs WHERE telegram_user_id = ?", (telegram_user_id,)) > 0

    async def delete_idle_since(self, cutoff: datetime) -> int:
        """Drop dialogs nobody touched since `cutoff`; returns how many."""
        return await self._s.execute("DELETE FROM dialogs WHERE updated_at < ?", (to_db_time(cutoff),))
