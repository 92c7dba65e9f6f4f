"""Staff members and their roles, and the audit log of what staff did (or tried to do)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Row, Session, from_db_time, to_db_time


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
    # A staff member's Telegram id; 0 for the bot itself and for anyone else, who is known by `pseudonym` only.
    actor: int
    role: str | None
    action: str
    detail: dict[str, Any]
    allowed: bool
    pseudonym: str | None = None
    # The same refusal repeated within the window after this entry (counted, not written again).
    repeats: int = 0


def _entry(r: Row) -> AuditEntry:
    return AuditEntry(
        from_db_time(r["at"]),
        r["actor"],
        r["role"],
        r["action"],
        json.loads(r["detail"]),
        bool(r["allowed"]),
        r["actor_pseudonym"],
        r["repeats"],
    )


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
        await self.clear_institutes(telegram_user_id)
        return await self._s.execute("DELETE FROM staff WHERE telegram_user_id = ?", (telegram_user_id,)) > 0

    # ------------------------------------------------------------------ LPK members' institutes

    async def institutes(self, telegram_user_id: int) -> list[tuple[str, str]]:
        """(key, name) of the institutes an LPK member acts for, in the order they were added."""
        rows = await self._s.fetchall(
            "SELECT institute_key, institute_name FROM staff_institutes WHERE telegram_user_id = ?"
            " ORDER BY added_at, institute_key",
            (telegram_user_id,),
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    async def all_institutes(self) -> dict[int, list[str]]:
        """Every LPK member's institute names, for the staff list."""
        rows = await self._s.fetchall(
            "SELECT telegram_user_id, institute_name FROM staff_institutes ORDER BY telegram_user_id, added_at,"
            " institute_key"
        )
        found: dict[int, list[str]] = {}
        for row in rows:
            found.setdefault(int(row[0]), []).append(str(row[1]))
        return found

    async def add_institute(self, telegram_user_id: int, key: str, name: str, added_by: int, now: datetime) -> bool:
        """Bind a member to one more institute; False when they already act for it."""
        return (
            await self._s.execute(
                "INSERT INTO staff_institutes (telegram_user_id, institute_key, institute_name, added_by, added_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (telegram_user_id, institute_key) DO NOTHING",
                (telegram_user_id, key, name, added_by, to_db_time(now)),
            )
            > 0
        )

    async def clear_institutes(self, telegram_user_id: int) -> int:
        return await self._s.execute("DELETE FROM staff_institutes WHERE telegram_user_id = ?", (telegram_user_id,))

    async def audit(
        self,
        actor: int,
        role: str | None,
        action: str,
        detail: dict[str, Any],
        *,
        allowed: bool,
        now: datetime,
        pseudonym: str | None = None,
        repeat_since: datetime | None = None,
    ) -> bool:
        """Write an entry. With `repeat_since`, an entry of the same actor and action written since then counts
        this one instead (returns False: nothing new was written)."""
        if repeat_since is not None:
            counted = await self._s.execute(
                "UPDATE audit_log SET repeats = repeats + 1 WHERE id = (SELECT MAX(id) FROM audit_log"
                " WHERE action = ? AND at >= ? AND actor = ? AND COALESCE(actor_pseudonym, '') = ? AND allowed = ?)",
                (action, to_db_time(repeat_since), actor, pseudonym or "", int(allowed)),
            )
            if counted:
                return False
        await self._s.execute(
            "INSERT INTO audit_log (at, actor, actor_pseudonym, role, action, detail, allowed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (to_db_time(now), actor, pseudonym, role, action, json.dumps(detail, ensure_ascii=False), int(allowed)),
        )
        return True

    async def recent_audit(self, limit: int) -> list[AuditEntry]:
        rows = await self._s.fetchall("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        return [_entry(r) for r in rows]

    async def forget_pseudonym(self, pseudonym: str) -> int:
        """A person erasing their data: their own entries (refused attempts) go."""
        return await self._s.execute("DELETE FROM audit_log WHERE actor_pseudonym = ?", (pseudonym,))

    async def forget_before(self, cutoff: datetime) -> int:
        """Entries older than the retention period go."""
        return await self._s.execute("DELETE FROM audit_log WHERE at < ?", (to_db_time(cutoff),))

    async def unpseudonymised(self, limit: int) -> list[tuple[int, int]]:
        """(entry id, Telegram id) of entries written before pseudonyms, by someone who was not staff then."""
        rows = await self._s.fetchall(
            "SELECT id, actor FROM audit_log WHERE role IS NULL AND actor <> 0 ORDER BY id LIMIT ?", (limit,)
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    async def pseudonymise(self, entries: list[tuple[int, str]]) -> int:
        """Replace the Telegram id of these entries (entry id, pseudonym) by the pseudonym."""
        return await self._s.executemany(
            "UPDATE audit_log SET actor = 0, actor_pseudonym = ? WHERE id = ?",
            [(pseudonym, entry_id) for entry_id, pseudonym in entries],
        )
