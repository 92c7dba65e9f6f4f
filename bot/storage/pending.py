"""What of one person's may be waiting for their answer, read in one statement: their latest broadcast draft (staff),
their registration or profile dialog, their running survey, their help-desk ticket (and, for staff, the ticket
they are replying to and a staff command's question for its missing argument), and whether they are a participant
or staff.

The rows say what is stored; which of them really waits (a draft at the audience step does not, a survey whose
definition was removed does not) is the service's rule (bot/services/pending.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Session, from_db_time

# One row per thing found, tagged by what it is; a person has at most one of each (the latest draft; the primary
# key of dialogs and staff; the unique telegram_user_id and the one active run per participant).
_OUTSTANDING = (
    "SELECT 'draft' AS what, b.id AS id, b.step AS detail"
    " FROM (SELECT id, step FROM broadcasts WHERE created_by = ? AND status = 'draft'"
    " ORDER BY id DESC LIMIT 1) AS b"
    " UNION ALL SELECT 'dialog', NULL, flow FROM dialogs WHERE telegram_user_id = ?"
    " UNION ALL SELECT 'survey', r.id, r.survey FROM survey_runs AS r"
    " JOIN participants AS p ON p.id = r.participant_id WHERE p.telegram_user_id = ? AND r.status = 'active'"
    " UNION ALL SELECT 'participant', id, NULL FROM participants WHERE telegram_user_id = ?"
    " UNION ALL SELECT 'staff', NULL, role FROM staff WHERE telegram_user_id = ?"
    # The latest ticket: one still asking or open, or one closed lately (a new message reopens it).
    " UNION ALL SELECT 'ticket', t.id, t.status || ' ' || CASE WHEN t.asked_at IS NULL THEN '' ELSE"
    " COALESCE(t.closed_at, '') END FROM (SELECT id, status, asked_at, closed_at FROM tickets"
    " WHERE telegram_user_id = ? ORDER BY id DESC LIMIT 1) AS t"
    " UNION ALL SELECT 'replying', ticket_id, NULL FROM ticket_replies WHERE staff_telegram_id = ?"
    # A staff command's question for its missing argument (bot/storage/staff_prompts.py), and when it was asked.
    " UNION ALL SELECT 'prompt', NULL, command || ' ' || asked_at FROM staff_prompts WHERE telegram_user_id = ?"
)


@dataclass(frozen=True, slots=True)
class Outstanding:
    """One person's open items as stored; None where they have none."""

    draft_id: int | None = None
    # What the draft waits for: 'message', 'audience' or 'time'.
    draft_step: str | None = None
    # 'registration' or 'profile'.
    dialog_flow: str | None = None
    survey_run_id: int | None = None
    survey: str | None = None
    participant_id: int | None = None
    # The role stored in the staff table (ADMIN_IDS are the service's to add).
    staff_role: str | None = None
    # The person's latest help-desk ticket: 'asking' (waits for the question), 'open' or 'closed' (and when, if it
    # was ever asked).
    ticket_id: int | None = None
    ticket_status: str | None = None
    ticket_closed_at: datetime | None = None
    # The ticket a staff member pressed "Balas" on in their private chat.
    replying_to: int | None = None
    # The staff command waiting for its argument, and when it asked.
    prompt_command: str | None = None
    prompt_asked_at: datetime | None = None


class PendingRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def outstanding(self, telegram_user_id: int) -> Outstanding:
        rows = await self._s.fetchall(_OUTSTANDING, (telegram_user_id,) * 8)
        found = {row["what"]: (row["id"], row["detail"]) for row in rows}
        draft_id, draft_step = found.get("draft", (None, None))
        _, dialog_flow = found.get("dialog", (None, None))
        run_id, survey = found.get("survey", (None, None))
        participant_id, _ = found.get("participant", (None, None))
        _, staff_role = found.get("staff", (None, None))
        ticket_id, ticket_state = found.get("ticket", (None, " "))
        ticket_status, _, closed_at = str(ticket_state).partition(" ")
        replying_to, _ = found.get("replying", (None, None))
        _, prompt = found.get("prompt", (None, None))
        prompt_command, _, prompt_asked_at = str(prompt or "").partition(" ")
        return Outstanding(
            draft_id=draft_id,
            draft_step=draft_step,
            dialog_flow=dialog_flow,
            survey_run_id=run_id,
            survey=survey,
            participant_id=participant_id,
            staff_role=staff_role,
            ticket_id=ticket_id,
            ticket_status=ticket_status or None,
            ticket_closed_at=from_db_time(closed_at) if closed_at else None,
            replying_to=replying_to,
            prompt_command=prompt_command or None,
            prompt_asked_at=from_db_time(prompt_asked_at) if prompt_asked_at else None,
        )
