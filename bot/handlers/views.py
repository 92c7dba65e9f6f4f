"""Texts built from a participant's data: the registration summary and the profile."""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Protocol

from bot.i18n import Raw, Translator
from bot.services.provinces import ProvinceCatalog
from bot.services.registration_dialog import DEFAULT_TIMEZONE, Details
from bot.storage.participants import Participant
from bot.storage.vault import mask_nik


def _domicile(provinces: ProvinceCatalog, province_code: str | None, regency: str | None) -> str:
    province = provinces.get(province_code) if province_code else None
    if province is None:
        return "-"
    return f"{regency}, {province.name} ({province.zone})" if regency else f"{province.name} ({province.zone})"


class PersonalDetails(Protocol):
    """What the summary and the profile show: a registration's Details or a stored Participant."""

    @property
    def full_name(self) -> str | None: ...
    @property
    def nik(self) -> str | None: ...
    @property
    def birth_date(self) -> date | None: ...
    @property
    def gender(self) -> str | None: ...
    @property
    def kpj(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def province_code(self) -> str: ...
    @property
    def regency(self) -> str | None: ...
    @property
    def last_employer(self) -> str | None: ...
    @property
    def phk_date(self) -> date: ...
    @property
    def education(self) -> str: ...


def _details(t: Translator, provinces: ProvinceCatalog, person: PersonalDetails) -> Raw:
    return Raw(
        t(
            "details",
            name=person.full_name or "-",
            nik=mask_nik(person.nik) if person.nik else "-",
            birth_date=t.date(person.birth_date) if person.birth_date else "-",
            gender=t(f"gender-{person.gender.lower()}") if person.gender else "-",
            kpj=person.kpj if person.kpj else Raw(t("kpj-missing")),
            phone=person.phone or "-",
            domicile=_domicile(provinces, person.province_code, person.regency),
            employer=person.last_employer or "-",
            phk_date=t.date(person.phk_date),
            education=t(f"edu-{person.education}"),
        )
    )


def _zone(provinces: ProvinceCatalog, participant: Participant) -> tzinfo:
    province = provinces.get(participant.province_code)
    return province.tzinfo if province is not None else DEFAULT_TIMEZONE


def summary_text(t: Translator, provinces: ProvinceCatalog, details: Details) -> str:
    """The answers of a registration, to check before saving (NIK masked)."""
    return t("summary", details=_details(t, provinces, details))


def profile_text(t: Translator, provinces: ProvinceCatalog, participant: Participant) -> str:
    """A registered participant's own data (NIK masked) and status."""
    status = t("status-needs-verification") if participant.needs_verification else t("status-registered")
    return t(
        "profile",
        details=_details(t, provinces, participant),
        status=status,
        registered=t.date(participant.registered_at.astimezone(_zone(provinces, participant)).date()),
    )
