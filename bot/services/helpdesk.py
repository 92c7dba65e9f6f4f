"""The help desk ("Tanya Petugas"), the asker's side: a person asks, whatever they send while their ticket is open
reaches the staff, and they close and rate it.

Nothing the person writes is stored: each message travels as an outbox row that copies it (by chat and message id)
into the ticket's forum topic in a helpdesk group, or, without a group, to the private chat of every staff member
who may answer. The topic itself, and the card that opens it, are made when the first row is sent
(bot/delivery/helpdesk.py), so a burst of messages waits in order in the outbox, within Telegram's ~20 messages a
minute per group. The staff's side is bot/services/helpdesk_staff.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.clock import Clock
from bot.config import Settings
from bot.services.faq import Faq, FaqEntry
from bot.services.staff import HELPDESK_ANSWER, PERMISSIONS
from bot.storage.store import Store, Unit
from bot.storage.tickets import ASKING, OPEN, Ticket

# Outbox kinds. To the staff (the group's topic or their private chats): the card that opens a ticket, copies of
# the asker's messages, and topic actions (close, reopen, delete). To the asker: staff answers and notices.
CARD_KIND: Final = "helpdesk_card"
RELAY_KIND: Final = "helpdesk_in"
TOPIC_KIND: Final = "helpdesk_topic"
ANSWER_KIND: Final = "helpdesk_out"
ALERT_KIND: Final = "helpdesk_alert"
# Answers to a person waiting for them are claimed before everything else and sent at the interactive priority.
ANSWER_PRIORITY: Final = 30
# A person who keeps writing is told "received" again only after this long.
ACK_EVERY: Final = timedelta(minutes=10)


def ticket_subject(ticket_id: int) -> str:
    """The outbox subject of a ticket's rows: rows to one chat with one subject are sent in order."""
    return f"ticket:{ticket_id}"


@dataclass(frozen=True, slots=True)
class Receipt:
    """What became of a message sent to the help desk."""

    ticket: Ticket
    # The first message of a question, or of a reopened ticket.
    new: bool
    # Whether to say "received" now (not for every message of a flood).
    acknowledge: bool


class HelpdeskService:
    def __init__(self, store: Store, settings: Settings, clock: Clock, faq: Faq) -> None:
        self._store = store
        self._clock = clock
        self.faq = faq
        self.groups: tuple[int, ...] = settings.helpdesk_chat_ids
        self._admin_ids = settings.admin_ids
        self._reopen_within = timedelta(days=settings.helpdesk_reopen_days)

    def group_for(self, telegram_user_id: int) -> int | None:
        """The helpdesk group a new ticket of this person's goes to: the same one each time, the people spread
        evenly over the groups (each group has its own Telegram budget)."""
        return self.groups[telegram_user_id % len(self.groups)] if self.groups else None

    def suggestions(self, text: str, language: str) -> list[FaqEntry]:
        return self.faq.match(text, language)

    async def current(self, telegram_user_id: int) -> Ticket | None:
        async with self._store.read() as unit:
            return await unit.tickets.current(telegram_user_id)

    async def ask(self, telegram_user_id: int) -> Ticket:
        """Tanya Petugas: the ticket that waits for the question (or the one already open)."""
        async with self._store.write() as unit:
            current = await unit.tickets.current(telegram_user_id)
            if current is not None:
                return current
            ticket_id = await unit.tickets.start(telegram_user_id, self.group_for(telegram_user_id), self._clock.now())
            ticket = await unit.tickets.get(ticket_id)
        assert ticket is not None
        return ticket

    async def withdraw_question(self, telegram_user_id: int) -> bool:
        """/batal while the bot waits for the question: nothing was sent, the ticket goes."""
        async with self._store.write() as unit:
            current = await unit.tickets.current(telegram_user_id)
            if current is None or current.status != ASKING:
                return False
            return await unit.tickets.close(current.id, telegram_user_id, self._clock.now())

    async def submit(self, telegram_user_id: int, message_ids: Sequence[int]) -> Receipt:
        """Messages of the person's (in their private chat) for the help desk: to their open ticket, the one waiting
        for the question, the one closed lately (reopened), or a new one."""
        now = self._clock.now()
        async with self._store.write() as unit:
            ticket = await unit.tickets.current(telegram_user_id)
            reopened = False
            if ticket is None:
                latest = await unit.tickets.latest(telegram_user_id)
                if (
                    latest is not None
                    and latest.asked_at is not None
                    and latest.closed_at is not None
                    and now - latest.closed_at <= self._reopen_within
                ):
                    ticket, reopened = latest, True
                else:
                    ticket_id = await unit.tickets.start(telegram_user_id, self.group_for(telegram_user_id), now)
                    ticket = await unit.tickets.get(ticket_id)
                    assert ticket is not None
            new = ticket.status == ASKING or reopened
            await self._relay(unit, ticket, telegram_user_id, message_ids, now, new=new, reopened=reopened)
            for _ in message_ids:
                await unit.tickets.received(ticket.id, now)
            acknowledge = new or ticket.acknowledged_at is None or now - ticket.acknowledged_at >= ACK_EVERY
            if acknowledge:
                await unit.tickets.acknowledged(ticket.id, now)
            updated = await unit.tickets.get(ticket.id)
        assert updated is not None
        return Receipt(updated, new=new, acknowledge=acknowledge)

    async def _relay(
        self,
        unit: Unit,
        ticket: Ticket,
        chat_id: int,
        message_ids: Sequence[int],
        now: datetime,
        *,
        new: bool,
        reopened: bool,
    ) -> None:
        subject = ticket_subject(ticket.id)
        targets = await self.staff_targets(unit, ticket)
        for target in targets:
            if reopened and ticket.group_chat_id is not None and ticket.thread_id is not None:
                await queue_topic_action(
                    unit,
                    target,
                    ticket.id,
                    "reopen",
                    f"{subject}:reopen:{message_ids[0]}:{target}",
                    now,
                    thread=ticket.thread_id,
                )
            if new:
                await queue_card(unit, target, ticket.id, f"{subject}:card:{message_ids[0]}:{target}", now)
            for message_id in message_ids:
                await unit.outbox.add(
                    telegram_user_id=target,
                    kind=RELAY_KIND,
                    dedupe_key=f"{subject}:in:{message_id}:{target}",
                    not_before=now,
                    now=now,
                    copy_of=(chat_id, message_id),
                    params={"ticket": ticket.id},
                    subject=subject,
                )

    async def staff_targets(self, unit: Unit, ticket: Ticket) -> list[int]:
        """Where the staff see the ticket: its group, else every staff member who may answer (private chats)."""
        if ticket.group_chat_id is not None:
            return [ticket.group_chat_id]
        return await self.staff_with(unit, HELPDESK_ANSWER)

    async def staff_with(self, unit: Unit, permission: str) -> list[int]:
        """The staff whose role allows `permission` (ADMIN_IDS first), read in the caller's transaction."""
        stored = [m.telegram_user_id for m in await unit.staff.all() if permission in PERMISSIONS[m.role]]
        return sorted(self._admin_ids) + [user_id for user_id in stored if user_id not in self._admin_ids]

    async def close_by_asker(self, telegram_user_id: int, ticket_id: int) -> Ticket | None:
        """ "Masalah saya sudah selesai": the ticket closes (its topic too); None when it was not theirs or open."""
        async with self._store.write() as unit:
            ticket = await unit.tickets.get(ticket_id)
            if ticket is None or ticket.telegram_user_id != telegram_user_id or ticket.status != OPEN:
                return None
            await close_ticket(unit, ticket, telegram_user_id, self._clock.now())
            return await unit.tickets.get(ticket_id)

    async def rate(self, telegram_user_id: int, ticket_id: int, rating: int) -> bool:
        """ "Apakah jawaban petugas membantu?" (1-5), once per closed ticket of the person's."""
        if not 1 <= rating <= 5:
            return False
        async with self._store.write() as unit:
            return await unit.tickets.rate(ticket_id, telegram_user_id, rating)

    async def forget(self, unit: Unit, telegram_user_id: int) -> list[Ticket]:
        """Erasure, inside its transaction: the person's tickets close and lose the link to them, what was still to
        be copied is withdrawn, their topics are deleted (the copies in them with them), and the copies in staff
        private chats too. Returns the tickets as they were."""
        now = self._clock.now()
        tickets = await unit.tickets.forget_person(telegram_user_id, now)
        for ticket in tickets:
            subject = ticket_subject(ticket.id)
            await unit.outbox.cancel_pending(subject, keep=set())
            await unit.ticket_replies.forget_ticket(ticket.id)
            erased = f"{subject}:erased"
            if ticket.group_chat_id is not None and ticket.thread_id is not None:
                await queue_topic_action(
                    unit,
                    ticket.group_chat_id,
                    ticket.id,
                    "delete",
                    f"{subject}:delete",
                    now,
                    subject=erased,
                    thread=ticket.thread_id,
                )
            # Without a group, the copies sit in staff private chats: deleted one by one (Telegram lets a bot delete
            # its own messages there for 48 hours; an older one stays and the row says why).
            for chat_id, message_id in await unit.outbox.sent_copies(subject):
                await queue_topic_action(
                    unit,
                    chat_id,
                    ticket.id,
                    "delete_message",
                    f"{subject}:delete:{chat_id}:{message_id}",
                    now,
                    subject=erased,
                    message_id=message_id,
                )
        return tickets


async def close_ticket(unit: Unit, ticket: Ticket, closed_by: int, now: datetime) -> None:
    """Close a ticket: its topic is closed and the asker is asked whether the answer helped."""
    if not await unit.tickets.close(ticket.id, closed_by, now):
        return
    subject = ticket_subject(ticket.id)
    if ticket.status == OPEN and ticket.group_chat_id is not None and ticket.thread_id is not None:
        await queue_topic_action(
            unit,
            ticket.group_chat_id,
            ticket.id,
            "close",
            f"{subject}:close:{now.isoformat()}",
            now,
            thread=ticket.thread_id,
        )
    if ticket.status == OPEN:
        await unit.outbox.add(
            telegram_user_id=ticket.telegram_user_id,
            kind=ANSWER_KIND,
            dedupe_key=f"{subject}:closed:{now.isoformat()}",
            not_before=now,
            now=now,
            message_key="helpdesk-closed",
            params={"ticket": ticket.id, "by_staff": closed_by != ticket.telegram_user_id},
            priority=ANSWER_PRIORITY,
            subject=f"{subject}:asker",
        )
    await unit.ticket_replies.forget_ticket(ticket.id)


async def queue_card(unit: Unit, chat_id: int, ticket_id: int, dedupe_key: str, now: datetime) -> None:
    """The card that opens a ticket for the staff (in its topic, or a staff member's private chat)."""
    await unit.outbox.add(
        telegram_user_id=chat_id,
        kind=CARD_KIND,
        dedupe_key=dedupe_key,
        not_before=now,
        now=now,
        message_key="helpdesk-card",
        params={"ticket": ticket_id},
        subject=ticket_subject(ticket_id),
    )


async def queue_topic_action(
    unit: Unit,
    chat_id: int,
    ticket_id: int,
    action: str,
    dedupe_key: str,
    now: datetime,
    *,
    subject: str | None = None,
    **detail: int,
) -> None:
    """Closing, reopening or deleting a ticket's topic (`thread`), or deleting a copy (`message_id`) in a private
    chat: a row sent in order with the ticket's others (bot/delivery/helpdesk.py does it)."""
    await unit.outbox.add(
        telegram_user_id=chat_id,
        kind=TOPIC_KIND,
        dedupe_key=dedupe_key,
        not_before=now,
        now=now,
        message_key="helpdesk-topic",
        params={"ticket": ticket_id, "action": action, **detail},
        subject=subject or ticket_subject(ticket_id),
    )
