"""Help-desk tickets: one person's question and its answers, where staff see it (a forum topic of a helpdesk group,
or their private chats), and the figures the reports count. No message text is stored (see 0007_helpdesk.sql).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Row, Session, from_db_time, opt_time, to_db_time

ASKING = "asking"
OPEN = "open"
CLOSED = "closed"

_COLUMNS = (
    "id, telegram_user_id, status, group_chat_id, thread_id, topic_closed, assigned_to, opened_at, asked_at,"
    " last_in_at, first_response_at, acknowledged_at, closed_at, closed_by, rating, messages_in, messages_out"
)


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    telegram_user_id: int
    status: str
    group_chat_id: int | None
    thread_id: int | None
    topic_closed: bool
    assigned_to: int | None
    opened_at: datetime
    asked_at: datetime | None
    last_in_at: datetime | None
    first_response_at: datetime | None
    acknowledged_at: datetime | None
    closed_at: datetime | None
    closed_by: int | None
    rating: int | None
    messages_in: int
    messages_out: int


@dataclass(frozen=True, slots=True)
class TicketFigures:
    """The help desk over a period: what opened and closed, how fast staff first answered, how content people were."""

    opened: int
    closed: int
    still_open: int
    # Seconds from the question to the first staff answer, one per ticket answered in the period.
    first_response_s: tuple[float, ...]
    oldest_open_since: datetime | None
    ratings: tuple[int, ...]


def _ticket(row: Row) -> Ticket:
    return Ticket(
        id=row["id"],
        telegram_user_id=row["telegram_user_id"],
        status=row["status"],
        group_chat_id=row["group_chat_id"],
        thread_id=row["thread_id"],
        topic_closed=bool(row["topic_closed"]),
        assigned_to=row["assigned_to"],
        opened_at=from_db_time(row["opened_at"]),
        asked_at=opt_time(row["asked_at"]),
        last_in_at=opt_time(row["last_in_at"]),
        first_response_at=opt_time(row["first_response_at"]),
        acknowledged_at=opt_time(row["acknowledged_at"]),
        closed_at=opt_time(row["closed_at"]),
        closed_by=row["closed_by"],
        rating=row["rating"],
        messages_in=row["messages_in"],
        messages_out=row["messages_out"],
    )


class TicketRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def get(self, ticket_id: int) -> Ticket | None:
        row = await self._s.fetchone(f"SELECT {_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,))  # noqa: S608
        return None if row is None else _ticket(row)

    async def current(self, telegram_user_id: int) -> Ticket | None:
        """The person's ticket that is asking or open, if any (at most one)."""
        row = await self._s.fetchone(
            f"SELECT {_COLUMNS} FROM tickets WHERE telegram_user_id = ? AND status IN ('asking', 'open')"  # noqa: S608
            " ORDER BY id DESC LIMIT 1",
            (telegram_user_id,),
        )
        return None if row is None else _ticket(row)

    async def latest(self, telegram_user_id: int) -> Ticket | None:
        row = await self._s.fetchone(
            f"SELECT {_COLUMNS} FROM tickets WHERE telegram_user_id = ? ORDER BY id DESC LIMIT 1",  # noqa: S608
            (telegram_user_id,),
        )
        return None if row is None else _ticket(row)

    async def of_person(self, telegram_user_id: int) -> list[Ticket]:
        rows = await self._s.fetchall(
            f"SELECT {_COLUMNS} FROM tickets WHERE telegram_user_id = ? ORDER BY id",  # noqa: S608
            (telegram_user_id,),
        )
        return [_ticket(row) for row in rows]

    async def in_topic(self, group_chat_id: int, thread_id: int) -> Ticket | None:
        row = await self._s.fetchone(
            f"SELECT {_COLUMNS} FROM tickets WHERE group_chat_id = ? AND thread_id = ?",  # noqa: S608
            (group_chat_id, thread_id),
        )
        return None if row is None else _ticket(row)

    async def open_ones(self, limit: int) -> list[Ticket]:
        """Open tickets, the one waiting longest first."""
        rows = await self._s.fetchall(
            f"SELECT {_COLUMNS} FROM tickets WHERE status = 'open' ORDER BY asked_at, id LIMIT ?",  # noqa: S608
            (limit,),
        )
        return [_ticket(row) for row in rows]

    async def start(self, telegram_user_id: int, group_chat_id: int | None, now: datetime) -> int:
        """A new ticket waiting for its question."""
        return int(
            await self._s.fetchval(
                "INSERT INTO tickets (telegram_user_id, status, group_chat_id, opened_at) VALUES (?, 'asking', ?, ?)"
                " RETURNING id",
                (telegram_user_id, group_chat_id, to_db_time(now)),
            )
        )

    async def received(self, ticket_id: int, now: datetime) -> None:
        """A message of the person's came for the ticket: it is open (again), and counted."""
        moment = to_db_time(now)
        await self._s.execute(
            "UPDATE tickets SET status = 'open', asked_at = COALESCE(asked_at, ?), last_in_at = ?,"
            " messages_in = messages_in + 1, closed_at = NULL, closed_by = NULL WHERE id = ?",
            (moment, moment, ticket_id),
        )

    async def acknowledged(self, ticket_id: int, now: datetime) -> None:
        await self._s.execute("UPDATE tickets SET acknowledged_at = ? WHERE id = ?", (to_db_time(now), ticket_id))

    async def answered(self, ticket_id: int, now: datetime) -> None:
        await self._s.execute(
            "UPDATE tickets SET first_response_at = COALESCE(first_response_at, ?), messages_out = messages_out + 1"
            " WHERE id = ?",
            (to_db_time(now), ticket_id),
        )

    async def assign(self, ticket_id: int, staff_id: int) -> None:
        await self._s.execute("UPDATE tickets SET assigned_to = ? WHERE id = ?", (staff_id, ticket_id))

    async def close(self, ticket_id: int, closed_by: int | None, now: datetime) -> bool:
        """Close an open ticket (or drop one still asking); False when it was not open."""
        changed = await self._s.execute(
            "UPDATE tickets SET status = 'closed', closed_at = ?, closed_by = ?, topic_closed = 1"
            " WHERE id = ? AND status IN ('asking', 'open')",
            (to_db_time(now), closed_by, ticket_id),
        )
        return changed > 0

    async def rate(self, ticket_id: int, telegram_user_id: int, rating: int) -> bool:
        changed = await self._s.execute(
            "UPDATE tickets SET rating = ? WHERE id = ? AND telegram_user_id = ? AND status = 'closed'"
            " AND rating IS NULL",
            (rating, ticket_id, telegram_user_id),
        )
        return changed > 0

    async def set_topic(self, ticket_id: int, group_chat_id: int, thread_id: int) -> None:
        await self._s.execute(
            "UPDATE tickets SET group_chat_id = ?, thread_id = ?, topic_closed = 0 WHERE id = ?",
            (group_chat_id, thread_id, ticket_id),
        )

    async def to_private_chats(self, group_chat_id: int) -> list[int]:
        """A helpdesk group Telegram no longer lets us use: its tickets move to staff private chats."""
        rows = await self._s.fetchall(
            "UPDATE tickets SET group_chat_id = NULL, thread_id = NULL WHERE group_chat_id = ? RETURNING id",
            (group_chat_id,),
        )
        return [int(row[0]) for row in rows]

    async def to_private_chat(self, ticket_id: int) -> None:
        """The ticket's topic is gone: the ticket moves to staff private chats."""
        await self._s.execute("UPDATE tickets SET group_chat_id = NULL, thread_id = NULL WHERE id = ?", (ticket_id,))

    async def forget_person(self, telegram_user_id: int, now: datetime) -> list[Ticket]:
        """/hapusdata: the person's tickets are closed and no longer linked to their Telegram account; the figures
        (times, counts, rating) stay, anonymous. Returns the tickets as they were, for their topics to be deleted."""
        tickets = await self.of_person(telegram_user_id)
        await self._s.execute(
            "UPDATE tickets SET telegram_user_id = 0, status = 'closed', closed_at = COALESCE(closed_at, ?),"
            " group_chat_id = NULL, thread_id = NULL, topic_closed = 1 WHERE telegram_user_id = ?",
            (to_db_time(now), telegram_user_id),
        )
        return tickets

    async def figures(self, since: datetime, until: datetime) -> TicketFigures:
        start, end = to_db_time(since), to_db_time(until)
        opened = await self._s.fetchval(
            "SELECT COUNT(*) FROM tickets WHERE asked_at >= ? AND asked_at <= ?", (start, end)
        )
        closed = await self._s.fetchval(
            "SELECT COUNT(*) FROM tickets WHERE closed_at >= ? AND closed_at <= ? AND asked_at IS NOT NULL",
            (start, end),
        )
        still_open = await self._s.fetchval("SELECT COUNT(*) FROM tickets WHERE status = 'open'")
        answered = await self._s.fetchall(
            "SELECT asked_at, first_response_at FROM tickets WHERE first_response_at >= ? AND first_response_at <= ?",
            (start, end),
        )
        oldest = await self._s.fetchval("SELECT MIN(asked_at) FROM tickets WHERE status = 'open'")
        ratings = await self._s.fetchall(
            "SELECT rating FROM tickets WHERE rating IS NOT NULL AND closed_at >= ? AND closed_at <= ?", (start, end)
        )
        return TicketFigures(
            opened=int(opened),
            closed=int(closed),
            still_open=int(still_open),
            first_response_s=tuple((from_db_time(row[1]) - from_db_time(row[0])).total_seconds() for row in answered),
            oldest_open_since=opt_time(oldest),
            ratings=tuple(int(row[0]) for row in ratings),
        )


class TicketReplyRepository:
    """Which ticket a staff member answering from their private chat is replying to ("Balas")."""

    def __init__(self, session: Session) -> None:
        self._s = session

    async def start(self, staff_telegram_id: int, ticket_id: int, now: datetime) -> None:
        await self._s.execute(
            "INSERT INTO ticket_replies (staff_telegram_id, ticket_id, started_at) VALUES (?, ?, ?)"
            " ON CONFLICT (staff_telegram_id) DO UPDATE SET ticket_id = excluded.ticket_id,"
            " started_at = excluded.started_at",
            (staff_telegram_id, ticket_id, to_db_time(now)),
        )

    async def stop(self, staff_telegram_id: int) -> bool:
        deleted = await self._s.execute("DELETE FROM ticket_replies WHERE staff_telegram_id = ?", (staff_telegram_id,))
        return deleted > 0

    async def forget_ticket(self, ticket_id: int) -> None:
        await self._s.execute("DELETE FROM ticket_replies WHERE ticket_id = ?", (ticket_id,))
