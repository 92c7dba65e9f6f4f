"""Reading one registration answer: what a typed text, a shared contact or a button press means at the step the
person is at, as the draft values it sets. A wrong answer raises ValidationError with the key of its explanation
(a typed province that fits several also carries them, to offer as buttons); a button value no keyboard offered
raises Refused. Dates are read in the person's own zone, so "today" is the day it is where they live.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.clock import Clock
from bot.services.dates import parse_past_date
from bot.services.education import EDUCATION_LEVELS, match_education
from bot.services.identifiers import parse_kpj, parse_nik, parse_phone
from bot.services.names import parse_employer, parse_full_name, parse_regency
from bot.services.provinces import ProvinceCatalog
from bot.services.regencies import KINDS, RegencyTwins, full_name
from bot.services.registration_dialog import (
    DEFAULT_TIMEZONE,
    KPJ_UNKNOWN,
    REGENCY_TWIN,
    Answer,
    Choice,
    Contact,
    Draft,
    Step,
)
from bot.services.validation import ValidationError
from bot.storage.store import Unit


class AnswerReader:
    """The values an answer sets, checked against what its step asks (and a NIK against who already holds it)."""

    def __init__(self, provinces: ProvinceCatalog, clock: Clock, twins: RegencyTwins | None = None) -> None:
        self._provinces = provinces
        self._clock = clock
        self._twins = RegencyTwins.load() if twins is None else twins

    async def read(self, unit: Unit, user_id: int, draft: Draft, answer: Answer) -> dict[str, Any]:
        """The draft values `answer` sets at `draft.step`; raises ValidationError, or Refused for a forged button."""
        step = draft.step
        if isinstance(answer, Contact):
            if step is not Step.PHONE:
                raise ValidationError("err-unsupported-message")
            if not answer.own:
                raise ValidationError("err-contact-not-own")
            return {"phone": parse_phone(answer.phone, from_contact=True)}
        if isinstance(answer, Choice):
            return self._choice(draft, answer.value)
        text = answer.text
        today = local_today(self._provinces, draft.data.get("province_code"), self._clock.now())
        match step:
            case Step.NAME:
                return {"full_name": parse_full_name(text)}
            case Step.NIK:
                info = parse_nik(text, self._provinces, today)
                holder = await unit.participants.nik_holder(info.nik)
                if holder is not None and holder != user_id:
                    raise ValidationError("err-nik-taken")
                return {"nik": info.nik, "birth_date": info.birth_date.isoformat(), "gender": info.gender}
            case Step.KPJ:
                return {"kpj": parse_kpj(text)}
            case Step.PHONE:
                return {"phone": parse_phone(text)}
            case Step.PROVINCE:
                matches = self._provinces.match(text)
                if not matches:
                    raise ValidationError("err-province-unknown")
                if len(matches) > 1:
                    raise _Ambiguous(tuple(p.code for p in matches))
                return {"province_code": matches[0].code}
            case Step.REGENCY:
                return self._regency(draft, text)
            case Step.EMPLOYER:
                return {"last_employer": parse_employer(text)}
            case Step.PHK_DATE:
                return {"phk_date": parse_past_date(text, today).isoformat()}
            case Step.EDUCATION:
                level = match_education(text)
                if level is None:
                    raise ValidationError("err-education-unknown")
                return {"education": level}
        raise ValidationError("err-use-buttons")

    def _regency(self, draft: Draft, text: str) -> dict[str, Any]:
        """A regency, or the answer to "Kota or Kabupaten <name>?" when the name typed before was both.

        The bare name of a twin ("bandung") sets REGENCY_TWIN: the dialog stays at the question and asks which.
        """
        twin = draft.data.get(REGENCY_TWIN)
        if twin:
            kind = self._twins.kind_of(twin, text)
            if kind is None:
                raise ValidationError("err-regency-twin", {"name": twin})
            return {"regency": full_name(kind, twin)}
        regency = parse_regency(text)
        found = self._twins.resolve(draft.data["province_code"], regency)
        if found is None:
            return {"regency": regency}
        kind, name = found
        return {REGENCY_TWIN: name} if kind is None else {"regency": full_name(kind, name)}

    def _choice(self, draft: Draft, value: str) -> dict[str, Any]:
        """A button press for a question; values no button offers are forged and refused."""
        step = draft.step
        twin = draft.data.get(REGENCY_TWIN)
        if step is Step.REGENCY and twin and value in KINDS:
            return {"regency": full_name(value, twin)}
        if step is Step.KPJ and value == KPJ_UNKNOWN:
            return {"kpj": None}
        if step is Step.PROVINCE and self._provinces.get(value) is not None:
            return {"province_code": value}
        if step is Step.EDUCATION and value in EDUCATION_LEVELS:
            return {"education": value}
        raise Refused


def local_today(provinces: ProvinceCatalog, province_code: str | None, now: datetime) -> date:
    """The date at `now` in the province's zone, or in Jakarta's before the person has given a province."""
    province = provinces.get(province_code) if province_code else None
    zone = province.tzinfo if province is not None else DEFAULT_TIMEZONE
    return now.astimezone(zone).date()


def options_of(error: ValidationError) -> tuple[str, ...]:
    """The choices to offer as buttons with the explanation (the provinces a typed name fits)."""
    return error.options if isinstance(error, _Ambiguous) else ()


class Refused(Exception):
    """A button value no keyboard offered."""


class _Ambiguous(ValidationError):
    """A typed province that fits several: offer them as buttons."""

    def __init__(self, options: tuple[str, ...]) -> None:
        super().__init__("err-province-ambiguous")
        self.options = options
