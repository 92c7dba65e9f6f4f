"""Staff roles, what each may do, and the audit log.

admin: everything, and manages staff. operator: catalogue, completion, broadcasts, lookup, answering the help desk.
viewer: reports, lookup, reading the help desk. lpk (a training institute's staff, bound to one or more institutes):
attendance, completion, broadcasts, reports and participant lists of those institutes' courses only (their Scope).
ADMIN_IDS are admins from the start and cannot be removed from the
bot (only from the setting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from bot.clock import Clock
from bot.config import Settings
from bot.logs import user_hash
from bot.services.enrollment import Refusal
from bot.storage.staff import AuditEntry
from bot.storage.store import Store

ADMIN: Final = "admin"
OPERATOR: Final = "operator"
VIEWER: Final = "viewer"
LPK: Final = "lpk"
ROLES: Final = (ADMIN, OPERATOR, VIEWER, LPK)

# What a staff action needs.
MANAGE_STAFF: Final = "staff"
CATALOGUE: Final = "catalogue"
COMPLETION: Final = "completion"
BROADCAST: Final = "broadcast"
LOOKUP: Final = "lookup"
REPORTS: Final = "reports"
# The help desk: read tickets (/tiket, the topics) and answer or close them.
HELPDESK_READ: Final = "helpdesk_read"
HELPDESK_ANSWER: Final = "helpdesk_answer"
# Attendance at a session: the venue's QR code (/absen) and the roll call.
ATTENDANCE: Final = "attendance"
# A course's participant list with phone numbers (/peserta): LPK members call no-shows.
COURSE_PARTICIPANTS: Final = "course_participants"
# Publishing job vacancies (the file sent to the bot) and following their applicants: an LPK member for their
# partner employers, on the vacancies they published only.
VACANCIES: Final = "vacancies"

PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    ADMIN: frozenset(
        {
            MANAGE_STAFF,
            CATALOGUE,
            COMPLETION,
            BROADCAST,
            LOOKUP,
            REPORTS,
            HELPDESK_READ,
            HELPDESK_ANSWER,
            ATTENDANCE,
            COURSE_PARTICIPANTS,
            VACANCIES,
        }
    ),
    OPERATOR: frozenset(
        {
            CATALOGUE,
            COMPLETION,
            BROADCAST,
            LOOKUP,
            HELPDESK_READ,
            HELPDESK_ANSWER,
            ATTENDANCE,
            COURSE_PARTICIPANTS,
            VACANCIES,
        }
    ),
    VIEWER: frozenset({REPORTS, LOOKUP, HELPDESK_READ, COURSE_PARTICIPANTS}),
    # Limited to their institutes' courses (StaffService.scope); no lookup across the programme, no help desk.
    LPK: frozenset({ATTENDANCE, COMPLETION, BROADCAST, REPORTS, COURSE_PARTICIPANTS, VACANCIES}),
}

# A refusal repeated by the same actor within this window is counted on the entry already written, not written
# again: someone tapping a forged button a thousand times leaves one row (with repeats = 999), not a thousand.
REFUSALS_EVERY: Final = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Scope:
    """The courses a staff member may act on: every course (institutes None), or the courses of these training
    institutes (an LPK member), compared by the catalogue's institute name, case and spacing ignored."""

    institutes: frozenset[str] | None = None

    def covers(self, institute_name: str) -> bool:
        return self.institutes is None or institute_key(institute_name) in self.institutes


def institute_key(name: str) -> str:
    """An institute's name as scopes compare it."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Member:
    telegram_user_id: int
    role: str
    label: str
    # From ADMIN_IDS: cannot be changed or removed in the bot.
    configured: bool
    # An LPK member's institutes (catalogue names).
    institutes: tuple[str, ...] = ()


class StaffService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self._store = store
        self._admin_ids = settings.admin_ids
        self._clock = clock

    async def role(self, user_id: int) -> str | None:
        if user_id in self._admin_ids:
            return ADMIN
        async with self._store.read() as unit:
            return await unit.staff.role(user_id)

    async def scope(self, user_id: int) -> Scope:
        """The courses the staff member may act on (their role's permissions say which actions): an LPK member's
        institutes' courses (none when they have no institute left), everyone else's every course."""
        if user_id in self._admin_ids:
            return Scope()
        async with self._store.read() as unit:
            if await unit.staff.role(user_id) != LPK:
                return Scope()
            return Scope(frozenset(key for key, _ in await unit.staff.institutes(user_id)))

    async def covers(self, user_id: int, institute_name: str, attempt: str, detail: dict[str, Any]) -> bool:
        """Whether a course of this institute is in the member's scope; if not, the attempt goes to the audit log
        as a refusal, as any staff action the person may not take (`detail`: the course, never personal data)."""
        if (await self.scope(user_id)).covers(institute_name):
            return True
        await self.audit(user_id, f"refused:{attempt}", {**detail, "needs": "institute"}, allowed=False)
        return False

    async def permitted(self, user_id: int, permission: str, attempt: str) -> str | None:
        """The person's role if it allows `permission`; otherwise None, and the attempt goes to the audit log."""
        role = await self.role(user_id)
        if role is not None and permission in PERMISSIONS[role]:
            return role
        await self.audit(user_id, f"refused:{attempt}", {"needs": permission}, allowed=False, role=role)
        return None

    async def audit(
        self,
        actor: int,
        action: str,
        detail: dict[str, Any] | None = None,
        *,
        allowed: bool = True,
        role: str | None = None,
    ) -> None:
        """Record a staff action (who, what, when); `detail` holds ids and counts, never personal data.

        Staff are recorded by their Telegram id (they are accountable); anyone else who tried a staff tool by a
        pseudonym (the keyed hash the logs use), so the log keeps no participant's Telegram id. Refusals are
        rate-limited (REFUSALS_EVERY)."""
        now = self._clock.now()
        async with self._store.write() as unit:
            known = role if role is not None else (ADMIN if actor in self._admin_ids else await unit.staff.role(actor))
            await unit.staff.audit(
                actor if known is not None else 0,
                known,
                action,
                detail or {},
                allowed=allowed,
                now=now,
                pseudonym=None if known is not None else user_hash(actor),
                repeat_since=None if allowed else now - REFUSALS_EVERY,
            )

    async def members(self) -> list[Member]:
        async with self._store.read() as unit:
            stored = await unit.staff.all()
            institutes = await unit.staff.all_institutes()
        configured = [Member(user_id, ADMIN, "", True) for user_id in sorted(self._admin_ids)]
        return configured + [
            Member(m.telegram_user_id, m.role, m.label, False, tuple(institutes.get(m.telegram_user_id, ())))
            for m in stored
            if m.telegram_user_id not in self._admin_ids
        ]

    async def put(
        self, actor: int, target: int, role: str, label: str, institute: str | None = None
    ) -> Member | Refusal:
        """Add a staff member or change their role (admins only; ADMIN_IDS stay admins).

        An LPK member names an institute of the catalogue (case and spacing ignored); adding them again with
        another institute adds it. Another role takes their institutes away."""
        if role not in ROLES:
            return Refusal("staff-unknown-role", {"role": role})
        if target in self._admin_ids:
            return Refusal("staff-configured-admin", {"id": str(target)})
        if role == LPK and not (institute or "").strip():
            return Refusal("staff-lpk-needs-institute")
        now = self._clock.now()
        detail: dict[str, Any] = {"target": target, "role": role}
        async with self._store.write() as unit:
            if role == LPK:
                names = await unit.catalogue.institute_names()
                wanted = institute_key(institute or "")
                name = next((n for n in names if institute_key(n) == wanted), None)
                if name is None:
                    return Refusal("staff-unknown-institute", {"name": institute or "", "known": ", ".join(names)})
                await unit.staff.put(target, role, label, actor, now)
                await unit.staff.add_institute(target, wanted, name, actor, now)
                detail["institute"] = name
            else:
                await unit.staff.put(target, role, label, actor, now)
                await unit.staff.clear_institutes(target)
            await unit.staff.audit(actor, ADMIN, "staff:put", detail, allowed=True, now=now)
            held = tuple(name for _, name in await unit.staff.institutes(target))
        return Member(target, role, label, False, held)

    async def remove(self, actor: int, target: int) -> bool | Refusal:
        if target in self._admin_ids:
            return Refusal("staff-configured-admin", {"id": str(target)})
        async with self._store.write() as unit:
            removed = await unit.staff.remove(target)
            if removed:
                await unit.staff.audit(
                    actor, ADMIN, "staff:remove", {"target": target}, allowed=True, now=self._clock.now()
                )
        return removed

    async def recent_audit(self, limit: int = 20) -> list[AuditEntry]:
        async with self._store.read() as unit:
            return await unit.staff.recent_audit(limit)
