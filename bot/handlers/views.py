"""Texts built from a participant's data: the registration summary and the profile."""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

from bot.i18n import Raw, Translator
from bot.services.provinces import ProvinceCatalog
from bot.services.registration import DEFAULT_TIMEZONE
from bot.services.validation import mask_nik
from bot.storage.participants import Participant


def _domicile(provinces: ProvinceCatalog, province_code: str | None, regency: str | None) -> str:
    province = provinces.get(province_code) if province_code else None
    if province is None:
        return "-"
    return f"{regency}, {province.name} ({province.zone})" if regency else f"{province.name} ({province.zone})"


def _fields(
    t: Translator,
    provinces: ProvinceCatalog,
    *,
    full_name: str,
    nik: str,
    birth_date: date,
    gender: str,
    kpj: str | None,
    phone: str,
    province_code: str | None,
    regency: str | None,
    last_employer: str,
    phk_date: date,
    education: str,
) -> dict[str, Any]:
    return {
        "name": full_name,
        "nik": mask_nik(nik),
        "birth_date": t.date(birth_date),
        "gender": t(f"gender-{gender.lower()}"),
        "kpj": kpj if kpj else Raw(t("kpj-missing")),
        "phone": phone,
        "domicile": _domicile(provinces, province_code, regency),
        "employer": last_employer,
        "phk_date": t.date(phk_date),
        "education": t(f"edu-{education}"),
    }


def _zone(provinces: ProvinceCatalog, participant: Participant) -> tzinfo:
    province = provinces.get(participant.province_code)
    return province.tzinfo if province is not None else DEFAULT_TIMEZONE


def summary_text(t: Translator, provinces: ProvinceCatalog, data: dict[str, Any]) -> str:
    """The answers of a registration, to check before saving (NIK masked)."""
    fields = _fields(
        t,
        provinces,
        full_name=data["full_name"],
        nik=data["nik"],
        birth_date=date.fromisoformat(data["birth_date"]),
        gender=data["gender"],
        kpj=data.get("kpj"),
        phone=data["phone"],
        province_code=data.get("province_code"),
        regency=data.get("regency"),
        last_employer=data["last_employer"],
        phk_date=date.fromisoformat(data["phk_date"]),
        education=data["education"],
    )
    return t("summary", details=Raw(t("details", **fields)))


def profile_text(t: Translator, provinces: ProvinceCatalog, participant: Participant) -> str:
    """A registered participant's own data (NIK masked) and status."""
    assert participant.full_name and participant.nik and participant.birth_date and participant.gender
    fields = _fields(
        t,
        provinces,
        full_name=participant.full_name,
        nik=participant.nik,
        birth_date=participant.birth_date,
        gender=participant.gender,
        kpj=participant.kpj,
        phone=participant.phone or "-",
        province_code=participant.province_code,
        regency=participant.regency,
        last_employer=participant.last_employer or "-",
        phk_date=participant.phk_date,
        education=participant.education,
    )
    status = t("status-needs-verification") if participant.needs_verification else t("status-registered")
    return t(
        "profile",
        details=Raw(t("details", **fields)),
        status=status,
        registered=t.date(participant.registered_at.astimezone(_zone(provinces, participant)).date()),
    )
