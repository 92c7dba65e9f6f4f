"""The check-in's question "did you find this job through a vacancy from the bot": its buttons are the question's
own (Lainnya, Tidak) followed by the vacancies the participant received or applied for, so a button's index means
the same whether the question was drawn with them or without (a resumed survey sent through the outbox). Someone
who never had a vacancy from the bot is not asked."""

from __future__ import annotations

from typing import Final

from bot.config import LANGUAGES
from bot.services.survey_catalog import VACANCY_SOURCE_FIELD, VACANCY_SOURCE_OPTIONS, Option, Question, Texts
from bot.storage.store import Unit
from bot.storage.vacancy_staff import VACANCY_SOURCE

# Vacancy buttons at most (the latest first): a phone shows them without scrolling.
MAX_CHOICES: Final = 6
_PREFIX: Final = "v"


async def concrete(unit: Unit, question: Question, participant_id: int) -> Question | None:
    """The question as this participant sees it: with their vacancies as options; None when it is not theirs to
    answer (no vacancy from the bot). Any other question as it is."""
    if question.records != VACANCY_SOURCE_FIELD:
        return question
    choices = await unit.vacancy_staff.choices_for(participant_id, MAX_CHOICES)
    if not choices:
        return None
    offered = [
        Option(
            value=f"{_PREFIX}{choice.id}",
            label=Texts.model_validate({language: f"{choice.position} · {choice.employer}" for language in LANGUAGES}),
        )
        for choice in choices
    ]
    return question.model_copy(update={"options": [*question.options, *offered]})


async def record(unit: Unit, run_id: int, value: str) -> None:
    """The answer on the run's check-in: a vacancy (source and id), another vacancy of the bot (source only), or
    not through the bot."""
    if value.startswith(_PREFIX) and value[len(_PREFIX) :].isdigit():
        await unit.vacancy_staff.set_checkin_source(run_id, VACANCY_SOURCE, int(value[len(_PREFIX) :]))
    elif value == VACANCY_SOURCE_OPTIONS[0]:
        await unit.vacancy_staff.set_checkin_source(run_id, VACANCY_SOURCE, None)
    else:
        await unit.vacancy_staff.set_checkin_source(run_id, None, None)
