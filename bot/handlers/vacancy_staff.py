"""/lowongan: job vacancies for staff. Alone, the open vacancies they may act on with their applicant counts;
with a code, the vacancy and its applicant list (name, phone, courses, certificate number, status), a few per page
in one message edited in place, with each applicant's step buttons and an "📄 XLSX" of the whole list.

  /lowongan                 the open vacancies (an LPK member: their own)
  /lowongan KODE            the vacancy's applicants
  /lowongan KODE xlsx       the applicant list as a workbook

Callback data (the role is checked where it is registered; a vacancy outside the member's scope is refused like a
stale button and audited, and a forged application changes nothing):
  lw:p:<vacancy>:<page>                               another page
  lw:s:<vacancy>:<application>:<step index>:<page>    a step (STAFF_STEPS) for one applicant
  lw:x:<vacancy>                                      the workbook
Every list and workbook shown is audited (names and phones are personal data), never the data itself.
"""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.context import VokasiContext
from bot.handlers.access import refuse
from bot.handlers.common import edit_pressed, send, translator_for, user_id_of
from bot.i18n import Raw, Translator
from bot.services.enrollment import Refusal
from bot.services.vacancy_sheets import applicants_workbook
from bot.services.vacancy_staff import STAFF_STEPS, Applicant
from bot.storage.vacancies import Vacancy
from bot.storage.vacancy_staff import VacancyLine

PATTERN = r"^lw:(p:\d{1,9}:\d{1,4}|s:\d{1,9}:\d{1,9}:[0-3]:\d{1,4}|x:\d{1,9})$"
# Two lines an applicant: with the heading and the legend a page stays under a dozen lines on a phone.
PAGE_SIZE = 4
# The list of open vacancies: one line each, in one message.
LIST_LINES = 30
STEP_MARKS = {"sent": "📤", "interview": "🗣", "hired": "✅", "rejected": "❌"}


async def vacancies_command(update: Update, context: VokasiContext) -> None:
    """/lowongan [KODE [xlsx]]."""
    t = await translator_for(update, context)
    args = context.args or []
    actor = user_id_of(update)
    if not args:
        await send(update, context, list_text(t, await context.services.vacancy_staff.open_vacancies(actor)))
        return
    if len(args) > 2 or (len(args) == 2 and args[1].lower() != "xlsx"):
        await send(update, context, t("vacancy-staff-usage"))
        return
    code = args[0][:30]
    vacancy = await context.services.vacancy_staff.vacancy(actor, "lowongan", code=code)
    if isinstance(vacancy, Refusal):  # outside the member's scope (audited): like a staff tool they may not use
        await refuse(update, context)
        return
    if vacancy is None:
        await send(update, context, t("vacancy-staff-unknown", code=code) + "\n\n" + t("vacancy-staff-usage"))
        return
    if len(args) == 2:
        await _send_workbook(update, context, t, vacancy)
        return
    text, markup = await _page(t, context, actor, vacancy, 0)
    await send(update, context, text, markup)


async def vacancy_button(update: Update, context: VokasiContext) -> None:
    """lw:...: a page, a step for an applicant, or the workbook."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    parts = (query.data or "").split(":")
    actor = user_id_of(update)
    vacancy = await context.services.vacancy_staff.vacancy(actor, "button:lowongan", vacancy_id=int(parts[2]))
    if not isinstance(vacancy, Vacancy):  # gone, or outside the member's scope (audited)
        await refuse(update, context)
        return
    if parts[1] == "x":
        await query.answer()
        await _send_workbook(update, context, t, vacancy)
        return
    page = int(parts[-1])
    if parts[1] == "s":
        step = STAFF_STEPS[int(parts[4])]
        done = await context.services.vacancy_staff.set_status(actor, vacancy, int(parts[3]), step)
        if isinstance(done, Refusal):
            await query.answer(t(done.key, **done.params), show_alert=True)
            return
        await query.answer(t.plain("vacancy-staff-step-done", name=done.name, status=t.plain(f"vacancy-status-{step}")))
    else:
        await query.answer()
    text, markup = await _page(t, context, actor, vacancy, page)
    await edit_pressed(query, text, reply_markup=markup)


def list_text(t: Translator, lines: list[VacancyLine]) -> str:
    if not lines:
        return t("vacancy-staff-none")
    shown = [
        t(
            "vacancy-staff-list-line",
            code=line.code,
            position=line.position,
            employer=line.employer,
            closes=t.date(line.closes_on),
            counts=Raw(_counts(t, line.counts) if line.apply_method == "bot" else t("vacancy-staff-not-in-bot")),
        )
        for line in lines[:LIST_LINES]
    ]
    if len(lines) > LIST_LINES:
        shown.append(t("vacancy-staff-more", count=len(lines) - LIST_LINES))
    return (
        t("vacancy-staff-list-head", count=len(lines)) + "\n\n" + "\n".join(shown) + "\n\n" + t("vacancy-staff-usage")
    )


# ---------------------------------------------------------------------- inside


def _counts(t: Translator, counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return t("vacancy-staff-no-applicants")
    parts = [
        t("vacancy-staff-count", n=counts[s], status=t.plain(f"vacancy-status-{s}"))
        for s in ("interested", *STAFF_STEPS)
        if counts.get(s)
    ]
    return t("vacancy-staff-applicants", n=total, detail=Raw(", ".join(parts)))


async def _page(
    t: Translator, context: VokasiContext, actor: int, vacancy: Vacancy, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    applicants = await context.services.vacancy_staff.applicants(vacancy.id)
    pages = max(1, -(-len(applicants) // PAGE_SIZE))
    page = min(page, pages - 1)
    first = page * PAGE_SIZE
    shown = applicants[first : first + PAGE_SIZE]
    # Who saw which vacancy's applicants (names and phones), and when; never the data itself.
    await context.services.staff.audit(actor, "vacancy:applicants", {"vacancy": vacancy.code, "page": page + 1})
    head = t(
        "vacancy-staff-head",
        code=vacancy.code,
        position=vacancy.position,
        employer=vacancy.employer,
        place=_place(t, context, vacancy),
        closes=t.date(vacancy.closes_on),
        count=len(applicants),
        page=page + 1,
        pages=pages,
    )
    if vacancy.apply_method != "bot":
        body = t("vacancy-staff-not-in-bot")
    elif not applicants:
        body = t("vacancy-staff-no-applicants")
    else:
        body = "\n".join(_line(t, first + i + 1, a) for i, a in enumerate(shown)) + "\n\n" + t("vacancy-staff-legend")
    rows = [
        [
            InlineKeyboardButton(
                f"{STEP_MARKS[step]} {first + i + 1}",
                callback_data=f"lw:s:{vacancy.id}:{a.application.id}:{index}:{page}",
            )
            for index, step in enumerate(STAFF_STEPS)
        ]
        for i, a in enumerate(shown)
    ]
    navigation = []
    if page > 0:
        navigation.append(InlineKeyboardButton(t("btn-roster-previous"), callback_data=f"lw:p:{vacancy.id}:{page - 1}"))
    if page < pages - 1:
        navigation.append(InlineKeyboardButton(t("btn-roster-next"), callback_data=f"lw:p:{vacancy.id}:{page + 1}"))
    if applicants:
        navigation.append(InlineKeyboardButton(t("btn-vacancy-xlsx"), callback_data=f"lw:x:{vacancy.id}"))
    if navigation:
        rows.append(navigation)
    return head + "\n\n" + body, InlineKeyboardMarkup(rows)


def _line(t: Translator, number: int, applicant: Applicant) -> str:
    return t(
        "vacancy-staff-line",
        n=number,
        name=applicant.name,
        phone=applicant.phone or "-",
        status=t.plain(f"vacancy-status-{applicant.application.status}"),
        courses="; ".join(applicant.courses) or "-",
        certificates=", ".join(applicant.certificates) or "-",
    )


def _place(t: Translator, context: VokasiContext, vacancy: Vacancy) -> str:
    if vacancy.province_code is None:
        return t.plain("vacancy-staff-anywhere")
    province = context.services.provinces.get(vacancy.province_code)
    name = province.name if province is not None else vacancy.province_code
    return f"{vacancy.regency}, {name}" if vacancy.regency else name


async def _send_workbook(update: Update, context: VokasiContext, t: Translator, vacancy: Vacancy) -> None:
    chat = update.effective_chat
    assert chat is not None
    applicants = await context.services.vacancy_staff.applicants(vacancy.id)
    content = await asyncio.to_thread(applicants_workbook, t, vacancy, applicants)
    stamp = context.services.clock.now().strftime("%Y%m%d")
    await context.bot.send_document(
        chat.id,
        InputFile(content, filename=f"pelamar-{vacancy.code}-{stamp}.xlsx"),
        caption=t.plain("vacancy-xlsx-caption", code=vacancy.code, count=len(applicants)),
    )
    # Like the report's workbook: who took which personal data out of the bot, and when.
    await context.services.staff.audit(
        user_id_of(update), "vacancy:export", {"vacancy": vacancy.code, "applicants": len(applicants)}
    )
