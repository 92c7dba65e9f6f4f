"""Registration and profile editing: a dialog whose step and answers are rows, so a restart resumes it.

Every answer is validated and saved in one transaction. The handler layer turns the results into questions,
explanations and keyboards; nothing here knows about Telegram.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.services.provinces import ProvinceCatalog
from bot.services.validation import (
    EDUCATION_LEVELS,
    ValidationError,
    match_education,
    parse_employer,
    parse_full_name,
    parse_kpj,
    parse_nik,
    parse_past_date,
    parse_phone,
    parse_regency,
    phk_eligible,
)
from bot.storage.db import from_db_time, to_db_time
from bot.storage.dialogs import Dialog
from bot.storage.participants import NewParticipant, Participant
from bot.storage.store import Store, Unit

# Bump whenever the consent notice (message "consent-notice") changes in substance: each participant's row
# records the version they agreed to (UU PDP No. 27/2022 asks us to show what was consented to, and when).
CONSENT_VERSION = "2026-11-v1"

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


class RegistrationService:
    def __init__(self, store: Store, provinces: ProvinceCatalog, settings: Settings, clock: Clock) -> None:
        self._store = store
        self._provinces = provinces
        self._settings = settings
        self._clock = clock

    # ----------------------------------------------------------------- entry points

    async def start(self, user_id: int) -> Start | Expired:
        """Where /start leads. A participant who goes back to the menu abandons an unfinished profile edit."""
        async with self._store.write() as unit:
            participant = await unit.participants.by_telegram_id(user_id)
            dialog = await self._live_dialog(unit, user_id)
            if participant is not None and isinstance(dialog, Dialog):
                await unit.dialogs.delete(user_id)
                dialog = None
        if isinstance(dialog, Expired):
            return dialog
        return Start(participant, None if dialog is None else Draft.of(dialog))

    async def current(self, user_id: int) -> Draft | None:
        async with self._store.read() as unit:
            dialog = await unit.dialogs.get(user_id)
        return None if dialog is None else Draft.of(dialog)

    async def consent(self, user_id: int, agreed: bool) -> Result:
        """The answer to the consent notice. Refusal stores nothing (and drops any draft)."""
        now = self._clock.now()
        async with self._store.write() as unit:
            participant = await unit.participants.by_telegram_id(user_id)
            if participant is not None:
                return AlreadyRegistered(participant)
            if not agreed:
                await unit.dialogs.delete(user_id)
                return NoDialog()
            dialog = await self._live_dialog(unit, user_id)
            if isinstance(dialog, Dialog) and dialog.flow == Flow.REGISTRATION:
                return Asked(Draft.of(dialog))
            data = {"consent_at": to_db_time(now), "consent_version": CONSENT_VERSION}
            await unit.dialogs.save(user_id, Flow.REGISTRATION, Step.NAME, data, now)
        return Asked(Draft(Flow.REGISTRATION, Step.NAME, data))

    async def begin_edit(self, user_id: int, step: Step) -> Result:
        """A registered participant chose a field to change in /profil."""
        if step not in EDITABLE:
            return Stale()
        async with self._store.write() as unit:
            participant = await unit.participants.by_telegram_id(user_id)
            if participant is None:
                return NoDialog()
            data: dict[str, Any] = {"province_code": participant.province_code}
            await unit.dialogs.save(user_id, Flow.PROFILE, step, data, self._clock.now())
        return Asked(Draft(Flow.PROFILE, step, data))

    async def cancel(self, user_id: int) -> Flow | None:
        """Discard the dialog in progress and everything typed in it; returns which flow that was."""
        async with self._store.write() as unit:
            dialog = await unit.dialogs.get(user_id)
            if dialog is None:
                return None
            await unit.dialogs.delete(user_id)
        return Flow(dialog.flow)

    async def purge_idle(self) -> int:
        """Delete dialogs left alone longer than the timeout (drafts of personal data must not linger)."""
        async with self._store.write() as unit:
            return await unit.dialogs.delete_idle_since(self._clock.now() - self._timeout)

    # ----------------------------------------------------------------- answers

    async def answer(self, user_id: int, answer: Answer, *, step: Step | None = None) -> Result:
        """Apply an answer to the question the person is at.

        `step` is the question a button belongs to; a button of any other question is refused as stale.
        """
        async with self._store.write() as unit:
            dialog = await self._live_dialog(unit, user_id)
            if dialog is None or isinstance(dialog, Expired):
                return dialog or NoDialog()
            draft = Draft.of(dialog)
            if step is not None and step is not draft.step:
                return Stale()
            if draft.step is Step.SUMMARY:
                return await self._summary(unit, user_id, draft, answer)
            if draft.step is Step.EDIT_PICK:
                return await self._pick(unit, user_id, draft, answer)
            try:
                values = await self._parse(unit, user_id, draft, answer)
            except ValidationError as error:
                return Invalid(draft, error.key, dict(error.params), self._options(error))
            except _Refused:
                return Stale()
            data = {**draft.data, **values}
            if draft.flow is Flow.PROFILE:
                return await self._profile_step(unit, user_id, draft, data)
            next_step = self._next(draft, data)
            await unit.dialogs.save(user_id, draft.flow, next_step, data, self._clock.now())
            return Asked(Draft(draft.flow, next_step, data))

    async def _summary(self, unit: Unit, user_id: int, draft: Draft, answer: Answer) -> Result:
        if not isinstance(answer, Choice):
            return Invalid(draft, "err-use-buttons")
        if answer.value == EDIT:
            await unit.dialogs.save(user_id, draft.flow, Step.EDIT_PICK, draft.data, self._clock.now())
            return Asked(Draft(draft.flow, Step.EDIT_PICK, draft.data))
        if answer.value != CONFIRM:
            return Stale()
        existing = await unit.participants.by_telegram_id(user_id)
        if existing is not None:
            await unit.dialogs.delete(user_id)
            return AlreadyRegistered(existing)
        holder = await unit.participants.nik_holder(draft.data["nik"])
        if holder is not None and holder != user_id:
            # Someone registered this NIK while the summary was open: back to the NIK question.
            data = {**draft.data, "editing": True}
            await unit.dialogs.save(user_id, draft.flow, Step.NIK, data, self._clock.now())
            return Invalid(Draft(draft.flow, Step.NIK, data), "err-nik-taken")
        details = Details.of(draft.data)
        participant = await unit.participants.create(
            NewParticipant(
                telegram_user_id=user_id,
                **asdict(details),
                needs_verification=not self._eligible(details.phk_date, details.province_code),
                consent_at=from_db_time(draft.data["consent_at"]),
                consent_version=draft.data["consent_version"],
            ),
            self._clock.now(),
        )
        await unit.dialogs.delete(user_id)
        return Registered(participant)

    async def _pick(self, unit: Unit, user_id: int, draft: Draft, answer: Answer) -> Result:
        if not isinstance(answer, Choice):
            return Invalid(draft, "err-use-buttons")
        if answer.value == BACK:
            target = Step.SUMMARY
            data = {k: v for k, v in draft.data.items() if k != "editing"}
        elif answer.value in {s.value for s in EDITABLE}:
            target = Step(answer.value)
            data = {**draft.data, "editing": True}
        else:
            return Stale()
        await unit.dialogs.save(user_id, draft.flow, target, data, self._clock.now())
        return Asked(Draft(draft.flow, target, data))

    async def _profile_step(self, unit: Unit, user_id: int, draft: Draft, data: dict[str, Any]) -> Result:
        now = self._clock.now()
        if draft.step is Step.PROVINCE:
            await unit.dialogs.save(user_id, draft.flow, Step.REGENCY, data, now)
            return Asked(Draft(draft.flow, Step.REGENCY, data))
        participant = await unit.participants.by_telegram_id(user_id)
        if participant is None:
            await unit.dialogs.delete(user_id)
            return NoDialog()
        changes = _changes_for(draft.step, data)
        if draft.step is Step.PHK_DATE or draft.step is Step.REGENCY:
            phk_date = date.fromisoformat(data["phk_date"]) if "phk_date" in data else participant.phk_date
            changes["needs_verification"] = not self._eligible(phk_date, data["province_code"])
        updated = await unit.participants.update(participant.id, changes, now)
        await unit.dialogs.delete(user_id)
        return ProfileUpdated(updated)

    def _next(self, draft: Draft, data: dict[str, Any]) -> Step:
        if draft.step is Step.PROVINCE:
            return Step.REGENCY  # a new province needs its regency, also when editing
        if draft.editing:
            return Step.SUMMARY
        position = QUESTIONS.index(draft.step)
        return QUESTIONS[position + 1] if position + 1 < len(QUESTIONS) else Step.SUMMARY

    # ----------------------------------------------------------------- validation of one answer

    async def _parse(self, unit: Unit, user_id: int, draft: Draft, answer: Answer) -> dict[str, Any]:
        step = draft.step
        if isinstance(answer, Contact):
            if step is not Step.PHONE:
                raise ValidationError("err-unsupported-message")
            if not answer.own:
                raise ValidationError("err-contact-not-own")
            return {"phone": parse_phone(answer.phone, from_contact=True)}
        if isinstance(answer, Choice):
            return self._choice(step, answer.value)
        text = answer.text
        today = self._today(draft.data.get("province_code"))
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
                return {"regency": parse_regency(text)}
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

    def _choice(self, step: Step, value: str) -> dict[str, Any]:
        """A button press for a question; values no button offers are forged and refused."""
        if step is Step.KPJ and value == KPJ_UNKNOWN:
            return {"kpj": None}
        if step is Step.PROVINCE and self._provinces.get(value) is not None:
            return {"province_code": value}
        if step is Step.EDUCATION and value in EDUCATION_LEVELS:
            return {"education": value}
        raise _Refused

    @staticmethod
    def _options(error: ValidationError) -> tuple[str, ...]:
        return error.options if isinstance(error, _Ambiguous) else ()

    # ----------------------------------------------------------------- helpers

    @property
    def _timeout(self) -> timedelta:
        return timedelta(hours=self._settings.registration_timeout_hours)

    async def _live_dialog(self, unit: Unit, user_id: int) -> Dialog | Expired | None:
        dialog = await unit.dialogs.get(user_id)
        if dialog is not None and dialog.updated_at < self._clock.now() - self._timeout:
            await unit.dialogs.delete(user_id)
            return Expired()
        return dialog

    def _today(self, province_code: str | None) -> date:
        province = self._provinces.get(province_code) if province_code else None
        zone = province.tzinfo if province is not None else DEFAULT_TIMEZONE
        return self._clock.now().astimezone(zone).date()

    def _eligible(self, phk_date: date, province_code: str) -> bool:
        return phk_eligible(
            phk_date,
            self._today(province_code),
            self._settings.eligibility_min_months,
            self._settings.eligibility_max_months,
        )


class _Refused(Exception):
    """A button value no keyboard offered."""


class _Ambiguous(ValidationError):
    """A typed province that fits several: offer them as buttons."""

    def __init__(self, options: tuple[str, ...]) -> None:
        super().__init__("err-province-ambiguous")
        self.options = options


def _changes_for(step: Step, data: dict[str, Any]) -> dict[str, object]:
    """The participant columns a finished profile edit changes."""
    match step:
        case Step.NAME:
            return {"full_name": data["full_name"]}
        case Step.NIK:
            born = date.fromisoformat(data["birth_date"])
            return {"nik": data["nik"], "birth_date": born, "birth_year": born.year, "gender": data["gender"]}
        case Step.KPJ:
            return {"kpj": data["kpj"]}
        case Step.PHONE:
            return {"phone": data["phone"]}
        case Step.REGENCY:
            return {"province_code": data["province_code"], "regency": data["regency"]}
        case Step.EMPLOYER:
            return {"last_employer": data["last_employer"]}
        case Step.PHK_DATE:
            return {"phk_date": date.fromisoformat(data["phk_date"])}
        case Step.EDUCATION:
            return {"education": data["education"]}
    raise ValueError(f"{step} is not a field")
