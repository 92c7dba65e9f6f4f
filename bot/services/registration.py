"""Registration and profile editing: a dialog whose step and answers are rows, so a restart resumes it.

The service leads it from the consent notice to the summary, then creates the participant (or, for a profile
edit, updates the one field). Every answer is read (registration_answers) and saved in one transaction; the
handler layer turns the results (registration_dialog) into questions, explanations and keyboards, and nothing
here knows about Telegram.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.services.dates import phk_eligible
from bot.services.provinces import ProvinceCatalog
from bot.services.registration_answers import AnswerReader, Refused, local_today, options_of
from bot.services.registration_dialog import (
    BACK,
    CONFIRM,
    EDIT,
    EDITABLE,
    QUESTIONS,
    REGENCY_TWIN,
    AlreadyRegistered,
    Answer,
    Asked,
    Choice,
    Details,
    Draft,
    Expired,
    Flow,
    Invalid,
    NoDialog,
    ProfileUpdated,
    Registered,
    Result,
    Stale,
    Start,
    Step,
)
from bot.services.validation import ValidationError
from bot.storage.db import from_db_time, to_db_time
from bot.storage.dialogs import Dialog
from bot.storage.participants import NewParticipant
from bot.storage.store import Store, Unit

# Bump whenever the consent notice (message "consent-notice") changes in substance: each participant's row
# records the version they agreed to (UU PDP No. 27/2022 asks us to show what was consented to, and when).
CONSENT_VERSION = "2026-11-v2"


class RegistrationService:
    def __init__(self, store: Store, provinces: ProvinceCatalog, settings: Settings, clock: Clock) -> None:
        self._store = store
        self._provinces = provinces
        self._settings = settings
        self._clock = clock
        self._answers = AnswerReader(provinces, clock)

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
                values = await self._answers.read(unit, user_id, draft, answer)
            except ValidationError as error:
                return Invalid(draft, error.key, dict(error.params), options_of(error))
            except Refused:
                return Stale()
            data = {**draft.data, **values}
            if REGENCY_TWIN in values:  # "bandung": stay at the question and ask whether Kota or Kabupaten
                await unit.dialogs.save(user_id, draft.flow, draft.step, data, self._clock.now())
                return Asked(Draft(draft.flow, draft.step, data))
            data.pop(REGENCY_TWIN, None)
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

    def _eligible(self, phk_date: date, province_code: str) -> bool:
        return phk_eligible(
            phk_date,
            local_today(self._provinces, province_code, self._clock.now()),
            self._settings.eligibility_min_months,
            self._settings.eligibility_max_months,
        )


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
