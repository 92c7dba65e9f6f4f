"""Erasing a person: /hapusdata, and the retention job when the promised time is over (bot/services/retention.py).
Both call `Eraser.erase` inside their own transaction, so the two cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.logs import user_hash
from bot.services.enrollment import release_seats
from bot.services.helpdesk import ALERT_KIND, CARD_KIND, RELAY_KIND, TOPIC_KIND, HelpdeskService, ticket_subject
from bot.services.operations import ALERT_KIND as ERROR_ALERT_KIND
from bot.services.reminders import ReminderPlanner
from bot.services.reports import WEEKLY_KIND
from bot.services.surveys import SurveyService
from bot.storage.store import Unit

# What a staff member gets as staff: other people's tickets (cards, copies, topic actions), alerts, the weekly
# report. A staff member who also registered as a participant and erases that keeps these rows (answering a ticket
# by replying to its copy needs them; they are the staff member's work, not their personal data).
STAFF_KINDS = (CARD_KIND, RELAY_KIND, TOPIC_KIND, ALERT_KIND, ERROR_ALERT_KIND, WEEKLY_KIND)


@dataclass(frozen=True, slots=True)
class Erasure:
    """What an erasure removed."""

    participant_erased: bool
    draft_erased: bool

    @property
    def anything(self) -> bool:
        return self.participant_erased or self.draft_erased


class Eraser:
    """Every table and column that holds a person's data or what they typed, and what erasure does with it.

    - participants: full_name, nik, birth_date, kpj, phone (sealed), their blind indexes and masked NIK, regency,
      last_employer and telegram_user_id are emptied; phk_date keeps its month only. Kept, without identity, for
      the statistics: gender, birth_year, province_code, education, needs_verification, employment_status,
      wants_vacancies, consent and registration times, and the flags (announcements_off_at, unreachable_*,
      retention_*, erased_at).
    - dialogs (a registration draft or profile edit: data holds the answers typed so far): deleted.
    - user_preferences (the language chosen): deleted.
    - enrollments: live ones cancelled (the seat goes to the waitlist, reminders withdrawn); the rows stay,
      linked to the anonymous participant row only. attendance (intent per session) stays the same way, and so
      does session_presence (real attendance: status, QR or roll call, whether the venue's location was checked,
      the time; never the participant's coordinates), for the attendance figures.
    - survey_runs: open runs cancelled and their pending messages withdrawn; the rows stay. survey_answers:
      free-text answers (kind 'text': may name employers, people, places) deleted; choices, numbers, months and
      ratings stay. employment_checkins (the status per wave) stay.
    - outbox: everything still waiting for the person is withdrawn (broadcast copies, reminders, "jadwal berubah",
      course completed, surveys, help-desk answers); then every row to them is deleted (subjects and dedupe keys
      such as enrollment:<id> or survey:<run> lead back to the participant row; params hold course titles and,
      until sent, staff answers), except broadcast copies, kept for the broadcast's figures with recipient 0 and a
      dedupe key of their own; and the copies of their help-desk messages (copy_from_chat_id = their chat) are
      deleted (OutboxRepository.forget_recipient). What they got as staff, if they are staff (STAFF_KINDS), stays.
    - tickets: closed and unlinked (telegram_user_id 0); their topics deleted with the copies of what the person
      wrote, copies in staff private chats deleted, pending copies withdrawn, ticket_replies to them dropped
      (HelpdeskService.forget). Times, counts and the rating stay for the help-desk figures.
    - audit_log: the person's own entries (refused attempts at staff tools, recorded by pseudonym) deleted;
      staff entries about them hold participant ids and counts only, which lead to the anonymous row.
    - certificates: the rows stay (the number must still answer a verification), marked participant_erased_at,
      and a revocation's reason is cleared (staff may have named the person); a certificate never held the name,
      which was read from the participant. Verifying one then says its holder erased their data, nothing more.
      Its PDF still waiting in the outbox goes with the rest of the person's outbox rows.
    - vacancy_applications ("Saya tertarik"): marked participant_erased_at and withdrawn, so the person is off
      every applicant list for good (the list opened their name and phone from the participant row, now empty);
      ids, statuses and times stay for the funnel figures. What staff already passed to an employer is beyond
      the bot's reach, as the consent text says. vacancy_deliveries (which vacancy was sent to whom): ids and
      times only, kept the same way.
    - seen_updates: update ids and times only, no person; pruned after a day.
    - broadcasts, staff, courses, course_sessions, institutes, attendance_codes (random codes of a session's QR,
      made by a staff member), vacancies, vacancy_categories: nothing of a participant's.
    - logs: never a person's data (bot/logs.py), only a keyed hash of the Telegram id.
    """

    def __init__(
        self, clock: Clock, planner: ReminderPlanner, surveys: SurveyService, helpdesk: HelpdeskService
    ) -> None:
        self._clock = clock
        self._planner = planner
        self._surveys = surveys
        self._helpdesk = helpdesk

    async def erase(self, unit: Unit, telegram_user_id: int) -> Erasure:
        """Erase everything of the person's at once, in the caller's transaction (see the class docstring)."""
        now = self._clock.now()
        participant = await unit.participants.by_telegram_id(telegram_user_id)
        if participant is not None:
            await release_seats(unit, participant.id, now, self._planner)
            await self._surveys.cancel_for(unit, participant.id)
            await unit.certificates.mark_erased(participant.id, now)
            await unit.vacancies.forget_participant(participant.id, now)
            await unit.participants.erase(participant.id, now)
        tickets = await self._helpdesk.forget(unit, telegram_user_id)
        draft_erased = await unit.dialogs.delete(telegram_user_id)
        await unit.preferences.forget(telegram_user_id)
        # Last: what the steps above withdrew or queued to the person is gone with the rest.
        await unit.outbox.forget_recipient(
            telegram_user_id, [ticket_subject(ticket.id) for ticket in tickets], staff_kinds=STAFF_KINDS
        )
        await unit.staff.forget_pseudonym(user_hash(telegram_user_id))
        return Erasure(participant_erased=participant is not None, draft_erased=draft_erased)
