"""The life of a survey run. Surveys are planned when a course is completed (satisfaction now, employment check-ins
+N days later at a set hour in the participant's zone). A participant has at most one run active; when none is,
the oldest due one starts: its first question goes through the outbox at the end of quiet hours with an expiry
and a nudge a few days later. Finishing or expiring a run withdraws its pending messages and lets the next due run
take its turn; erasing a participant's data cancels all of theirs. `tick()`, run every minute, expires what is late
and starts what is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.services.reminders import ReminderPlanner
from bot.services.survey_catalog import EMPLOYMENT, SATISFACTION, SurveyCatalog
from bot.services.survey_prompts import Prompt, prompt_for
from bot.storage.db import to_db_time
from bot.storage.outbox import NewOutboxMessage
from bot.storage.participants import Participant
from bot.storage.store import Store, Unit
from bot.storage.surveys import CANCELLED, DueRun, NewRun, SurveyRun

# Survey messages outrank bulk announcements, and give way to session reminders.
SURVEY_PRIORITY = 5
COMPLETION_WAVE = "completion"
# How many runs one tick transaction handles before committing and taking the next batch.
TICK_BATCH = 200


@dataclass(frozen=True, slots=True)
class Lead:
    """A text the first question of the enrolment's survey opens with (the congratulation on completion)."""

    enrollment_id: int
    key: str
    params: dict[str, str]


class SurveyRuns:
    """Planning, starting and closing the participants' survey runs; SurveyService adds the answering."""

    def __init__(
        self, store: Store, catalog: SurveyCatalog, settings: Settings, clock: Clock, planner: ReminderPlanner
    ) -> None:
        self.catalog = catalog
        self._store = store
        self._clock = clock
        self._planner = planner
        self._expiry = timedelta(days=settings.survey_expiry_days)
        self._nudge_after = timedelta(days=settings.survey_nudge_after_days)
        self._checkin_days = settings.checkin_days
        self._checkin_at = settings.checkin_at
        self.tick_batch = TICK_BATCH

    # ------------------------------------------------------------------ planning

    def completion_runs(self, participant: Participant, enrollment_id: int, completed_at: datetime) -> list[NewRun]:
        """The satisfaction survey now, and a check-in N days later at CHECKIN_AT in the participant's zone (moved
        out of quiet hours)."""
        zone = self._planner.zone_of(participant)
        runs = [NewRun(participant.id, SATISFACTION, COMPLETION_WAVE, enrollment_id, completed_at)]
        local_day = completed_at.astimezone(zone).date()
        for days in self._checkin_days:
            due = datetime.combine(local_day + timedelta(days=days), self._checkin_at, zone)
            due = self._planner.quiet.next_allowed(due, zone)
            runs.append(NewRun(participant.id, EMPLOYMENT, f"d{days}", enrollment_id, due))
        return runs

    async def plan_completion(self, unit: Unit, participant: Participant, enrollment_id: int, title: str) -> None:
        """After a completion: plan the surveys and start the satisfaction survey, its first question opening with
        the congratulation (or congratulate on its own when another survey is running)."""
        now = self._clock.now()
        await unit.surveys.plan(self.completion_runs(participant, enrollment_id, now), now)
        lead = Lead(enrollment_id, "course-completed", {"title": title})
        started = await self._start_next(unit, participant, now, lead)
        if participant.telegram_user_id is not None and (started is None or started.enrollment_id != enrollment_id):
            await unit.outbox.add(
                telegram_user_id=participant.telegram_user_id,
                kind="course_completed",
                message_key=lead.key,
                params=lead.params,
                dedupe_key=f"course-completed:{enrollment_id}",
                not_before=self._planner.quiet.next_allowed(now, self._planner.zone_of(participant)),
                now=now,
                priority=SURVEY_PRIORITY,
            )

    async def cancel_for(self, unit: Unit, participant_id: int) -> None:
        """The participant erases their data: no more surveys, nothing pending, free-text answers gone."""
        for run_id in await unit.surveys.cancel_open(participant_id, self._clock.now()):
            await unit.outbox.cancel_pending(run_subject(run_id), keep=set())
        await unit.surveys.erase_free_text(participant_id)

    # ------------------------------------------------------------------ time passing

    async def tick(self) -> int:
        """Expire running surveys past their time, then start the surveys due; returns how many changed.

        Set-based, a batch of `tick_batch` runs per transaction: one statement expires a batch, one withdraws its
        messages, one reads the next survey due of each of those participants, one starts them and one queues their
        questions and nudges. A started run is active, so a tick interrupted between batches (a crash) starts
        nothing twice: the next tick takes up what is left.
        """
        changed = 0
        while True:
            now = self._clock.now()
            async with self._store.write() as unit:
                expired = await unit.surveys.expire_overdue(now, self.tick_batch)
                await unit.outbox.cancel_subjects([run_subject(run_id) for run_id, _ in expired])
                if expired:
                    waiting: list[int] = []
                    await self._start_due(unit, [participant_id for _, participant_id in expired], now)
                else:
                    waiting = await unit.surveys.waiting_participants(now, self.tick_batch)
                    await self._start_due(unit, waiting, now, cancel_unreachable=True)
            changed += len(expired) + len(waiting)
            if not expired and len(waiting) < self.tick_batch:
                return changed

    async def _start_due(
        self, unit: Unit, participant_ids: list[int], now: datetime, *, cancel_unreachable: bool = False
    ) -> None:
        """`_start_next` for many participants at once; with `cancel_unreachable`, the surveys of someone no longer
        reachable (erased) are cancelled, as the waiting participants' are."""
        while participant_ids:
            ready: list[DueRun] = []
            unknown: list[DueRun] = []
            for due in await unit.surveys.first_due(participant_ids, now):
                if due.telegram_user_id is None:
                    if cancel_unreachable:
                        await self.cancel_for(unit, due.run.participant_id)
                elif self.catalog.get(due.run.survey) is None:  # its definition file was removed
                    unknown.append(due)
                else:
                    ready.append(due)
            starts: list[tuple[int, str, datetime]] = []
            messages: list[NewOutboxMessage] = []
            for due in ready:
                survey = self.catalog[due.run.survey]
                question = survey.question(due.run.question or "") or survey.questions[0]
                zone = self._planner.zone_for(due.province_code)
                asked_at, expires_at = self._timing(now, zone, send=True)
                starts.append((due.run.id, question.id, expires_at))
                messages += self._messages(
                    due.run, due.telegram_user_id or 0, zone, question.id, due.answered + 1, due.course_title,
                    now, asked_at, expires_at, send=True,
                )  # fmt: skip
            await unit.surveys.start_many(starts, now)
            await unit.outbox.add_many(messages, now)
            # The next due survey of those whose oldest had no definition any more.
            await unit.surveys.finish_many([due.run.id for due in unknown], CANCELLED, now)
            participant_ids = [due.run.participant_id for due in unknown]

    async def _close(self, unit: Unit, run: SurveyRun, status: str, now: datetime) -> None:
        """Finish the run, withdraw its pending messages, and let the next survey due take its turn."""
        await unit.surveys.finish(run.id, status, now)
        await unit.outbox.cancel_pending(run_subject(run.id), keep=set())
        participant = await unit.participants.by_id(run.participant_id)
        if participant is not None:
            await self._start_next(unit, participant, now)

    async def _start_next(
        self, unit: Unit, participant: Participant, now: datetime, lead: Lead | None = None
    ) -> SurveyRun | None:
        """Start the participant's oldest due survey if none is running; its first question goes by the outbox."""
        if participant.telegram_user_id is None or await unit.surveys.active(participant.id) is not None:
            return None
        while (run := await unit.surveys.next_due(participant.id, now)) is not None:
            if self.catalog.get(run.survey) is None:  # its definition file was removed
                await unit.surveys.finish(run.id, CANCELLED, now)
                continue
            opening = lead if lead is not None and lead.enrollment_id == run.enrollment_id else None
            await self._activate(unit, participant, run, now, send=True, lead=opening)
            return run
        return None

    async def _activate(
        self,
        unit: Unit,
        participant: Participant,
        run: SurveyRun,
        now: datetime,
        *,
        send: bool,
        lead: Lead | None = None,
    ) -> Prompt:
        """Make the run the running survey (a paused one resumes at its question), planning its expiry and nudge.

        With `send`, the question is queued for the end of quiet hours and the clock starts then.
        """
        assert participant.telegram_user_id is not None
        survey = self.catalog[run.survey]
        question = survey.question(run.question or "") or survey.questions[0]
        zone = self._planner.zone_of(participant)
        asked_at, expires_at = self._timing(now, zone, send=send)
        await unit.surveys.start(run.id, question.id, now, expires_at)
        prompt = await prompt_for(unit, self.catalog, await _reloaded(unit, run.id))
        messages = self._messages(
            run, participant.telegram_user_id, zone, question.id, prompt.number, prompt.course_title,
            now, asked_at, expires_at, send=send, lead=lead,
        )  # fmt: skip
        await unit.outbox.add_many(messages, now)
        return prompt

    def _timing(self, now: datetime, zone: ZoneInfo, *, send: bool) -> tuple[datetime, datetime]:
        """When the first question is asked (a sent one at the end of quiet hours), and when the run expires."""
        asked_at = self._planner.quiet.next_allowed(now, zone) if send else now
        return asked_at, asked_at + self._expiry

    def _messages(
        self,
        run: SurveyRun,
        recipient: int,
        zone: ZoneInfo,
        question: str,
        number: int,
        title: str | None,
        now: datetime,
        asked_at: datetime,
        expires_at: datetime,
        *,
        send: bool,
        lead: Lead | None = None,
    ) -> list[NewOutboxMessage]:
        """The outbox rows of a run that starts: its question (when sent) and the nudge, if due before expiry."""
        common = {"run_id": run.id, "survey": run.survey, "title": title}
        messages = []
        if send:
            messages.append(
                NewOutboxMessage(
                    telegram_user_id=recipient,
                    kind="survey_question",
                    message_key="survey-question",
                    params={
                        **common,
                        "question": question,
                        "number": number,
                        "lead": None if lead is None else {"key": lead.key, "params": lead.params},
                    },
                    dedupe_key=f"survey:{run.id}:ask:{question}:{to_db_time(now)}",
                    not_before=asked_at,
                    priority=SURVEY_PRIORITY,
                    expires_at=expires_at,
                    subject=run_subject(run.id),
                )
            )
        nudge_at = self._planner.quiet.next_allowed(asked_at + self._nudge_after, zone)
        if nudge_at < expires_at:
            messages.append(
                NewOutboxMessage(
                    telegram_user_id=recipient,
                    kind="survey_nudge",
                    message_key="survey-nudge",
                    params=common,
                    dedupe_key=f"survey:{run.id}:nudge:{to_db_time(asked_at)}",
                    not_before=nudge_at,
                    priority=SURVEY_PRIORITY,
                    expires_at=expires_at,
                    subject=run_subject(run.id),
                )
            )
        return messages


async def _reloaded(unit: Unit, run_id: int) -> SurveyRun:
    run = await unit.surveys.get(run_id)
    assert run is not None
    return run


def run_subject(run_id: int) -> str:
    """Outbox subject of a run's messages (question, nudge), so they can be withdrawn together."""
    return f"survey:{run_id}:"
