"""The audience panel of a broadcast draft: the filters chosen so far with the number of recipients they leave, the
buttons that change them, and the pickers those buttons open (courses, enrolment states, provinces, regencies,
employment statuses). Views only: bot/handlers/broadcasts.py applies the buttons.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import VokasiContext
from bot.i18n import Translator
from bot.services.broadcasts import EMPLOYMENT_FILTERS, ENROLLMENT_STATES, Panel
from bot.services.enrollment import Refusal
from bot.services.staff import Scope
from bot.storage.broadcasts import Audience

# Telegram shows at most 100 buttons under a message: the rest of a long regency list stays out of the picker.
MAX_REGENCIES = 90


async def picker(
    t: Translator, context: VokasiContext, base: str, action: str, audience: Audience, scope: Scope
) -> InlineKeyboardMarkup | Refusal:
    """The choices of one filter (`action`: c, e, p, r or w), with "all" and a way back to the panel; the courses
    of the staff member's scope only."""
    broadcasts = context.services.broadcasts
    rows: list[list[InlineKeyboardButton]] = []
    match action:
        case "c":
            rows = [
                [InlineKeyboardButton(f"{code} · {title}", callback_data=f"{base}:c:{cid}")]
                for cid, code, title in await broadcasts.courses(scope)
            ]
            if scope.institutes is None:  # an LPK member's announcement goes to one of their courses
                rows.append([InlineKeyboardButton(t("btn-filter-all-courses"), callback_data=f"{base}:c:0")])
        case "e":
            rows = [
                [InlineKeyboardButton(t(f"filter-enrollment-{state}"), callback_data=f"{base}:e:{state}")]
                for state in ENROLLMENT_STATES
            ]
            rows.append([InlineKeyboardButton(t("btn-filter-all"), callback_data=f"{base}:e:all")])
        case "p":
            names = [(code, province_name(context, code)) for code in await broadcasts.provinces()]
            buttons = [InlineKeyboardButton(name, callback_data=f"{base}:p:{code}") for code, name in names]
            rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
            rows.append([InlineKeyboardButton(t("btn-filter-all"), callback_data=f"{base}:p:all")])
        case "r":
            if audience.province_code is None:
                return Refusal("broadcast-pick-province-first")
            regencies = await broadcasts.regencies(audience.province_code)
            buttons = [
                InlineKeyboardButton(name, callback_data=f"{base}:r:{i}")
                for i, name in enumerate(regencies[:MAX_REGENCIES])
            ]
            rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
            rows.append([InlineKeyboardButton(t("btn-filter-all"), callback_data=f"{base}:r:all")])
        case _:  # "w"
            rows = [
                [InlineKeyboardButton(t(f"employment-{status}"), callback_data=f"{base}:w:{status}")]
                for status in EMPLOYMENT_FILTERS
            ]
            rows.append([InlineKeyboardButton(t("btn-filter-all"), callback_data=f"{base}:w:all")])
    rows.append([InlineKeyboardButton(t("btn-back"), callback_data=f"{base}:a")])
    return InlineKeyboardMarkup(rows)


async def panel_view(t: Translator, context: VokasiContext, panel: Panel) -> tuple[str, InlineKeyboardMarkup]:
    """The panel's text (filters and recipient count) and its buttons. An LPK member's count is 0 until they pick
    one of their courses (nothing is sent before; the programme-wide figure is not theirs to see)."""
    audience, base = panel.broadcast.audience, f"b:{panel.broadcast.id}"
    limited = (await context.services.staff.scope(panel.broadcast.created_by)).institutes is not None
    count = 0 if limited and audience.course_id is None else panel.count
    every = t("filter-every")
    course = every
    if audience.course_id is not None:
        course = next(
            (
                f"{code} · {title}"
                for cid, code, title in await context.services.broadcasts.courses()
                if cid == audience.course_id
            ),
            str(audience.course_id),
        )
    enrollment = t(f"filter-enrollment-{audience.enrollment}") if audience.enrollment else every
    province = province_name(context, audience.province_code) if audience.province_code else every
    regency = audience.regency or every
    employment = t(f"employment-{audience.employment_status}") if audience.employment_status else every
    text = t(
        "broadcast-panel",
        id=panel.broadcast.id,
        count=count,
        course=course,
        enrollment=enrollment,
        province=province,
        regency=regency,
        employment=employment,
        missed=t("filter-yes") if audience.missed_checkin else t("filter-no"),
    )
    tick = "☑️" if audience.missed_checkin else "⬜"
    rows = [
        [
            InlineKeyboardButton(t("btn-filter-course"), callback_data=f"{base}:c"),
            InlineKeyboardButton(t("btn-filter-enrollment"), callback_data=f"{base}:e"),
        ],
        [
            InlineKeyboardButton(t("btn-filter-province"), callback_data=f"{base}:p"),
            InlineKeyboardButton(t("btn-filter-regency"), callback_data=f"{base}:r"),
        ],
        [InlineKeyboardButton(t("btn-filter-employment"), callback_data=f"{base}:w")],
        [InlineKeyboardButton(f"{tick} {t.plain('btn-filter-missed')}", callback_data=f"{base}:m")],
        [InlineKeyboardButton(t("btn-broadcast-send", count=count), callback_data=f"{base}:go")],
        [
            InlineKeyboardButton(t("btn-broadcast-schedule"), callback_data=f"{base}:t"),
            InlineKeyboardButton(t("btn-broadcast-cancel"), callback_data=f"{base}:x"),
        ],
    ]
    return text, InlineKeyboardMarkup(rows)


def province_name(context: VokasiContext, code: str) -> str:
    province = context.services.provinces.get(code)
    return province.name if province is not None else code
