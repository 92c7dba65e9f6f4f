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

from bot.clock import Clock
from bot.config import Settings
from bot.services.reminders import ReminderPlanner
from bot.services.survey_catalog import EMPLOYMENT, SATISFACTION, SurveyCatalog
from bot.services.survey_prompts import Prompt, prompt_for
from bot.storage.db import to_db_time
from bot.storage.participants import Participant
from bot.storage.store import Store, Unit
from bot.storage.surveys import CANCELLED, EXPIRED, NewRun, SurveyRun

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
        """Expire running surveys past their time, then start the surveys due; returns how many changed."""
        changed = 0
        while True:
            now = self._clock.now()
            async with self._store.write() as unit:
                overdue = await unit.surveys.overdue(now, TICK_BATCH)
                for run in overdue:
                    await self._close(unit, run, EXPIRED, now)
                waiting = [] if overdue else await unit.surveys.waiting_participants(now, TICK_BATCH)
                for participant_id in waiting:
                    participant = await unit.participants.by_id(participant_id)
                    if participant is None or participant.telegram_user_id is None:
                        await self.cancel_for(unit, participant_id)
                    else:
                        await self._start_next(unit, participant, now)
            changed += len(overdue) + len(waiting)
            if not overdue and len(waiting) < TICK_BATCH:
                return changed

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
        asked_at = self._planner.quiet.next_allowed(now, zone) if send else now
        expires_at = asked_at + self._expiry
        await unit.surveys.start(run.id, question.id, now, expires_at)
        prompt = await prompt_for(unit, self.catalog, await _reloaded(unit, run.id))
        common = {"run_id": run.id, "survey": survey.id, "title": prompt.course_title}
        if send:
            await unit.outbox.add(
                telegram_user_id=participant.telegram_user_id,
                kind="survey_question",
                message_key="survey-question",
                params={
                    **common,
                    "question": question.id,
                    "number": prompt.number,
                    "lead": None if lead is None else {"key": lead.key, "params": lead.params},
                },
                dedupe_key=f"survey:{run.id}:ask:{question.id}:{to_db_time(now)}",
                not_before=asked_at,
                now=now,
                priority=SURVEY_PRIORITY,
                expires_at=expires_at,
                subject=run_subject(run.id),
            )
        nudge_at = self._planner.quiet.next_allowed(asked_at + self._nudge_after, zone)
        if nudge_at < expires_at:
            await unit.outbox.add(
                telegram_user_id=participant.telegram_user_id,
                kind="survey_nudge",
                message_key="survey-nudge",
                params=common,
                dedupe_key=f"survey:{run.id}:nudge:{to_db_time(asked_at)}",
                not_before=nudge_at,
                now=now,
                priority=SURVEY_PRIORITY,
                expires_at=expires_at,
                subject=run_subject(run.id),
            )
        return prompt


async def _reloaded(unit: Unit, run_id: int) -> SurveyRun:
    run = await unit.surveys.get(run_id)
    assert run is not None
    return run


def run_subject(run_id: int) -> str:
    """Outbox subject of a run's messages (question, nudge), so they can be withdrawn together."""
    return f"survey:{run_id}:"
