"""What a person is in the middle of: the broadcast draft, dialog or survey waiting for their answer, read once per
message so that one table in the handlers (bot/handlers/dispatch.py) can send the message to its owner.

Usually one thing waits; when several do (a staff member composing an announcement while editing their own
profile), `Situation.waiting` lists them most pressing first. The same read says whether the person is registered
and which staff role they hold, which the answers given when nothing waits depend on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.services.staff import ADMIN, PERMISSIONS
from bot.services.staff_prompts import PROMPT_TIMEOUT
from bot.services.survey_catalog import SurveyCatalog
from bot.storage.store import Store


class Kind(StrEnum):
    """What waits, named for the answer it waits for."""

    # A staff member's broadcast draft: the announcement to send, or the date and time to send it at.
    ANNOUNCEMENT = "announcement"
    SEND_TIME = "send_time"
    # The registration or profile-edit dialog: the answer to its question.
    DIALOG = "dialog"
    # A running survey: the answer to its question.
    SURVEY = "survey"
    # The help desk: the question the person was asked for ("Tanya Petugas"), what they add while their ticket is
    # open, and a staff member's answer after "Balas" on a ticket in their private chat.
    QUESTION = "question"
    TICKET = "ticket"
    STAFF_REPLY = "staff_reply"
    # A staff command sent without its argument (/cari alone): the argument (bot/services/staff_prompts.py).
    STAFF_ARGUMENT = "staff_argument"


# Most pressing first. A staff command's question was asked by the very last message; /siaran, "Balas" and
# "Tanya Petugas" were chosen last of all and ask for the very next message;
# a dialog's questions come before a survey's, which waits (a participant editing their profile mid-survey finishes
# the edit first); an open ticket takes what nothing else waits for.
PRECEDENCE = (
    Kind.STAFF_ARGUMENT,
    Kind.ANNOUNCEMENT,
    Kind.SEND_TIME,
    Kind.STAFF_REPLY,
    Kind.QUESTION,
    Kind.DIALOG,
    Kind.SURVEY,
    Kind.TICKET,
)
_TICKET_STATUSES = {"asking": Kind.QUESTION, "open": Kind.TICKET}

# The broadcast draft steps that wait for a message (at 'audience' the staff member presses buttons).
_DRAFT_STEPS = {"message": Kind.ANNOUNCEMENT, "time": Kind.SEND_TIME}


@dataclass(frozen=True, slots=True)
class Pending:
    """One thing waiting for the person's answer, with the id its owner needs (the broadcast draft, the survey
    run, the ticket; a dialog is the person's own, keyed by their Telegram id)."""

    kind: Kind
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Situation:
    """What one read says about the person a message comes from."""

    waiting: tuple[Pending, ...]
    registered: bool
    role: str | None

    def may(self, permission: str) -> bool:
        """Whether the person's staff role allows `permission` (bot/services/staff.py)."""
        return self.role is not None and permission in PERMISSIONS[self.role]


class PendingService:
    def __init__(
        self,
        store: Store,
        admin_ids: frozenset[int],
        catalog: SurveyCatalog,
        clock: Clock | None = None,
        reopen_within: timedelta = timedelta(0),
    ) -> None:
        self._clock = clock
        self._reopen_within = reopen_within
        self._store = store
        self._admin_ids = admin_ids
        self._catalog = catalog

    async def situation(self, user_id: int) -> Situation:
        """What waits for the person's answer, whether they are registered, and their staff role: one read."""
        async with self._store.read() as unit:
            found = await unit.pending.outstanding(user_id)
        role = ADMIN if user_id in self._admin_ids else found.staff_role
        waiting: list[Pending] = []
        draft_kind = _DRAFT_STEPS.get(found.draft_step or "")
        # Someone removed from the staff keeps their draft row, but it no longer waits for them.
        if found.draft_id is not None and draft_kind is not None and role is not None:
            waiting.append(Pending(draft_kind, found.draft_id))
        if found.dialog_flow is not None:
            waiting.append(Pending(Kind.DIALOG))
        # A run of a survey whose definition was taken out of data/surveys/ cannot be asked.
        if found.survey_run_id is not None and self._catalog.get(found.survey or "") is not None:
            waiting.append(Pending(Kind.SURVEY, found.survey_run_id))
        ticket_kind = _TICKET_STATUSES.get(found.ticket_status or "")
        closed_at = found.ticket_closed_at
        if closed_at is not None and self._clock is not None and self._clock.now() - closed_at <= self._reopen_within:
            ticket_kind = Kind.TICKET  # closed lately: a new message reopens it
        if found.ticket_id is not None and ticket_kind is not None:
            waiting.append(Pending(ticket_kind, found.ticket_id))
        if found.replying_to is not None and role is not None:
            waiting.append(Pending(Kind.STAFF_REPLY, found.replying_to))
        asked_at = found.prompt_asked_at
        prompt_live = asked_at is not None and (self._clock is None or self._clock.now() - asked_at <= PROMPT_TIMEOUT)
        if found.prompt_command is not None and prompt_live and role is not None:
            waiting.append(Pending(Kind.STAFF_ARGUMENT))
        waiting.sort(key=lambda pending: PRECEDENCE.index(pending.kind))
        return Situation(tuple(waiting), registered=found.participant_id is not None, role=role)
