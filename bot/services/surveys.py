"""Asking surveys: one question at a time, every answer saved as it is given.

SurveyService is the participant's side of the survey runs (SurveyRuns): the question they are at, a typed answer
or a pressed button (an option, a tick, done, skip), and "Status Kerja", a check-in the participant asks for and
that is answered directly, while another running survey waits its turn.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.services import survey_vacancies
from bot.services.survey_answers import option_index, parse_typed
from bot.services.survey_catalog import EMPLOYMENT, EMPLOYMENT_FIELD, VACANCY_SOURCE_FIELD, WANTS_VACANCIES_FIELD
from bot.services.survey_prompts import (
    DONE,
    SKIP,
    TOGGLE,
    Accepted,
    Finished,
    Prompt,
    Rejected,
    SurveyRefusal,
    Toggled,
    prompt_for,
    with_selection,
)
from bot.services.survey_runs import SurveyRuns, run_subject
from bot.services.validation import ValidationError
from bot.storage.participants import Participant
from bot.storage.store import Unit
from bot.storage.surveys import ACTIVE, CANCELLED, COMPLETED, EXPIRED, SELF_REPORTED, NewRun, SurveyRun


class SurveyService(SurveyRuns):
    """The participant answering: their current question, typed answers and buttons, and "Status Kerja"."""

    async def current(self, user_id: int) -> Prompt | None:
        """The question the person is being asked, if a survey is running."""
        async with self._store.read() as unit:
            found = await self._running(unit, user_id)
            return None if found is None else await prompt_for(unit, self.catalog, found[1])

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
                return await prompt_for(unit, self.catalog, running)
            if running is not None:
                await unit.surveys.pause(running.id)
                await unit.outbox.cancel_pending(run_subject(running.id), keep=set())
            run = await unit.surveys.create(NewRun(participant.id, EMPLOYMENT, SELF_REPORTED, None, now), now)
            return await self._activate(unit, participant, run, now, send=False)

    async def resume(self, user_id: int, run_id: int) -> Prompt | SurveyRefusal:
        """The nudge's button: the question the survey is at."""
        async with self._store.read() as unit:
            found = await self._own_run(unit, user_id, run_id)
            return found if isinstance(found, SurveyRefusal) else await prompt_for(unit, self.catalog, found[1])

    async def answer_text(self, user_id: int, text: str) -> Accepted | Rejected | None:
        """A typed answer to the running survey; None when no survey is running."""
        now = self._clock.now()
        async with self._store.write() as unit:
            found = await self._running(unit, user_id)
            if found is None:
                return None
            participant, run = found
            prompt = await prompt_for(unit, self.catalog, run)
            today = now.astimezone(self._planner.zone_of(participant)).date()
            try:
                value = parse_typed(prompt.question, text, today)
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
            prompt = await prompt_for(unit, self.catalog, run)
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
                picked = option_index(action.removeprefix(TOGGLE), choices) if action.startswith(TOGGLE) else None
                if picked is None:
                    return SurveyRefusal("button-stale")
                selection = set(prompt.selection) ^ {picked}
                ordered = [value for value in choices if value in selection]
                await unit.surveys.set_selection(run.id, ordered)
                return Toggled(with_selection(prompt, tuple(ordered)))
            picked = option_index(action, choices) if question.type in ("single", "rating") else None
            if picked is None:
                return SurveyRefusal("button-stale")
            value: Any = int(picked) if question.type == "rating" else picked
            return await self._accept(unit, participant, run, prompt, value, now)

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

    async def _accept(
        self, unit: Unit, participant: Participant, run: SurveyRun, prompt: Prompt, value: Any, now: datetime
    ) -> Accepted:
        question = prompt.question
        await unit.surveys.save_answer(run.id, question.id, question.type, value, now)
        if question.records == EMPLOYMENT_FIELD and isinstance(value, str):
            await unit.surveys.record_checkin(run, value, now)
            await unit.participants.set_employment_status(participant.id, value, now)
        elif question.records == WANTS_VACANCIES_FIELD and isinstance(value, str):
            await unit.participants.set_wants_vacancies(participant.id, wanted=value == "yes", now=now)
        elif question.records == VACANCY_SOURCE_FIELD and isinstance(value, str):
            await survey_vacancies.record(unit, run.id, value)
        following = prompt.survey.after(question, value if question.type == "single" else None)
        # A question that is not this participant's to answer (no vacancy from the bot to name) is passed over.
        while following != "end":
            listed = prompt.survey.question(following)
            assert listed is not None
            next_question = await survey_vacancies.concrete(unit, listed, participant.id)
            if next_question is not None:
                break
            following = prompt.survey.after(listed, None)
        if following == "end":
            await self._close(unit, run, COMPLETED, now)
            return Accepted(prompt, value, Finished(prompt.survey))
        await unit.surveys.move_to(run.id, following)
        assert next_question is not None
        return Accepted(
            prompt, value, Prompt(run.id, prompt.survey, next_question, prompt.number + 1, (), prompt.course_title)
        )
