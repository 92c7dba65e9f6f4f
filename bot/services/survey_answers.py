"""Reading an answer to a survey question. A typed text becomes the value to store, by the question's type: an
option's label typed instead of pressed, a rating on the scale, free text within its length, a number as people
write them in Indonesia, a month or a date (not in the future where the question says so); anything else raises
ValidationError with the key of the reason. A button's option index is looked up among the question's choices.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.services.dates import parse_date, parse_month
from bot.services.survey_catalog import RATING_SCALE, Question
from bot.services.validation import ValidationError

_SPACES = re.compile(r"\s+")


def parse_typed(question: Question, text: str, today: date) -> Any:
    """A typed answer as the value to store, or ValidationError with the reason; `today` is the participant's."""
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
            if question.past_only and month > today:
                raise ValidationError("survey-month-future")
            return month.isoformat()[:7]
        case _:  # date
            day = parse_date(typed)
            if question.past_only and day > today:
                raise ValidationError("survey-date-future")
            return day.isoformat()


def option_index(token: str, choices: list[str]) -> str | None:
    """The choice a button's index names, or None when the token is no index of them (forged or stale)."""
    if not (token.isdigit() and token.isascii()):
        return None
    i = int(token)
    return choices[i] if i < len(choices) else None


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
