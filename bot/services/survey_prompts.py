"""What the survey service answers a participant with: the question they are at (Prompt, loaded from its run with
the course it follows), the outcome of an answer (accepted with what follows, rejected with the reason, an option
ticked, a button refused as stale), and the tokens of the buttons under a question that say what was pressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.services.survey_catalog import Question, Survey, SurveyCatalog
from bot.services.survey_vacancies import concrete
from bot.storage.store import Unit
from bot.storage.surveys import SurveyRun

# A button's action besides an option's index: skip an optional question, done choosing, tick option t<index>.
SKIP = "s"
DONE = "ok"
TOGGLE = "t"


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


async def prompt_for(unit: Unit, catalog: SurveyCatalog, run: SurveyRun) -> Prompt:
    """The question the run is at (its first until it has moved), numbered by the answers given so far."""
    survey = catalog[run.survey]
    question = survey.question(run.question or "") or survey.questions[0]
    # A question whose options depend on the participant (the vacancies they had from the bot) gets them here.
    question = await concrete(unit, question, run.participant_id) or question
    answered = await unit.surveys.answer_count(run.id)
    return Prompt(run.id, survey, question, answered + 1, tuple(run.selection), await _title(unit, run))


async def _title(unit: Unit, run: SurveyRun) -> str | None:
    if run.enrollment_id is None:
        return None
    enrollment = await unit.enrollments.get(run.enrollment_id)
    course = None if enrollment is None else await unit.catalogue.course(enrollment.course_id)
    return None if course is None else course.title


def with_selection(prompt: Prompt, selection: tuple[str, ...]) -> Prompt:
    return Prompt(prompt.run_id, prompt.survey, prompt.question, prompt.number, selection, prompt.course_title)
