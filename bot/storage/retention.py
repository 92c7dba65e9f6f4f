"""Retention: who has been inactive long enough to be told, then erased (bot/services/retention.py decides)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import POSTGRESQL, Session, from_db_time, opt_time, to_db_time


@dataclass(frozen=True, slots=True)
class Inactive:
    """A participant whose last activity is old enough to matter, or who was told about erasure."""

    participant_id: int
    telegram_user_id: int
    # The latest of: registration, any change of an enrolment (enrolled, cancelled, completed...), and the end of
    # the last session of a completed course.
    last_active: datetime
    notice_at: datetime | None
    erase_at: datetime | None


def _last_active(latest: str) -> str:
    """The SQL of a participant's last activity (`latest`: the dialect's maximum of several values)."""
    return (
        f"{latest}(p.registered_at,"  # noqa: S608 (fixed text)
        " COALESCE((SELECT MAX(e.updated_at) FROM enrollments e WHERE e.participant_id = p.id), ''),"
        " COALESCE((SELECT MAX(s.ends_at) FROM enrollments e JOIN course_sessions s ON s.course_id = e.course_id"
        " WHERE e.participant_id = p.id AND e.status = 'completed'), ''))"
    )


class RetentionRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def inactive(self, since: datetime, participant_id: int | None = None) -> list[Inactive]:
        """Participants (not erased) last active before `since`, and every one who was given a notice; or only
        the one participant, whatever their activity."""
        latest = "GREATEST" if self._s.dialect == POSTGRESQL else "MAX"  # SQLite's MAX of several values
        which = "(last_active < ? OR retention_notice_at IS NOT NULL)" if participant_id is None else "id = ?"
        rows = await self._s.fetchall(
            "SELECT * FROM (SELECT p.id, p.telegram_user_id, p.retention_notice_at, p.retention_erase_at,"  # noqa: S608 (fixed text)
            f" {_last_active(latest)} AS last_active FROM participants p WHERE p.telegram_user_id IS NOT NULL) a"
            f" WHERE {which} ORDER BY id",
            (to_db_time(since) if participant_id is None else participant_id,),
        )
        return [
            Inactive(
                participant_id=row["id"],
                telegram_user_id=row["telegram_user_id"],
                last_active=from_db_time(row["last_active"]),
                notice_at=opt_time(row["retention_notice_at"]),
                erase_at=opt_time(row["retention_erase_at"]),
            )
            for row in rows
        ]

    async def recipients(self, participant_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
        """(Telegram id, province code) of those of the participants still reachable (not erased meanwhile), read
        in one statement without opening any sealed column."""
        if not participant_ids:
            return {}
        marks = ", ".join("?" for _ in participant_ids)
        rows = await self._s.fetchall(
            f"SELECT id, telegram_user_id, province_code FROM participants WHERE id IN ({marks})"  # noqa: S608 (fixed text)
            " AND telegram_user_id IS NOT NULL",
            tuple(participant_ids),
        )
        return {int(row[0]): (int(row[1]), row[2]) for row in rows}

    async def noticed_many(self, notices: Sequence[tuple[int, datetime]], now: datetime) -> int:
        """Participants told (participant id, erasure moment each), in one round trip."""
        return await self._s.executemany(
            "UPDATE participants SET retention_notice_at = ?, retention_erase_at = ? WHERE id = ?",
            [(to_db_time(now), to_db_time(erase_at), participant_id) for participant_id, erase_at in notices],
        )

    async def reset_many(self, participant_ids: Sequence[int]) -> int:
        """Active again: the notices no longer hold (a later one will be given if they go quiet again)."""
        if not participant_ids:
            return 0
        marks = ", ".join("?" for _ in participant_ids)
        return await self._s.execute(
            "UPDATE participants SET retention_notice_at = NULL, retention_erase_at = NULL"  # noqa: S608 (fixed text)
            f" WHERE id IN ({marks})",
            tuple(participant_ids),
        )

    async def strangers(self, since: datetime, keep: Collection[int], who: int | None = None) -> list[int]:
        """Telegram ids that are nobody's participant record, have no dialog in progress, are not staff, and whose
        language choice and help-desk tickets (the traces of someone who never registered) are all older than
        `since` (or only `who`, if it is one); `keep` are further ids to leave alone (ADMIN_IDS)."""
        rows = await self._s.fetchall(
            "SELECT who FROM ("  # noqa: S608 (fixed text)
            " SELECT telegram_user_id AS who, updated_at AS at FROM user_preferences"
            " UNION ALL SELECT telegram_user_id, opened_at FROM tickets WHERE telegram_user_id > 0"
            " UNION ALL SELECT telegram_user_id, last_in_at FROM tickets WHERE telegram_user_id > 0"
            " UNION ALL SELECT telegram_user_id, closed_at FROM tickets WHERE telegram_user_id > 0) a"
            " WHERE NOT EXISTS (SELECT 1 FROM participants p WHERE p.telegram_user_id = a.who)"
            " AND NOT EXISTS (SELECT 1 FROM dialogs d WHERE d.telegram_user_id = a.who)"
            " AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.telegram_user_id = a.who)"
            f"{'' if who is None else ' AND a.who = ?'}"
            " GROUP BY who HAVING MAX(at) < ? ORDER BY who",
            (to_db_time(since),) if who is None else (who, to_db_time(since)),
        )
        return [int(row[0]) for row in rows if int(row[0]) not in keep]
