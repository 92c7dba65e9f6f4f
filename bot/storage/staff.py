"""Staff members and their roles, and the audit log of what staff did (or tried to do)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Session, from_db_time, to_db_time


@dataclass(frozen=True, slots=True)
class StaffMember:
    telegram_user_id: int
    role: str
    label: str
    added_by: int
    added_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: int
    role: str | None
    action: str
    detail: dict[str, Any]
    allowed: bool


class StaffRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def role(self, telegram_user_id: int) -> str | None:
        value = await self._s.fetchval("SELECT role FROM staff WHERE telegram_user_id = ?", (telegram_user_id,))
        return None if value is None else str(value)

    async def all(self) -> list[StaffMember]:
        rows = await self._s.fetchall("SELECT * FROM staff ORDER BY role, added_at")
        return [
            StaffMember(r["telegram_user_id"], r["role"], r["label"], r["added_by"], from_db_time(r["added_at"]))
            for r in rows
        ]

    async def put(self, telegram_user_id: int, role: str, label: str, added_by: int, now: datetime) -> None:
        """Add a staff member, or change their role (keeping when they were first added)."""
        await self._s.execute(
            "INSERT INTO staff (telegram_user_id, role, label, added_by, added_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (telegram_user_id) DO UPDATE SET role = excluded.role,"
            " label = CASE WHEN excluded.label <> '' THEN excluded.label ELSE staff.label END",
            (telegram_user_id, role, label, added_by, to_db_time(now)),
        )

    async def remove(self, telegram_user_id: int) -> bool:
        return await self._s.execute("DELETE FROM staff WHERE telegram_user_id = ?", (telegram_user_id,)) > 0

    async def audit(
        self, actor: int, role: str | None, action: str, detail: dict[str, Any], *, allowed: bool, now: datetime
    ) -> None:
        await self._s.execute(
            "INSERT INTO audit_log (at, actor, role, action, detail, allowed) VALUES (?, ?, ?, ?, ?, ?)",
            (to_db_time(now), actor, role, action, json.dumps(detail, ensure_ascii=False), int(allowed)),
        )

    async def recent_audit(self, limit: int) -> list[AuditEntry]:
        rows = await self._s.fetchall("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        return [
            AuditEntry(
                from_db_time(r["at"]), r["actor"], r["role"], r["action"], json.loads(r["detail"]), bool(r["allowed"])
            )
            for r in rows
        ]
