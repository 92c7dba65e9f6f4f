"""Asking surveys: one question at a time, every answer saved as it is given.

A participant has at most one survey running (`active`); others wait their turn (`scheduled`) and start, oldest
first, when the running one is finished or expires. A survey that starts on its own (after completion, a check-in
wave) sends its first question through the outbox, with a nudge planned a few days later; one the participant asks
for ("Status Kerja") is answered directly. `tick()`, run every minute, starts what is due and expires what is late.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.services.reminders import ReminderPlanner
from bot.services.survey_catalog import (
    EMPLOYMENT,
    EMPLOYMENT_FIELD,
    RATING_SCALE,
    SATISFACTION,
    Question,
    Survey,
    SurveyCatalog,
)
from bot.services.validation import ValidationError, parse_date, parse_month
from bot.storage.db import to_db_time
from bot.storage.participants import Participant
from bot.storage.store import Store, Unit
from bot.storage.surveys import ACTIVE, CANCELLED, COMPLETED, EXPIRED, SELF_REPORTED, NewRun, SurveyRun

# Survey messages outrank bulk announcements, and give way to session reminders.
SURVEY_PRIORITY = 5
COMPLETION_WAVE = "completion"
# How many runs one tick transaction handles before committing and taking the next batch.
TICK_BATCH = 200
SKIP = "s"
DONE = "ok"
TOGGLE = "t"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SurveyRefusal:
    """Nothing changed: the button is from a survey that is over, or from a question already answered."""

    key: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question to show: `number` is its place on the participant's path through the survey."""

    run_id: int
    survey: Survey
    question: Question
    number: int
    selection: tuple[str, ...] = ()
    course_title: str | None = None


@dataclass(frozen=True, slots=True)
class Finished:
    survey: Survey


@dataclass(frozen=True, slots=True)
class Accepted:
    """The answer was saved; `following` is the next question, or the end of the survey."""

    answered: Prompt
    value: Any
    following: Prompt | Finished


@dataclass(frozen=True, slots=True)
class Rejected:
    """The answer does not fit the question: why (a message key), and the same question again."""

    key: str
    params: dict[str, str]
    prompt: Prompt


@dataclass(frozen=True, slots=True)
class Toggled:
    """A multiple-choice option was ticked or unticked; the same question with the new selection."""

    prompt: Prompt


@dataclass(frozen=True, slots=True)
class Lead:
    """A text the first question of the enrolment's survey opens with (the congratulation on completion)."""

    enrollment_id: int
    key: str
    params: dict[str, str]


class SurveyService:
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
            await unit.outbox.cancel_pending(_subject(run_id), keep=set())
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

    # ------------------------------------------------------------------ the participant

    async def current(self, user_id: int) -> Prompt | None:
        """The question the person is being asked, if a survey is running."""
        async with self._store.read() as unit:
            found = await self._running(unit, user_id)
            return None if found is None else await self._prompt(unit, found[1])

    async def report_status(self, user_id: int) -> Prompt | SurveyRefusal:
        """ "Status Kerja": a check-in the person starts themselves. A running check-in simply continues; another
        running survey waits its turn again, where it was."""
        now = self._clock.now()
        async with self._store.write() as unit:
            participant = await unit.participants.by_telegram_id(user_id)
            if participant is None:
                return SurveyRefusal("not-registered")
            running = await unit.surveys.active(participant.id)
            if running is not None and running.survey == EMPLOYMENT:
                return await self._prompt(unit, running)
            if running is not None:
                await unit.surveys.pause(running.id)
                await unit.outbox.cancel_pending(_subject(running.id), keep=set())
            run = await unit.surveys.create(NewRun(participant.id, EMPLOYMENT, SELF_REPORTED, None, now), now)
            return await self._activate(unit, participant, run, now, send=False)

    async def resume(self, user_id: int, run_id: int) -> Prompt | SurveyRefusal:
        """The nudge's button: the question the survey is at."""
        async with self._store.read() as unit:
            found = await self._own_run(unit, user_id, run_id)
            return found if isinstance(found, SurveyRefusal) else await self._prompt(unit, found[1])

    async def answer_text(self, user_id: int, text: str) -> Accepted | Rejected | None:
        """A typed answer to the running survey; None when no survey is running."""
        now = self._clock.now()
        async with self._store.write() as unit:
            found = await self._running(unit, user_id)
            if found is None:
                return None
            participant, run = found
            prompt = await self._prompt(unit, run)
            try:
                value = self._parse(prompt.question, text, participant, now)
            except ValidationError as error:
                return Rejected(error.key, dict(error.params), prompt)
            return await self._accept(unit, participant, run, prompt, value, now)

    async def answer_button(
        self, user_id: int, run_id: int, index: int, action: str
    ) -> Accepted | Rejected | Toggled | SurveyRefusal:
        """A button under question number `index` of the run: an option's index, t<index> (tick), ok, or s (skip)."""
        now = self._clock.now()
        async with self._store.write() as unit:
            found = await self._own_run(unit, user_id, run_id)
            if isinstance(found, SurveyRefusal):
                return found
            participant, run = found
            prompt = await self._prompt(unit, run)
            question = prompt.question
            if prompt.survey.index(question.id) != index:
                return SurveyRefusal("survey-question-answered")
            choices = question.choices
            if action == SKIP:
                if not question.optional:
                    return SurveyRefusal("button-stale")
                return await self._accept(unit, participant, run, prompt, None, now)
            if question.type == "multiple":
                if action == DONE:
                    if not prompt.selection:
                        return Rejected("survey-choose-some", {}, prompt)
                    chosen = [value for value in choices if value in prompt.selection]
                    return await self._accept(unit, participant, run, prompt, chosen, now)
                picked = _index(action.removeprefix(TOGGLE), choices) if action.startswith(TOGGLE) else None
                if picked is None:
                    return SurveyRefusal("button-stale")
                selection = set(prompt.selection) ^ {picked}
                ordered = [value for value in choices if value in selection]
                await unit.surveys.set_selection(run.id, ordered)
                return Toggled(_replace_selection(prompt, tuple(ordered)))
            picked = _index(action, choices) if question.type in ("single", "rating") else None
            if picked is None:
                return SurveyRefusal("button-stale")
            value: Any = int(picked) if question.type == "rating" else picked
            return await self._accept(unit, participant, run, prompt, value, now)

    # ------------------------------------------------------------------ inside

    async def _running(self, unit: Unit, user_id: int) -> tuple[Participant, SurveyRun] | None:
        participant = await unit.participants.by_telegram_id(user_id)
        if participant is None:
            return None
        run = await unit.surveys.active(participant.id)
        if run is None or self.catalog.get(run.survey) is None:
            return None
        return participant, run

    async def _own_run(self, unit: Unit, user_id: int, run_id: int) -> tuple[Participant, SurveyRun] | SurveyRefusal:
        participant = await unit.participants.by_telegram_id(user_id)
        run = await unit.surveys.get(run_id)
        if participant is None or run is None or run.participant_id != participant.id:
            return SurveyRefusal("button-stale")
        if run.status != ACTIVE or self.catalog.get(run.survey) is None:
            return SurveyRefusal("survey-over" if run.status in (COMPLETED, EXPIRED, CANCELLED) else "survey-waiting")
        return participant, run

    async def _prompt(self, unit: Unit, run: SurveyRun) -> Prompt:
        survey = self.catalog[run.survey]
        question = survey.question(run.question or "") or survey.questions[0]
        answered = await unit.surveys.answer_count(run.id)
        return Prompt(run.id, survey, question, answered + 1, tuple(run.selection), await self._title(unit, run))

    async def _title(self, unit: Unit, run: SurveyRun) -> str | None:
        if run.enrollment_id is None:
            return None
        enrollment = await unit.enrollments.get(run.enrollment_id)
        course = None if enrollment is None else await unit.catalogue.course(enrollment.course_id)
        return None if course is None else course.title

    def _parse(self, question: Question, text: str, participant: Participant, now: datetime) -> Any:
        """A typed answer as the value to store, or ValidationError with the reason."""
        typed = _SPACES.sub(" ", text).strip()
        match question.type:
            case "single":
                # A label typed instead of pressed (e.g. copied) is as good as the button.
                for option in question.options:
                    if typed.casefold() in {label.casefold() for label in option.label.by_language.values()}:
                        return option.value
                raise ValidationError("survey-use-buttons")
            case "rating":
                if typed.isdigit() and typed.isascii():
                    if int(typed) in RATING_SCALE:
                        return int(typed)
                    raise ValidationError(
                        "survey-rating-range", {"low": str(RATING_SCALE[0]), "high": str(RATING_SCALE[-1])}
                    )
                raise ValidationError("survey-use-buttons")
            case "multiple":
                raise ValidationError("survey-use-buttons")
            case "text":
                if not typed:
                    raise ValidationError("survey-text-empty")
                if len(typed) > question.max_length:
                    raise ValidationError(
                        "survey-text-too-long", {"max": str(question.max_length), "length": str(len(typed))}
                    )
                return typed
            case "number":
                return _number(typed, question)
            case "month":
                month = parse_month(typed)
                today = now.astimezone(self._planner.zone_of(participant)).date()
                if question.past_only and month > today:
                    raise ValidationError("survey-month-future")
                return month.isoformat()[:7]
            case _:  # date
                day = parse_date(typed)
                today = now.astimezone(self._planner.zone_of(participant)).date()
                if question.past_only and day > today:
                    raise ValidationError("survey-date-future")
                return day.isoformat()

    async def _accept(
        self, unit: Unit, participant: Participant, run: SurveyRun, prompt: Prompt, value: Any, now: datetime
    ) -> Accepted:
        question = prompt.question
        await unit.surveys.save_answer(run.id, question.id, question.type, value, now)
        if question.records == EMPLOYMENT_FIELD and isinstance(value, str):
            await unit.surveys.record_checkin(run, value, now)
            await unit.participants.set_employment_status(participant.id, value, now)
        following = prompt.survey.after(question, value if question.type == "single" else None)
        if following == "end":
            await self._close(unit, run, COMPLETED, now)
            return Accepted(prompt, value, Finished(prompt.survey))
        await unit.surveys.move_to(run.id, following)
        next_question = prompt.survey.question(following)
        assert next_question is not None
        return Accepted(
            prompt, value, Prompt(run.id, prompt.survey, next_question, prompt.number + 1, (), prompt.course_title)
        )

    async def _close(self, unit: Unit, run: SurveyRun, status: str, now: datetime) -> None:
        """Finish the run, withdraw its pending messages, and let the next survey due take its turn."""
        await unit.surveys.finish(run.id, status, now)
        await unit.outbox.cancel_pending(_subject(run.id), keep=set())
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
        prompt = await self._prompt(unit, await _reloaded(unit, run.id))
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
                subject=_subject(run.id),
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
                subject=_subject(run.id),
            )
        return prompt


async def _reloaded(unit: Unit, run_id: int) -> SurveyRun:
    run = await unit.surveys.get(run_id)
    assert run is not None
    return run


def _subject(run_id: int) -> str:
    """Outbox subject of a run's messages (question, nudge), so they can be withdrawn together."""
    return f"survey:{run_id}:"


def _index(token: str, choices: list[str]) -> str | None:
    if not (token.isdigit() and token.isascii()):
        return None
    i = int(token)
    return choices[i] if i < len(choices) else None


def _replace_selection(prompt: Prompt, selection: tuple[str, ...]) -> Prompt:
    return Prompt(prompt.run_id, prompt.survey, prompt.question, prompt.number, selection, prompt.course_title)


def _number(typed: str, question: Question) -> int | float:
    """12, 1.500 or 1 500 (thousands), 2,5 (a decimal comma) as people write numbers in Indonesia."""
    compact = typed.replace(" ", "")
    if question.integer:
        digits = compact.replace(".", "")
        if not (digits.isdigit() and digits.isascii()):
            raise ValidationError("survey-number-invalid")
        value: int | float = int(digits)
    else:
        try:
            value = float(compact.replace(".", "").replace(",", ".") if "," in compact else compact)
        except ValueError:
            raise ValidationError("survey-number-invalid") from None
    low = question.min if question.min is not None else 0
    high = question.max if question.max is not None else 1_000_000_000
    if not low <= value <= high:
        raise ValidationError("survey-number-range", {"min": plain_number(low), "max": plain_number(high)})
    return value


def plain_number(number: float) -> str:
    """12 rather than 12.0."""
    return str(int(number)) if float(number).is_integer() else str(number)
