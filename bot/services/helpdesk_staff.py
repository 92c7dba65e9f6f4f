"""The help desk, the staff's side: answering a ticket (from its forum topic or, after "Balas", from a private chat),
closing it, taking it, notes and saved answers, the list of open tickets, the card that opens a topic, the figures
for the reports, and what happens when Telegram no longer lets the bot use a helpdesk group.

Every action checks the staff role (viewers may read, not answer) and goes to the audit log, with ids only. A
staff answer is an outbox row to the asker at the answers' priority: claimed before any broadcast, paced by the
rate limiter as a reply, and kept until it is sent (a restart loses nothing); its text is forgotten once sent.
"""

from __future__ import annotations

import html
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.services.enrollment import Refusal
from bot.services.helpdesk import (
    ALERT_KIND,
    ANSWER_KIND,
    ANSWER_PRIORITY,
    RELAY_KIND,
    HelpdeskService,
    close_ticket,
    queue_card,
    ticket_subject,
)
from bot.services.staff import HELPDESK_ANSWER, HELPDESK_READ, MANAGE_STAFF, StaffService
from bot.storage.outbox import OutboxMessage
from bot.storage.store import Store, Unit
from bot.storage.tickets import OPEN, Ticket, TicketFigures

_OPEN_LIST = 30


@dataclass(frozen=True, slots=True)
class Answer:
    """A staff member's message for the asker: its text as HTML (sent as a new message, signed), or a message with
    media to copy (with its caption as HTML, signed)."""

    html: str | None = None
    copy_of: tuple[int, int] | None = None
    caption_html: str | None = None


@dataclass(frozen=True, slots=True)
class Card:
    """What staff see first about a ticket; the NIK masked, no other identifier."""

    ticket_id: int
    registered: bool
    first_name: str
    masked_nik: str
    courses: tuple[tuple[str, str], ...]  # (title, enrolment status)
    attendance_yes: int
    attendance_no: int
    employment_status: str | None
    earlier_tickets: int
    asked_at: datetime | None

    @property
    def topic_title(self) -> str:
        """`Siti R. · 3604********0003 · Barista`, within Telegram's 128 characters."""
        parts = [self.first_name, self.masked_nik] + ([self.courses[0][0]] if self.courses else [])
        return " · ".join(part for part in parts if part)[:128]


@dataclass(frozen=True, slots=True)
class HelpdeskFigures:
    opened: int
    closed: int
    still_open: int
    answered: int
    first_response_median_s: float | None
    first_response_p90_s: float | None
    oldest_open_since: datetime | None
    rating_mean: float | None
    ratings: int


def short_name(full_name: str | None) -> str:
    """ "Siti Rahayu Putri" -> "Siti R."."""
    words = (full_name or "").split()
    if not words:
        return ""
    return words[0] if len(words) == 1 else f"{words[0]} {words[1][0]}."


class HelpdeskStaffService:
    def __init__(self, store: Store, clock: Clock, staff: StaffService, helpdesk: HelpdeskService) -> None:
        self._store = store
        self._clock = clock
        self._staff = staff
        self._helpdesk = helpdesk

    async def may(self, staff_id: int, permission: str, attempt: str) -> bool:
        return await self._staff.permitted(staff_id, permission, attempt) is not None

    async def in_topic(self, group_chat_id: int, thread_id: int) -> Ticket | None:
        async with self._store.read() as unit:
            return await unit.tickets.in_topic(group_chat_id, thread_id)

    async def get(self, ticket_id: int) -> Ticket | None:
        async with self._store.read() as unit:
            return await unit.tickets.get(ticket_id)

    async def replied_to(self, staff_id: int, message_id: int) -> Ticket | None:
        """The ticket of a card or copy the bot sent to this staff member's private chat."""
        async with self._store.read() as unit:
            subject = await unit.outbox.subject_of_sent(staff_id, message_id)
            if subject is None or not subject.startswith("ticket:") or not subject[7:].isdigit():
                return None
            return await unit.tickets.get(int(subject[7:]))

    async def answer(self, staff_id: int, ticket: Ticket, answer: Answer, signature: str) -> Refusal | None:
        """Send a staff member's answer to the asker."""
        if not await self.may(staff_id, HELPDESK_ANSWER, "helpdesk:answer"):
            return Refusal("helpdesk-not-allowed")
        if ticket.telegram_user_id == 0:
            return Refusal("helpdesk-ticket-erased")
        now = self._clock.now()
        subject = ticket_subject(ticket.id)
        params: dict[str, object] = {"ticket": ticket.id, "signature": signature}
        async with self._store.write() as unit:
            number = await unit.tickets.get(ticket.id)
            count = 0 if number is None else number.messages_out
            common = {
                "telegram_user_id": ticket.telegram_user_id,
                "kind": ANSWER_KIND,
                "dedupe_key": f"{subject}:out:{count + 1}:{now.isoformat()}",
                "not_before": now,
                "now": now,
                "priority": ANSWER_PRIORITY,
                "subject": f"{subject}:asker",
            }
            if answer.copy_of is not None:
                params["caption"] = answer.caption_html or ""
                await unit.outbox.add(copy_of=answer.copy_of, params=params, **common)  # type: ignore[arg-type]
            else:
                params["html"] = answer.html or ""
                await unit.outbox.add(message_key="helpdesk-reply", params=params, **common)  # type: ignore[arg-type]
            await unit.tickets.answered(ticket.id, now)
            await unit.tickets.assign(ticket.id, ticket.assigned_to or staff_id)
        await self._staff.audit(staff_id, "helpdesk:answer", {"ticket": ticket.id})
        return None

    async def faq_answer(
        self, staff_id: int, ticket: Ticket, key: str, language: str, signature: str
    ) -> Refusal | None:
        """/jawab KUNCI: a saved answer of the FAQ, in the asker's language."""
        entry = self._helpdesk.faq.get(key)
        if entry is None:
            return Refusal("helpdesk-faq-unknown", {"key": key, "keys": ", ".join(self._helpdesk.faq.keys)})
        text = entry.answer.get(language) or next(iter(entry.answer.values()))
        return await self.answer(staff_id, ticket, Answer(html=html.escape(text)), signature)

    async def close(self, staff_id: int, ticket: Ticket) -> Refusal | None:
        if not await self.may(staff_id, HELPDESK_ANSWER, "helpdesk:close"):
            return Refusal("helpdesk-not-allowed")
        if ticket.status != OPEN:
            return Refusal("helpdesk-already-closed")
        async with self._store.write() as unit:
            await close_ticket(unit, ticket, staff_id, self._clock.now())
        await self._staff.audit(staff_id, "helpdesk:close", {"ticket": ticket.id})
        return None

    async def take(self, staff_id: int, ticket: Ticket) -> Refusal | None:
        """/ambil: the ticket is this staff member's."""
        if not await self.may(staff_id, HELPDESK_ANSWER, "helpdesk:take"):
            return Refusal("helpdesk-not-allowed")
        async with self._store.write() as unit:
            await unit.tickets.assign(ticket.id, staff_id)
        await self._staff.audit(staff_id, "helpdesk:take", {"ticket": ticket.id})
        return None

    async def note(self, staff_id: int, ticket: Ticket) -> Refusal | None:
        """/catatan: an internal note stays in the topic, never sent; the audit log records that one was made."""
        if not await self.may(staff_id, HELPDESK_READ, "helpdesk:note"):
            return Refusal("helpdesk-not-allowed")
        await self._staff.audit(staff_id, "helpdesk:note", {"ticket": ticket.id})
        return None

    async def start_reply(self, staff_id: int, ticket_id: int) -> Ticket | Refusal:
        """ "Balas" in a private chat: the staff member's next message goes to the asker."""
        if not await self.may(staff_id, HELPDESK_ANSWER, "helpdesk:answer"):
            return Refusal("helpdesk-not-allowed")
        async with self._store.write() as unit:
            ticket = await unit.tickets.get(ticket_id)
            if ticket is None or ticket.status != OPEN:
                return Refusal("helpdesk-already-closed")
            await unit.ticket_replies.start(staff_id, ticket_id, self._clock.now())
        return ticket

    async def stop_reply(self, staff_id: int) -> bool:
        """The staff member no longer replies to a ticket; whether they were."""
        async with self._store.write() as unit:
            return await unit.ticket_replies.stop(staff_id)

    async def open_tickets(self, staff_id: int) -> list[Ticket] | Refusal:
        """/tiket: open tickets, the one waiting longest first."""
        if not await self.may(staff_id, HELPDESK_READ, "helpdesk:list"):
            return Refusal("helpdesk-not-allowed")
        async with self._store.read() as unit:
            return await unit.tickets.open_ones(_OPEN_LIST)

    async def card(self, ticket_id: int) -> Card | None:
        """The card that opens a ticket's topic (or its message in a staff member's private chat)."""
        async with self._store.read() as unit:
            ticket = await unit.tickets.get(ticket_id)
            if ticket is None:
                return None
            participant = await unit.participants.by_telegram_id(ticket.telegram_user_id)
            earlier = sum(1 for t in await unit.tickets.of_person(ticket.telegram_user_id) if t.id < ticket.id)
            courses: list[tuple[str, str]] = []
            yes = no = 0
            if participant is not None:
                for enrollment in await unit.enrollments.of_participant(participant.id):
                    course = await unit.catalogue.course(enrollment.course_id)
                    courses.append((course.title if course is not None else "-", enrollment.status))
                    counts = await unit.enrollments.attendance_counts(enrollment.id)
                    yes += counts.get("yes", 0)
                    no += counts.get("no", 0)
        return Card(
            ticket_id=ticket.id,
            registered=participant is not None,
            first_name=short_name(participant.full_name if participant else None),
            masked_nik=(participant.nik_masked or "") if participant is not None else "",
            courses=tuple(courses),
            attendance_yes=yes,
            attendance_no=no,
            employment_status=participant.employment_status if participant is not None else None,
            earlier_tickets=earlier,
            asked_at=ticket.asked_at,
        )

    async def topic_made(self, ticket_id: int, group_chat_id: int, thread_id: int) -> None:
        async with self._store.write() as unit:
            await unit.tickets.set_topic(ticket_id, group_chat_id, thread_id)

    async def group_lost(self, unit: Unit, group_chat_id: int, failed: list[OutboxMessage], reason: str) -> None:
        """Telegram refused the group (the bot removed, no rights, the chat gone): its tickets move to the staff's
        private chats, with what was still to be copied there, and the admins are told once a day."""
        moved = await unit.tickets.to_private_chats(group_chat_id)
        await self._reroute(unit, group_chat_id, moved, failed)
        now = self._clock.now()
        for admin in await self._helpdesk.staff_with(unit, MANAGE_STAFF):
            await unit.outbox.add(
                telegram_user_id=admin,
                kind=ALERT_KIND,
                dedupe_key=f"helpdesk-group-lost:{group_chat_id}:{admin}:{now.date().isoformat()}",
                not_before=now,
                now=now,
                message_key="helpdesk-group-lost",
                params={"group": group_chat_id, "tickets": len(moved), "reason": reason[:200]},
                priority=ANSWER_PRIORITY,
            )

    async def topic_lost(self, unit: Unit, ticket_id: int, group_chat_id: int, failed: list[OutboxMessage]) -> None:
        """The ticket's topic is gone (deleted by hand): the ticket moves to the staff's private chats."""
        await unit.tickets.to_private_chat(ticket_id)
        await self._reroute(unit, group_chat_id, [ticket_id], failed)

    async def _reroute(self, unit: Unit, group_chat_id: int, tickets: list[int], failed: list[OutboxMessage]) -> None:
        now = self._clock.now()
        rows = list(failed)
        for ticket_id in tickets:
            rows += await unit.outbox.waiting_for(group_chat_id, ticket_subject(ticket_id))
        for ticket_id in tickets:  # the staff see the ticket afresh in their private chats: its card first
            ticket = await unit.tickets.get(ticket_id)
            if ticket is None or ticket.status != OPEN:
                continue
            for target in await self._helpdesk.staff_targets(unit, ticket):
                await queue_card(unit, target, ticket_id, f"{ticket_subject(ticket_id)}:card:moved:{target}", now)
        seen: set[int] = set()
        for row in sorted(rows, key=lambda r: r.id):
            if row.id in seen:
                continue
            seen.add(row.id)
            await unit.outbox.mark_failed(row.id, "moved to staff private chats", status="cancelled")
            if row.kind != RELAY_KIND:  # the card is made afresh above; topic actions have no topic left
                continue
            ticket = await unit.tickets.get(int(row.params.get("ticket", 0)))
            if ticket is None:
                continue
            copy = None if row.copy_from_chat_id is None else (row.copy_from_chat_id, row.copy_message_id or 0)
            for target in await self._helpdesk.staff_targets(unit, ticket):
                await unit.outbox.add(
                    telegram_user_id=target,
                    kind=row.kind,
                    dedupe_key=f"{row.dedupe_key}:to:{target}",
                    not_before=now,
                    now=now,
                    message_key=row.message_key,
                    params=row.params,
                    copy_of=copy,
                    subject=ticket_subject(ticket.id),
                )

    async def figures(self, since: datetime, until: datetime) -> HelpdeskFigures:
        async with self._store.read() as unit:
            raw: TicketFigures = await unit.tickets.figures(since, until)
        times = sorted(raw.first_response_s)
        return HelpdeskFigures(
            opened=raw.opened,
            closed=raw.closed,
            still_open=raw.still_open,
            answered=len(times),
            first_response_median_s=statistics.median(times) if times else None,
            first_response_p90_s=_percentile(times, 0.9) if times else None,
            oldest_open_since=raw.oldest_open_since,
            rating_mean=statistics.fmean(raw.ratings) if raw.ratings else None,
            ratings=len(raw.ratings),
        )


def _percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    index = max(0, min(len(ordered) - 1, int(-(-share * len(ordered) // 1)) - 1))
    return ordered[index]


def waiting_for(ticket: Ticket, now: datetime) -> timedelta:
    """How long the asker has been waiting (since the question)."""
    return now - (ticket.asked_at or ticket.opened_at)
