"""The registration dialog's vocabulary: its two flows (registration, profile edit) and their steps in order, the
answers a person can give (typed text, a shared contact, a button), the draft of answers saved so far, a finished
registration's details, the results the registration service hands the handlers to turn into questions, and the
zone a person is taken to be in until they give a province.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.storage.dialogs import Dialog
from bot.storage.participants import Participant

# Where the person is before they give a province (Indonesia's most populous zone).
DEFAULT_TIMEZONE = ZoneInfo("Asia/Jakarta")


class Flow(StrEnum):
    REGISTRATION = "registration"
    PROFILE = "profile"


class Step(StrEnum):
    NAME = "name"
    NIK = "nik"
    KPJ = "kpj"
    PHONE = "phone"
    PROVINCE = "province"
    REGENCY = "regency"
    EMPLOYER = "employer"
    PHK_DATE = "phk_date"
    EDUCATION = "education"
    SUMMARY = "summary"
    EDIT_PICK = "edit"


# The questions of registration, in the order they are asked.
QUESTIONS: tuple[Step, ...] = (
    Step.NAME,
    Step.NIK,
    Step.KPJ,
    Step.PHONE,
    Step.PROVINCE,
    Step.REGENCY,
    Step.EMPLOYER,
    Step.PHK_DATE,
    Step.EDUCATION,
)
# What a person can choose to change (domicile is province then regency).
EDITABLE: tuple[Step, ...] = tuple(step for step in QUESTIONS if step is not Step.REGENCY)
# Steps answered only with buttons.
BUTTON_STEPS = frozenset({Step.SUMMARY, Step.EDIT_PICK})

KPJ_UNKNOWN = "unknown"
# Draft key: the name of a kota and kabupaten both ("Bandung") typed at the regency question, waiting for which.
REGENCY_TWIN = "regency_twin"
CONFIRM = "confirm"
EDIT = "edit"
BACK = "back"


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Contact:
    phone: str
    own: bool


@dataclass(frozen=True, slots=True)
class Choice:
    value: str


Answer = Text | Contact | Choice


@dataclass(frozen=True, slots=True)
class Draft:
    """The answers given so far in a dialog."""

    flow: Flow
    step: Step
    data: dict[str, Any]

    @classmethod
    def of(cls, dialog: Dialog) -> Draft:
        return cls(Flow(dialog.flow), Step(dialog.step), dialog.data)

    @property
    def editing(self) -> bool:
        return bool(self.data.get("editing"))

    def value(self, key: str) -> Any:
        return self.data.get(key)


@dataclass(frozen=True, slots=True)
class Details:
    """A finished registration's answers (what the summary shows and the participant row stores)."""

    full_name: str
    nik: str
    birth_date: date
    gender: str
    kpj: str | None
    phone: str
    province_code: str
    regency: str
    last_employer: str
    phk_date: date
    education: str

    @classmethod
    def of(cls, data: dict[str, Any]) -> Details:
        return cls(
            full_name=data["full_name"],
            nik=data["nik"],
            birth_date=date.fromisoformat(data["birth_date"]),
            gender=data["gender"],
            kpj=data.get("kpj"),
            phone=data["phone"],
            province_code=data["province_code"],
            regency=data["regency"],
            last_employer=data["last_employer"],
            phk_date=date.fromisoformat(data["phk_date"]),
            education=data["education"],
        )


@dataclass(frozen=True, slots=True)
class Asked:
    """The dialog moved (or stays) at `draft.step`: ask that question."""

    draft: Draft


@dataclass(frozen=True, slots=True)
class Invalid:
    """The answer was refused; nothing changed. Explain `key` and ask `draft.step` again."""

    draft: Draft
    key: str
    params: dict[str, str] = field(default_factory=dict)
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Stale:
    """A button that does not belong to the current question (old or forged): nothing changed."""


@dataclass(frozen=True, slots=True)
class NoDialog:
    """Nothing in progress for this person."""


@dataclass(frozen=True, slots=True)
class Expired:
    """The dialog was left too long and has been discarded with its answers."""


@dataclass(frozen=True, slots=True)
class Registered:
    participant: Participant


@dataclass(frozen=True, slots=True)
class ProfileUpdated:
    participant: Participant


@dataclass(frozen=True, slots=True)
class AlreadyRegistered:
    participant: Participant


Result = Asked | Invalid | Stale | NoDialog | Expired | Registered | ProfileUpdated | AlreadyRegistered


@dataclass(frozen=True, slots=True)
class Start:
    """What /start finds: a participant, a dialog to resume, or a newcomer who must see the consent notice."""

    participant: Participant | None
    draft: Draft | None
