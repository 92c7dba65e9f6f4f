"""The outbox: every message that is not a direct reply, written in the transaction that causes it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.storage.broadcasts import BROADCAST_KIND
from bot.storage.db import Row, Session, from_db_time, opt_time, to_db_time

# Why a row was withdrawn when its recipient erased their data (a broadcast's figures show it).
ERASED = "recipient erased their data"
# Every status, so that a query on one subject seeks the (status, subject) index once per status.
_ALL_STATUSES = "('pending', 'sending', 'sent', 'failed', 'expired', 'cancelled')"
# Ids in one `IN (...)` list (SQLite allows 32,766 parameters, PostgreSQL 65,535; a claimed batch is far smaller).
_IDS_PER_STATEMENT = 500


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    telegram_user_id: int
    kind: str
    priority: int
    not_before: datetime
    expires_at: datetime | None
    message_key: str | None
    params: dict[str, Any]
    dedupe_key: str
    status: str
    attempts: int
    # The recipient's chosen language, read with the row (None: the bot's default).
    language: str | None = None
    # Set for a copy of an existing message instead of a rendered text.
    copy_from_chat_id: int | None = None
    copy_message_id: int | None = None
    # What the row is about ("ticket:12": one ticket's rows to one chat are sent in order).
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class NewOutboxMessage:
    telegram_user_id: int
    kind: str
    dedupe_key: str
    not_before: datetime
    message_key: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    copy_of: tuple[int, int] | None = None  # (chat id, message id) of a message to copy
    priority: int = 0
    expires_at: datetime | None = None
    subject: str | None = None


def _message(row: Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        telegram_user_id=row["telegram_user_id"],
        kind=row["kind"],
        priority=row["priority"],
        not_before=from_db_time(row["not_before"]),
        expires_at=opt_time(row["expires_at"]),
        message_key=row["message_key"],
        params=json.loads(row["params"]),
        dedupe_key=row["dedupe_key"],
        status=row["status"],
        attempts=row["attempts"],
        language=row["language"] if "language" in row.keys() else None,  # noqa: SIM118 (Row: `in` tests values)
        copy_from_chat_id=row["copy_from_chat_id"],
        copy_message_id=row["copy_message_id"],
        subject=row["subject"],
    )


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self._s = session
        self.added = 0

    async def add(
        self,
        *,
        telegram_user_id: int,
        kind: str,
        dedupe_key: str,
        not_before: datetime,
        now: datetime,
        message_key: str | None = None,
        params: dict[str, Any] | None = None,
        copy_of: tuple[int, int] | None = None,
        priority: int = 0,
        expires_at: datetime | None = None,
        subject: str | None = None,
    ) -> bool:
        """Queue a message: a message key with parameters, or `copy_of` = (chat id, message id) to copy.

        A second message with the same dedupe key is ignored. Returns whether it was added.
        """
        message = NewOutboxMessage(
            telegram_user_id,
            kind,
            dedupe_key,
            not_before,
            message_key,
            params or {},
            copy_of,
            priority,
            expires_at,
            subject,
        )
        return await self.add_many([message], now) > 0

    async def add_many(self, messages: Sequence[NewOutboxMessage], now: datetime) -> int:
        """Queue several messages in one statement (a course's reminders); returns how many were new."""
        for message in messages:
            if (message.message_key is None) == (message.copy_of is None):
                raise ValueError("an outbox message is either a message key or a copy")
        added = await self._s.executemany(
            "INSERT INTO outbox (telegram_user_id, kind, priority, not_before, expires_at, message_key, params,"
            " copy_from_chat_id, copy_message_id, dedupe_key, subject, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
            [
                (
                    m.telegram_user_id,
                    m.kind,
                    m.priority,
                    to_db_time(m.not_before),
                    None if m.expires_at is None else to_db_time(m.expires_at),
                    m.message_key,
                    json.dumps(m.params, ensure_ascii=False),
                    None if m.copy_of is None else m.copy_of[0],
                    None if m.copy_of is None else m.copy_of[1],
                    m.dedupe_key,
                    m.subject,
                    to_db_time(now),
                )
                for m in messages
            ],
        )
        self.added += added
        return added

    async def cancel_pending(self, subject_prefix: str, *, keep: set[str]) -> int:
        """Cancel messages not sent yet (pending, or claimed and still waiting for their turn) whose subject starts
        with the prefix, except those with a dedupe key in `keep`."""
        rows = await self._s.fetchall(
            # A range on the subject index: every string that starts with the prefix sorts between the two.
            "SELECT id, dedupe_key FROM outbox WHERE subject >= ? AND subject < ? AND status IN ('pending', 'sending')",
            (subject_prefix, subject_prefix[:-1] + chr(ord(subject_prefix[-1]) + 1)),
        )
        doomed = [(row[0],) for row in rows if row[1] not in keep]
        if not doomed:
            return 0
        return await self._s.executemany("UPDATE outbox SET status = 'cancelled' WHERE id = ?", doomed)

    async def cancel_subjects(self, subjects: Sequence[str]) -> int:
        """Cancel the messages not sent yet whose subject is one of `subjects` (a batch of survey runs closing)."""
        if not subjects:
            return 0
        marks = ", ".join("?" for _ in subjects)
        return await self._s.execute(
            f"UPDATE outbox SET status = 'cancelled' WHERE status IN ('pending', 'sending') AND subject IN ({marks})",  # noqa: S608 (fixed text)
            tuple(subjects),
        )

    async def cancel_for_recipient(self, telegram_user_id: int, reason: str) -> int:
        """Cancel everything still waiting for a person Telegram no longer lets us reach."""
        return await self._s.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = ? WHERE telegram_user_id = ?"
            " AND status IN ('pending', 'sending')",
            (reason, telegram_user_id),
        )

    async def forget_recipient(
        self, telegram_user_id: int, copied_into: Sequence[str] = (), *, staff_kinds: Sequence[str] = ()
    ) -> int:
        """Erasure: nothing more goes to the person, and no row keeps their Telegram id.

        Everything still waiting for them is withdrawn (a claimed row is checked again right before it is sent);
        a broadcast's copies stay for its figures, without the recipient (id 0, a dedupe key of the row's own);
        every other row to them goes (their subjects and dedupe keys name enrolments, runs and tickets that lead
        back to the anonymous participant row), and so do the copies of their messages in the subjects
        `copied_into` (their help-desk tickets). Rows of `staff_kinds` (what a staff member gets as staff: other
        people's tickets, alerts) are left alone. Returns how many rows were deleted or anonymised.
        """
        mine = "telegram_user_id = ?"
        if staff_kinds:
            mine += f" AND kind NOT IN ({', '.join('?' for _ in staff_kinds)})"
        await self._s.execute(
            f"UPDATE outbox SET status = 'cancelled', last_error = ? WHERE {mine}"  # noqa: S608 (fixed text)
            " AND status IN ('pending', 'sending')",
            (ERASED, telegram_user_id, *staff_kinds),
        )
        changed = await self._s.execute(
            "UPDATE outbox SET telegram_user_id = 0, dedupe_key = 'erased:' || id, telegram_message_id = NULL"
            " WHERE telegram_user_id = ? AND kind = ?",
            (telegram_user_id, BROADCAST_KIND),
        )
        changed += await self._s.execute(f"DELETE FROM outbox WHERE {mine}", (telegram_user_id, *staff_kinds))  # noqa: S608
        for subject in copied_into:
            changed += await self._s.execute(
                f"DELETE FROM outbox WHERE status IN {_ALL_STATUSES} AND subject = ? AND copy_from_chat_id = ?",  # noqa: S608 (fixed text)
                (subject, telegram_user_id),
            )
        return changed

    async def claim_due(self, now: datetime, limit: int, *, min_priority: int | None = None) -> list[OutboxMessage]:
        """Mark up to `limit` due messages (of at least `min_priority`) as being sent and return them, most urgent
        first, each with the recipient's language (so sending needs no further reads)."""
        return await self._claim(
            "not_before <= ?" + ("" if min_priority is None else " AND priority >= ?"),
            (to_db_time(now),) + (() if min_priority is None else (min_priority,)),
            limit,
        )

    async def claim_following(
        self, telegram_user_id: int, subject: str, now: datetime, limit: int
    ) -> list[OutboxMessage]:
        """Also claim what else of one subject is due to one chat (a ticket's next messages: sent with the first)."""
        return await self._claim(
            "not_before <= ? AND telegram_user_id = ? AND subject = ?",
            (to_db_time(now), telegram_user_id, subject),
            limit,
        )

    async def _claim(self, condition: str, params: tuple[Any, ...], limit: int) -> list[OutboxMessage]:
        # PostgreSQL: rows another claimer has locked are skipped, so two dispatchers never take the same row.
        rows = await self._s.fetchall(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id IN ("  # noqa: S608 (fixed text)
            f" SELECT id FROM outbox WHERE status = 'pending' AND {condition}"
            f" ORDER BY priority DESC, not_before, id LIMIT ?{self._s.skip_locked}) RETURNING *,"
            " (SELECT language FROM user_preferences p WHERE p.telegram_user_id = outbox.telegram_user_id) AS language",
            (*params, limit),
        )
        return sorted((_message(row) for row in rows), key=lambda m: (-m.priority, m.not_before, m.id))

    async def still_wanted(self, message_id: int) -> bool:
        """Whether a claimed message is still to be sent (not withdrawn while it waited for its turn)."""
        return bool(await self._s.fetchval("SELECT status = 'sending' FROM outbox WHERE id = ?", (message_id,)))

    async def still_sending(self, message_ids: Sequence[int]) -> set[int]:
        """Those of the claimed messages still to be sent (`still_wanted` for many rows in one read)."""
        wanted: set[int] = set()
        for start in range(0, len(message_ids), _IDS_PER_STATEMENT):
            chunk = message_ids[start : start + _IDS_PER_STATEMENT]
            rows = await self._s.fetchall(
                f"SELECT id FROM outbox WHERE status = 'sending' AND id IN ({', '.join('?' for _ in chunk)})",  # noqa: S608 (placeholders)
                chunk,
            )
            wanted.update(int(row[0]) for row in rows)
        return wanted

    async def mark_sent(
        self, message_id: int, telegram_message_id: int, now: datetime, *, forget_params: bool = False
    ) -> None:
        """The row was sent; with `forget_params` its parameters go too (a staff answer's text, once delivered)."""
        await self.mark_sent_many([(message_id, telegram_message_id, forget_params)], now)

    async def mark_sent_many(self, sent: Sequence[tuple[int, int, bool]], now: datetime) -> None:
        """Rows sent, as (row id, Telegram message id, forget its parameters), in one statement for all."""
        if not sent:
            return
        at = to_db_time(now)
        await self._s.executemany(
            "UPDATE outbox SET status = 'sent', sent_at = ?, telegram_message_id = ?, last_error = NULL,"
            " params = CASE WHEN ? THEN '{}' ELSE params END WHERE id = ?",
            [(at, telegram_message_id, forget, message_id) for message_id, telegram_message_id, forget in sent],
        )

    async def waiting_for(self, telegram_user_id: int, subject: str) -> list[OutboxMessage]:
        """The rows with this subject still to be sent to this chat (pending or claimed), oldest first."""
        rows = await self._s.fetchall(
            "SELECT * FROM outbox WHERE telegram_user_id = ? AND subject = ? AND status IN ('pending', 'sending')"
            " ORDER BY id",
            (telegram_user_id, subject),
        )
        return [_message(row) for row in rows]

    async def sent_copies(self, subject: str) -> list[tuple[int, int]]:
        """(chat id, message id) of what rows with this subject became in private chats."""
        rows = await self._s.fetchall(
            "SELECT telegram_user_id, telegram_message_id FROM outbox WHERE subject = ? AND status = 'sent'"
            " AND telegram_user_id > 0 AND telegram_message_id IS NOT NULL ORDER BY id",
            (subject,),
        )
        return [(int(row[0]), int(row[1])) for row in rows]

    async def subject_of_sent(self, telegram_user_id: int, telegram_message_id: int) -> str | None:
        """The subject of the row that became this message in this chat (a staff member replying to a ticket)."""
        value = await self._s.fetchval(
            "SELECT subject FROM outbox WHERE telegram_user_id = ? AND telegram_message_id = ? AND status = 'sent'",
            (telegram_user_id, telegram_message_id),
        )
        return None if value is None else str(value)

    async def mark_failed(self, message_id: int, error: str, *, status: str = "failed") -> None:
        await self.mark_failed_many([(message_id, error, status)])

    async def mark_failed_many(self, failed: Sequence[tuple[int, str, str]]) -> None:
        """Rows not sent and not retried, as (row id, error, status), in one statement for all."""
        if failed:
            await self._s.executemany(
                "UPDATE outbox SET status = ?, last_error = ? WHERE id = ?",
                [(status, error, message_id) for message_id, error, status in failed],
            )

    async def retry_at(self, message_id: int, not_before: datetime, error: str) -> None:
        await self.retry_many([(message_id, not_before, error)])

    async def retry_many(self, retries: Sequence[tuple[int, datetime, str]]) -> None:
        """Rows to send again, as (row id, not before, error), in one statement for all."""
        if retries:
            await self._s.executemany(
                # Only a row still being sent: one withdrawn or moved meanwhile stays as it is.
                "UPDATE outbox SET status = 'pending', not_before = ?, last_error = ?"
                " WHERE id = ? AND status = 'sending'",
                [(to_db_time(not_before), error, message_id) for message_id, not_before, error in retries],
            )

    async def release_claimed(self) -> int:
        """After a restart: messages left 'sending' go back to pending (sent at least once)."""
        return await self._s.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")

    async def next_due(self) -> datetime | None:
        value = await self._s.fetchval("SELECT MIN(not_before) FROM outbox WHERE status = 'pending'")
        return None if value is None else from_db_time(value)
