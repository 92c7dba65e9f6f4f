"""Every keyboard the bot shows, with its callback data.

Callback data (at most 64 bytes, Telegram's limit) says what a button answers:
  consent:yes|no            the consent notice
  d:<step>:<value>          an answer to the dialog question <step>; refused when the dialog is elsewhere
  d:province:r:<region>     browse the provinces of a region (no answer yet); d:province:regions goes back
  profile:<step>            change one field of the profile
  lang:<code>               pick a language
  erase:yes|no              confirm /hapusdata
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.i18n import Translator
from bot.services.education import EDUCATION_LEVELS
from bot.services.provinces import Province, ProvinceCatalog
from bot.services.regencies import KABUPATEN, KOTA
from bot.services.registration_dialog import BACK, CONFIRM, EDIT, EDITABLE, KPJ_UNKNOWN, Step

MENU_KEYS = (
    "menu-courses",
    "menu-schedule",
    "menu-employment",
    "menu-profile",
    "menu-ask",
    "menu-help",
    "menu-vacancies",
)


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def answer_data(step: Step, value: str) -> str:
    return f"d:{step.value}:{value}"


def main_menu(t: Translator, *, vacancies: bool = False) -> ReplyKeyboardMarkup:
    """The participant's menu; "🔎 Lowongan" beside "Status Kerja" for those the vacancies are for
    (VacancyBrowser.qualifies: bot/handlers/common.py main_menu_for asks it)."""
    rows = [
        [t("menu-courses"), t("menu-schedule")],
        [t("menu-employment"), t("menu-profile")],
        [t("menu-ask"), t("menu-help")],
    ]
    if vacancies:
        rows[1:] = [[t("menu-employment"), t("menu-vacancies")], [t("menu-profile"), t("menu-ask"), t("menu-help")]]
    return ReplyKeyboardMarkup(
        rows,
        resize_keyboard=True,
        is_persistent=True,
    )


def register_as_participant(t: Translator) -> InlineKeyboardMarkup:
    """Under a staff member's welcome: the consent notice, for one who also takes part in the programme."""
    button = InlineKeyboardButton(t("btn-register-as-participant"), callback_data="consent:show")
    return InlineKeyboardMarkup([[button]])


def consent(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("btn-consent-yes"), callback_data="consent:yes")],
            [InlineKeyboardButton(t("btn-consent-no"), callback_data="consent:no")],
        ]
    )


def kpj_unknown(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("btn-kpj-unknown"), callback_data=answer_data(Step.KPJ, KPJ_UNKNOWN))]]
    )


def share_phone(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t("btn-share-phone"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=t("phone-placeholder"),
    )


def regions(t: Translator, provinces: ProvinceCatalog) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(t(f"region-{region}"), callback_data=f"d:{Step.PROVINCE.value}:r:{region}")
        for region in provinces.regions()
    ]
    return InlineKeyboardMarkup(_rows(buttons, 2))


def province_choices(t: Translator, choices: Sequence[Province], *, back: bool) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(p.name, callback_data=answer_data(Step.PROVINCE, p.code)) for p in choices]
    rows = _rows(buttons, 2)
    if back:
        rows.append([InlineKeyboardButton(t("btn-back"), callback_data=f"d:{Step.PROVINCE.value}:regions")])
    return InlineKeyboardMarkup(rows)


def regency_twin(t: Translator, name: str) -> InlineKeyboardMarkup:
    """ "Kota Bandung" / "Kabupaten Bandung": which of the two a bare "bandung" meant."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("btn-regency-kota", name=name), callback_data=answer_data(Step.REGENCY, KOTA)),
                InlineKeyboardButton(
                    t("btn-regency-kabupaten", name=name), callback_data=answer_data(Step.REGENCY, KABUPATEN)
                ),
            ]
        ]
    )


def education(t: Translator) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(t(f"edu-{level}"), callback_data=answer_data(Step.EDUCATION, level))
        for level in EDUCATION_LEVELS
    ]
    return InlineKeyboardMarkup(_rows(buttons, 3))


def summary(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("btn-confirm"), callback_data=answer_data(Step.SUMMARY, CONFIRM))],
            [InlineKeyboardButton(t("btn-edit"), callback_data=answer_data(Step.SUMMARY, EDIT))],
        ]
    )


def edit_pick(t: Translator) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(t(f"field-{step.value}"), callback_data=answer_data(Step.EDIT_PICK, step.value))
        for step in EDITABLE
    ]
    rows = _rows(buttons, 2)
    rows.append([InlineKeyboardButton(t("btn-back"), callback_data=answer_data(Step.EDIT_PICK, BACK))])
    return InlineKeyboardMarkup(rows)


def profile(t: Translator) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            t.plain("btn-edit-field", field=t(f"field-{step.value}")), callback_data=f"profile:{step.value}"
        )
        for step in EDITABLE
    ]
    return InlineKeyboardMarkup(_rows(buttons, 2))


def languages(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("lang-name-id"), callback_data="lang:id")],
            [InlineKeyboardButton(t("lang-name-en"), callback_data="lang:en")],
        ]
    )


def erase_confirm(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("btn-erase-yes"), callback_data="erase:yes")],
            [InlineKeyboardButton(t("btn-erase-no"), callback_data="erase:no")],
        ]
    )


def paged_list(
    t: Translator, items: Sequence[tuple[str, str]], prefix: str, page: int, pages: int, cat: str, *, filterable: bool
) -> InlineKeyboardMarkup | None:
    """A list edited in place (/pelatihan, /loker): a button per item (label, callback data), ◀ ▶ to the pages
    `<prefix>:p:<page>:<cat>`, and the category choice `<prefix>:f:<page>:<cat>` when there are categories."""
    rows = [[InlineKeyboardButton(label, callback_data=data)] for label, data in items]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(t("btn-previous"), callback_data=f"{prefix}:p:{page - 1}:{cat}"))
    if page + 1 < pages:
        nav.append(InlineKeyboardButton(t("btn-next"), callback_data=f"{prefix}:p:{page + 1}:{cat}"))
    if nav:
        rows.append(nav)
    if filterable:
        rows.append([InlineKeyboardButton(t("btn-filter"), callback_data=f"{prefix}:f:{page}:{cat}")])
    return InlineKeyboardMarkup(rows) if rows else None
