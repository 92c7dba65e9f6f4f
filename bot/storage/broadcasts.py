"""Broadcasts: drafts, audiences chosen by filters, enqueueing one outbox row per recipient, and their figures."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from bot.storage.db import Param, Row, Session, from_db_time, opt_time, to_db_time

# Outbox kind and last_error values the figures are read from.
BROADCAST_KIND = "broadcast"
OPTED_OUT = "opted out"
STOPPED = "stopped by staff"


@dataclass(frozen=True, slots=True)
class Audience:
    """Who receives an announcement; unset filters match everyone. Filters combine (AND)."""

    course_id: int | None = None
    # 'enrolled' (in a course now) or 'completed'.
    enrollment: str | None = None
    province_code: str | None = None
    regency: str | None = None
    # A status from the check-ins, or 'unknown' for those who never answered one.
    employment_status: str | None = None
    # Those whose latest check-in (sent by the bot) has no answer.
    missed_checkin: bool = False

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v not in (None, False)})

    @classmethod
    def from_json(cls, text: str) -> Audience:
        return cls(**json.loads(text or "{}"))


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    created_by: int
    created_at: datetime
    source_chat_id: int | None
    source_message_id: int | None
    content: str | None
    step: str | None
    audience: Audience
    recipients: int
    status: str
    send_at: datetime | None
    progress_chat_id: int | None
    progress_message_id: int | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Figures:
    """Where a broadcast's messages are: waiting, sent, and the reasons of those that were not."""

    pending: int
    sent: int
    # (reason, count) of messages not delivered, most frequent first.
    not_sent: list[tuple[str, int]]
    # When the first message still waiting may go (None: none waits, or one is being sent right now).
    first_due: datetime | None = None

    @property
    def failed(self) -> int:
        return sum(count for _, count in self.not_sent)


def _broadcast(row: Row) -> Broadcast:
    return Broadcast(
        id=row["id"],
        created_by=row["created_by"],
        created_at=opt_time(row["created_at"]) or datetime.min,
        source_chat_id=row["source_chat_id"],
        source_message_id=row["source_message_id"],
        content=row["content"],
        step=row["step"],
        audience=Audience.from_json(row["audience"]),
        recipients=row["recipients"],
        status=row["status"],
        send_at=opt_time(row["send_at"]),
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        finished_at=opt_time(row["finished_at"]),
    )


def subject(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:"


def _audience_sql(audience: Audience) -> tuple[str, list[Param]]:
    """The WHERE clause selecting reachable participants who want announcements and match the filters."""
    where = [
        "p.telegram_user_id IS NOT NULL",
        "p.announcements_off_at IS NULL",
        "p.unreachable_since IS NULL",
    ]
    params: list[Param] = []
    if audience.course_id is not None or audience.enrollment is not None:
        clause = "EXISTS (SELECT 1 FROM enrollments e WHERE e.participant_id = p.id"
        if audience.course_id is not None:
            clause += " AND e.course_id = ?"
            params.append(audience.course_id)
        if audience.enrollment is not None:
            clause += " AND e.status = ?"
            params.append(audience.enrollment)
        else:
            clause += " AND e.status IN ('enrolled', 'completed')"
        where.append(clause + ")")
    if audience.province_code is not None:
        where.append("p.province_code = ?")
        params.append(audience.province_code)
    if audience.regency is not None:
        where.append("p.regency = ?")
        params.append(audience.regency)
    if audience.employment_status == "unknown":
        where.append("p.employment_status IS NULL")
    elif audience.employment_status is not None:
        where.append("p.employment_status = ?")
        params.append(audience.employment_status)
    if audience.missed_checkin:
        where.append(
            "EXISTS (SELECT 1 FROM survey_runs r WHERE r.id = (SELECT MAX(r2.id) FROM survey_runs r2"
            " WHERE r2.participant_id = p.id AND r2.survey = 'employment' AND r2.wave <> 'self'"
            " AND r2.started_at IS NOT NULL)"
            " AND NOT EXISTS (SELECT 1 FROM employment_checkins c WHERE c.run_id = r.id))"
        )
    return " AND ".join(where), params


class BroadcastRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def create_draft(self, created_by: int, now: datetime) -> Broadcast:
        """A new draft waiting for the announcement; the staff member's earlier unfinished draft is dropped."""
        await self._s.execute(
            "UPDATE broadcasts SET status = 'cancelled', step = NULL, finished_at = ?"
            " WHERE created_by = ? AND status = 'draft'",
            (to_db_time(now), created_by),
        )
        row = await self._s.fetchone(
            "INSERT INTO broadcasts (created_by, created_at, status, step) VALUES (?, ?, 'draft', 'message')"
            " RETURNING *",
            (created_by, to_db_time(now)),
        )
        assert row is not None
        return _broadcast(row)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self._s.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return None if row is None else _broadcast(row)

    async def draft_of(self, created_by: int) -> Broadcast | None:
        row = await self._s.fetchone(
            "SELECT * FROM broadcasts WHERE created_by = ? AND status = 'draft' ORDER BY id DESC LIMIT 1",
            (created_by,),
        )
        return None if row is None else _broadcast(row)

    async def set_message(self, broadcast_id: int, chat_id: int, message_id: int, content: str) -> None:
        await self._s.execute(
            "UPDATE broadcasts SET source_chat_id = ?, source_message_id = ?, content = ?, step = 'audience'"
            " WHERE id = ?",
            (chat_id, message_id, content, broadcast_id),
        )

    async def set_audience(self, broadcast_id: int, audience: Audience) -> None:
        await self._s.execute("UPDATE broadcasts SET audience = ? WHERE id = ?", (audience.to_json(), broadcast_id))

    async def set_step(self, broadcast_id: int, step: str) -> None:
        await self._s.execute("UPDATE broadcasts SET step = ? WHERE id = ?", (step, broadcast_id))

    async def set_send_at(self, broadcast_id: int, moment: datetime) -> None:
        await self._s.execute("UPDATE broadcasts SET send_at = ? WHERE id = ?", (to_db_time(moment), broadcast_id))

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        await self._s.execute(
            "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
            (chat_id, message_id, broadcast_id),
        )

    async def set_status(self, broadcast_id: int, status: str, now: datetime) -> None:
        final = status in ("done", "stopped", "cancelled")
        await self._s.execute(
            "UPDATE broadcasts SET status = ?, step = NULL,"
            " finished_at = CASE WHEN ? = 1 THEN ? ELSE finished_at END WHERE id = ?",
            (status, int(final), to_db_time(now), broadcast_id),
        )

    async def in_progress(self) -> list[Broadcast]:
        rows = await self._s.fetchall("SELECT * FROM broadcasts WHERE status IN ('scheduled', 'sending') ORDER BY id")
        return [_broadcast(row) for row in rows]

    async def recent(self, limit: int, created_by: int | None = None) -> list[Broadcast]:
        """The latest broadcasts sent or scheduled (only this staff member's with `created_by`)."""
        mine = "" if created_by is None else " AND created_by = ?"
        rows = await self._s.fetchall(
            f"SELECT * FROM broadcasts WHERE status NOT IN ('draft', 'cancelled'){mine} ORDER BY id DESC LIMIT ?",  # noqa: S608 (fixed fragments)
            (limit,) if created_by is None else (created_by, limit),
        )
        return [_broadcast(row) for row in rows]

    async def count(self, audience: Audience) -> int:
        where, params = _audience_sql(audience)
        return int(await self._s.fetchval(f"SELECT COUNT(*) FROM participants p WHERE {where}", params))  # noqa: S608

    async def enqueue(
        self,
        broadcast: Broadcast,
        send_times: Sequence[tuple[Sequence[str], datetime]],
        default_time: datetime,
        now: datetime,
    ) -> int:
        """One outbox row per recipient, in a single statement, each to go at its zone's time (quiet hours):
        `send_times` pairs province codes with a moment; everyone else goes at `default_time`."""
        assert broadcast.source_chat_id is not None and broadcast.source_message_id is not None
        where, params = _audience_sql(broadcast.audience)
        case = "CASE"
        case_params: list[Param] = []
        for codes, moment in send_times:
            if codes:
                case += f" WHEN p.province_code IN ({', '.join('?' for _ in codes)}) THEN ?"
                case_params.extend([*codes, to_db_time(moment)])
        case += " ELSE ? END"
        case_params.append(to_db_time(default_time))
        tag = subject(broadcast.id)
        added = await self._s.execute(
            "INSERT INTO outbox (telegram_user_id, kind, priority, not_before, copy_from_chat_id, copy_message_id,"  # noqa: S608 (fixed fragments)
            " subject, dedupe_key, created_at)"
            f" SELECT p.telegram_user_id, ?, 0, {case}, ?, ?, ?, ? || p.telegram_user_id, ?"
            f" FROM participants p WHERE {where} ON CONFLICT (dedupe_key) DO NOTHING",
            [
                BROADCAST_KIND,
                *case_params,
                broadcast.source_chat_id,
                broadcast.source_message_id,
                tag,
                tag,
                to_db_time(now),
                *params,
            ],
        )
        await self._s.execute("UPDATE broadcasts SET recipients = ? WHERE id = ?", (added, broadcast.id))
        return added

    async def figures(self, broadcast_id: int) -> Figures:
        rows = await self._s.fetchall(
            # Every status listed, so the (status, subject) index answers it (one seek per status).
            "SELECT status, COALESCE(last_error, '') AS reason, COUNT(*) AS n, MIN(not_before) AS due FROM outbox"
            " WHERE status IN ('pending', 'sending', 'sent', 'failed', 'expired', 'cancelled') AND subject = ?"
            " GROUP BY status, reason ORDER BY n DESC",
            (subject(broadcast_id),),
        )
        pending = sum(r["n"] for r in rows if r["status"] in ("pending", "sending"))
        sent = sum(r["n"] for r in rows if r["status"] == "sent")
        not_sent = [
            (r["reason"] or r["status"], r["n"]) for r in rows if r["status"] not in ("pending", "sending", "sent")
        ]
        dues = [r["due"] for r in rows if r["status"] == "pending"]
        sending = any(r["status"] == "sending" for r in rows)
        first_due = from_db_time(min(dues)) if dues and not sending else None
        return Figures(pending, sent, not_sent, first_due)

    async def stop(self, broadcast_id: int) -> int:
        """Withdraw every message of the broadcast not sent yet (also those the dispatcher has claimed: it checks
        again right before sending); returns how many."""
        return await self._s.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = ? WHERE subject = ?"
            " AND status IN ('pending', 'sending')",
            (STOPPED, subject(broadcast_id)),
        )

    async def withdraw_for(self, telegram_user_id: int) -> int:
        """The participant opted out: announcements waiting for them are not sent."""
        return await self._s.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = ? WHERE telegram_user_id = ? AND kind = ?"
            " AND status IN ('pending', 'sending')",
            (OPTED_OUT, telegram_user_id, BROADCAST_KIND),
        )

    async def regencies(self, province_code: str) -> list[str]:
        """Regencies where registered participants live, for the audience picker."""
        rows = await self._s.fetchall(
            "SELECT DISTINCT regency FROM participants WHERE province_code = ? AND regency IS NOT NULL"
            " AND telegram_user_id IS NOT NULL ORDER BY regency",
            (province_code,),
        )
        return [str(row[0]) for row in rows]

    async def provinces(self) -> list[str]:
        rows = await self._s.fetchall(
            "SELECT DISTINCT province_code FROM participants WHERE telegram_user_id IS NOT NULL ORDER BY province_code"
        )
        return [str(row[0]) for row in rows]

    async def courses(self, limit: int) -> list[tuple[int, str, str, str]]:
        """(id, code, title, institute name) of the courses that have participants, most recent first."""
        rows = await self._s.fetchall(
            "SELECT c.id, c.code, c.title, i.name FROM courses c JOIN institutes i ON i.id = c.institute_id"
            " WHERE EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = c.id"
            " AND e.status IN ('enrolled', 'completed')) ORDER BY c.id DESC LIMIT ?",
            (limit,),
        )
        return [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]
