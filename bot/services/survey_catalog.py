"""Survey definitions: read from data/surveys/*.yaml and checked once, at start-up.

A survey is a list of questions, each of one type (single or multiple choice, rating 1-5, short text, number,
month, date) with its text in every language the bot speaks. After a question the next one in the list follows,
unless the question (or the chosen option) names another: `next: <question id>` or `next: end`. Branches may only
jump forward, so every survey ends. A mistake in a file stops the bot at start-up with the file, the place and
what is wrong, instead of confusing a participant months later.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from bot.config import LANGUAGES

END = "end"
SATISFACTION = "satisfaction"
EMPLOYMENT = "employment"
REQUIRED_SURVEYS = (SATISFACTION, EMPLOYMENT)
# The answer a check-in records as the participant's employment status; reports count the first three as working.
EMPLOYMENT_FIELD = "employment_status"
# The answer "do you want job information through the bot" ("yes"/"no"), kept on the participant for the vacancies.
WANTS_VACANCIES_FIELD = "wants_vacancies"
WANTS_VACANCIES_OPTIONS = ("yes", "no")
# The answer "did you find this job through a vacancy from the bot": the vacancies the participant received or
# applied for are offered after the question's own options, which are exactly these ("other": a vacancy of the bot
# not listed; "no": not through the bot). Kept on the check-in (employment_checkins.source, vacancy_id).
VACANCY_SOURCE_FIELD = "vacancy_source"
VACANCY_SOURCE_OPTIONS = ("other", "no")
EMPLOYMENT_STATUSES = ("previous_employer", "new_employer", "own_business", "recruiting", "not_working", "training")
EMPLOYED = frozenset(EMPLOYMENT_STATUSES[:3])
RATING_SCALE = (1, 2, 3, 4, 5)
# Buttons carry indexes, so a long survey still fits Telegram's 64-byte callback data.
MAX_QUESTIONS = 60
MAX_OPTIONS = 12

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
QuestionType = Literal["single", "multiple", "rating", "text", "number", "month", "date"]
CHOICE_TYPES = frozenset({"single", "multiple"})


class SurveyDefinitionError(ValueError):
    """A survey file that cannot be used; the message names the file and every problem in it."""


class Texts(BaseModel):
    """One text in every language the bot speaks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    by_language: dict[str, str]

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, value: object) -> object:
        if isinstance(value, Mapping):
            return {"by_language": dict(value)}
        raise ValueError(f"expected a text per language ({', '.join(LANGUAGES)})")

    @field_validator("by_language")
    @classmethod
    def _complete(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [language for language in LANGUAGES if not str(value.get(language) or "").strip()]
        if missing:
            raise ValueError(f"missing the {', '.join(repr(m) for m in missing)} text")
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language {', '.join(repr(u) for u in unknown)}")
        return {language: str(text).strip() for language, text in value.items()}

    def get(self, language: str) -> str:
        return self.by_language.get(language) or self.by_language[LANGUAGES[0]]


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Identifier
    label: Texts
    next: str | None = None


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    type: QuestionType
    text: Texts
    optional: bool = False
    next: str | None = None
    options: list[Option] = Field(default_factory=list)
    # number: the accepted range; text: the longest answer; month and date: whether the future is refused.
    min: float | None = None
    max: float | None = None
    integer: bool = True
    max_length: int = Field(default=300, ge=1, le=1000)
    past_only: bool = False
    # What else the answer records (the employment status of a check-in).
    records: Literal["employment_status", "wants_vacancies", "vacancy_source"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.type in CHOICE_TYPES:
            if len(self.options) < 2:
                raise ValueError(f"question {self.id!r}: a {self.type} choice needs at least two options")
            if len(self.options) > MAX_OPTIONS:
                raise ValueError(f"question {self.id!r}: at most {MAX_OPTIONS} options")
            values = [o.value for o in self.options]
            if len(set(values)) != len(values):
                raise ValueError(f"question {self.id!r}: two options share a value")
        elif self.options:
            raise ValueError(f"question {self.id!r}: only single and multiple choice questions have options")
        if self.type == "multiple" and any(o.next for o in self.options):
            raise ValueError(
                f"question {self.id!r}: options of a multiple choice cannot branch; use the question's next"
            )
        if self.type != "number" and (self.min is not None or self.max is not None):
            raise ValueError(f"question {self.id!r}: min and max are for number questions")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"question {self.id!r}: min is larger than max")
        misplaced = {
            "past_only": self.type not in ("month", "date"),
            "max_length": self.type != "text",
            "integer": self.type != "number",
        }
        for name, wrong in misplaced.items():
            if wrong and name in self.model_fields_set:
                raise ValueError(f"question {self.id!r}: {name} does not apply to a {self.type} question")
        if self.records is not None and self.type != "single":
            raise ValueError(f"question {self.id!r}: only a single choice can record {self.records}")
        if self.records == WANTS_VACANCIES_FIELD and tuple(sorted(self.choices)) != tuple(
            sorted(WANTS_VACANCIES_OPTIONS)
        ):
            raise ValueError(f"question {self.id!r}: recording {self.records} needs exactly the options yes and no")
        if self.records == VACANCY_SOURCE_FIELD and tuple(self.choices) != VACANCY_SOURCE_OPTIONS:
            raise ValueError(
                f"question {self.id!r}: recording {self.records} needs exactly the options other and no, in that"
                " order (the vacancies are offered after them)"
            )
        return self

    @property
    def choices(self) -> list[str]:
        """The values a button answer can take, in button order."""
        if self.type == "rating":
            return [str(n) for n in RATING_SCALE]
        return [o.value for o in self.options]

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


class Survey(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    title: Texts
    intro: Texts
    outro: Texts
    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS)

    @model_validator(mode="after")
    def _branches(self) -> Survey:
        ids = [q.id for q in self.questions]
        repeated = sorted({qid for qid in ids if ids.count(qid) > 1})
        if repeated:
            raise ValueError(f"two questions share the id {', '.join(repr(r) for r in repeated)}")
        for field in {q.records for q in self.questions if q.records is not None}:
            recording = [q.id for q in self.questions if q.records == field]
            if len(recording) > 1:
                raise ValueError(f"only one question may record a field; {', '.join(recording)} do")
        if END in ids:
            raise ValueError(f"{END!r} cannot be a question id (it ends the survey)")
        position = {qid: i for i, qid in enumerate(ids)}
        for i, question in enumerate(self.questions):
            targets = [("next", question.next)] + [(f"option {o.value!r}", o.next) for o in question.options]
            for where, target in targets:
                if target is None or target == END:
                    continue
                if target not in position:
                    raise ValueError(f"question {question.id!r} {where}: branch target {target!r} is not a question")
                if position[target] <= i:
                    raise ValueError(
                        f"question {question.id!r} {where}: branch target {target!r} does not come later"
                        " (branches only go forward, so every survey ends)"
                    )
        return self

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def index(self, question_id: str) -> int:
        return next(i for i, q in enumerate(self.questions) if q.id == question_id)

    def after(self, question: Question, chosen: str | None) -> str:
        """The question that follows an answer (`chosen` is the option picked, for a single choice), or END."""
        option = question.option(chosen) if chosen is not None else None
        target = (option.next if option is not None else None) or question.next
        if target is not None:
            return target
        i = self.index(question.id)
        return self.questions[i + 1].id if i + 1 < len(self.questions) else END

    def recording(self, field: str) -> Question | None:
        return next((q for q in self.questions if q.records == field), None)


@dataclass(frozen=True, slots=True)
class SurveyCatalog:
    """Every survey the bot can ask, by id."""

    surveys: dict[str, Survey]

    def __iter__(self) -> Iterator[Survey]:
        return iter(self.surveys.values())

    def get(self, survey_id: str) -> Survey | None:
        return self.surveys.get(survey_id)

    def __getitem__(self, survey_id: str) -> Survey:
        return self.surveys[survey_id]

    @classmethod
    def load(cls, directory: Path) -> SurveyCatalog:
        """Read and check every `*.yaml` file; raises SurveyDefinitionError listing what is wrong."""
        if not directory.is_dir():
            raise SurveyDefinitionError(f"{directory}: the survey folder does not exist")
        surveys: dict[str, Survey] = {}
        for path in sorted(directory.glob("*.yaml")):
            survey = parse_survey(path.read_text(encoding="utf-8"), path.stem, str(path))
            surveys[survey.id] = survey
        missing = [name for name in REQUIRED_SURVEYS if name not in surveys]
        if missing:
            raise SurveyDefinitionError(
                f"{directory}: the bot needs the surveys {', '.join(f'{m}.yaml' for m in missing)}"
            )
        problem = _employment_problem(surveys[EMPLOYMENT])
        if problem:
            raise SurveyDefinitionError(f"{directory / (EMPLOYMENT + '.yaml')}: {problem}")
        return cls(surveys)


def parse_survey(text: str, survey_id: str, source: str) -> Survey:
    """One survey file's content; `survey_id` is its file name without .yaml."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SurveyDefinitionError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise SurveyDefinitionError(f"{source}: expected a survey (title, intro, outro, questions)")
    if raw.setdefault("id", survey_id) != survey_id:
        raise SurveyDefinitionError(f"{source}: id {raw['id']!r} differs from the file name {survey_id!r}")
    try:
        return Survey.model_validate(raw)
    except ValidationError as error:
        raise SurveyDefinitionError(f"{source}:\n" + "\n".join(_describe(e, raw) for e in error.errors())) from None


def _describe(error: Mapping[str, object], raw: dict[str, object]) -> str:
    """A pydantic error as "questions[2] (status) > text: missing the 'en' text"."""
    parts: list[str] = []
    node: object = raw
    for step in error.get("loc", ()):  # type: ignore[attr-defined]
        if step == "by_language":
            continue
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
            name = node.get("id") or node.get("value") if isinstance(node, dict) else None
            parts[-1] += f"[{step}]" + (f" ({name})" if name else "")
            continue
        node = node.get(step) if isinstance(node, dict) else None
        parts.append(str(step))
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return f"  {' > '.join(parts) or 'survey'}: {message}"


def _employment_problem(survey: Survey) -> str | None:
    question = survey.recording(EMPLOYMENT_FIELD)
    if question is None:
        return f"no question records {EMPLOYMENT_FIELD} (add `records: {EMPLOYMENT_FIELD}` to the status question)"
    values = set(question.choices)
    if values != set(EMPLOYMENT_STATUSES):
        return (
            f"question {question.id!r} must offer exactly the statuses {', '.join(EMPLOYMENT_STATUSES)}"
            f" (reports count them); it offers {', '.join(sorted(values))}"
        )
    if question.optional:
        return f"question {question.id!r} records the employment status and cannot be optional"
    return None
