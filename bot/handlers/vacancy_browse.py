"""/loker and "🔎 Lowongan": open vacancies near the participant (one message edited in place, like /pelatihan),
a vacancy, and "✋ Saya tertarik" with its consent question and withdrawal.

Callback data (<cat> is the list's filter: "m" the person's own courses' categories, "a" all, or a category's index;
<page> the list page to go back to; a digest message opens a vacancy with v:d:<id>:0:a):
  v:p:<page>:<cat>          a page of the list
  v:f:<page>:<cat>          choose a category
  v:d:<id>:<page>:<cat>     a vacancy in one screen (its first requirements, or the application's progress)
  v:m:<id>:<page>:<cat>     everything: every requirement, how to apply, the code ("Selengkapnya"; "Ringkas" is v:d)
  v:i:<id>:<page>:<cat>     "Saya tertarik": the consent question
  v:y:<id>:<page>:<cat>     "Ya, kirim data saya": the consent recorded, the details again
  v:w:<id>:<page>:<cat>     "Tarik minat": the consent withdrawn (while not yet sent), the details again
A closed or unknown vacancy, a vacancy not applied for through the bot, a repeated "Ya" or a withdrawal of nothing
is answered in a notice and changes nothing.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import VokasiContext
from bot.handlers import keyboards
from bot.handlers.common import edit_pressed, main_menu_for, send, teaser, translator_for, user_id_of
from bot.i18n import Raw, Translator
from bot.services.enrollment import Refusal
from bot.services.provinces import ProvinceCatalog
from bot.services.vacancy_browse import EVERY, MINE, PAGE_SIZE, ConsentOffer, VacancyPage, VacancyView
from bot.storage.vacancies import APPLY_BOT, APPLY_LINK, INTERESTED, Vacancy

# c:... like the catalogue's; see the module docstring.
PATTERN = r"^v:((p|f):\d{1,4}:(a|m|\d{1,3})|(d|m|i|y|w):\d{1,9}:\d{1,4}:(a|m|\d{1,3}))$"
# An application's step as the participant reads it (literal keys, so the catalogue check sees each one).
PROGRESS_KEYS = {
    INTERESTED: "vacancy-progress-interested",
    "sent": "vacancy-progress-sent",
    "interview": "vacancy-progress-interview",
    "hired": "vacancy-progress-hired",
    "rejected": "vacancy-progress-rejected",
}


# --------------------------------------------------------------------- texts


def where(t: Translator, provinces: ProvinceCatalog, vacancy: Vacancy) -> str:
    """Kota Cilegon, Banten; Banten; or Seluruh Indonesia."""
    province = provinces.get(vacancy.province_code) if vacancy.province_code else None
    if province is None:
        return t.plain("vacancy-anywhere")
    return f"{vacancy.regency}, {province.name}" if vacancy.regency else province.name


def salary(t: Translator, low: int | None, high: int | None) -> str | None:
    """Rp3.000.000–Rp4.500.000, mulai Rp3.000.000, hingga Rp4.500.000; None when the vacancy names no salary."""
    if low is not None and high is not None:
        if low == high:
            return t.plain("vacancy-rupiah", amount=t.number(low))
        return t.plain(
            "vacancy-salary-range",
            low=t.plain("vacancy-rupiah", amount=t.number(low)),
            high=t.plain("vacancy-rupiah", amount=t.number(high)),
        )
    if low is not None:
        return t.plain("vacancy-salary-from", low=t.plain("vacancy-rupiah", amount=t.number(low)))
    if high is not None:
        return t.plain("vacancy-salary-to", high=t.plain("vacancy-rupiah", amount=t.number(high)))
    return None


def _title(t: Translator, page: VacancyPage) -> str:
    if page.category_name is not None:
        return t("vacancies-title-category", category=page.category_name)
    if page.filtered_by_mine:
        return t("vacancies-title-mine", categories=", ".join(page.mine))
    return t("vacancies-title")


def page_text(t: Translator, provinces: ProvinceCatalog, page: VacancyPage) -> str:
    if page.nothing_open:
        return t(
            "vacancies-none-open",
            then=Raw(t("vacancies-will-tell" if page.wants_vacancies else "vacancies-ask-to-tell")),
        )
    if not page.vacancies:
        return t("vacancies-none-in-filter", title=Raw(_title(t, page)))
    lines = [
        t(
            "vacancies-line",
            number=number,
            position=vacancy.position,
            employer=vacancy.employer,
            where=where(t, provinces, vacancy),
            closes=t.date(vacancy.closes_on),
        )
        for number, vacancy in enumerate(page.vacancies, start=page.page * PAGE_SIZE + 1)
    ]
    return t(
        "vacancies-page",
        title=Raw(_title(t, page)),
        lines=Raw("\n\n".join(lines)),
        page=page.page + 1,
        pages=page.pages,
    )


def _how_to_apply(t: Translator, view: VacancyView) -> str:
    vacancy, application = view.vacancy, view.application
    if vacancy.apply_method == APPLY_LINK:
        return t("vacancy-apply-link")
    if vacancy.apply_method != APPLY_BOT:
        return t("vacancy-apply-contact", contact=vacancy.apply_detail)
    if application is not None and application.live:
        progress = t(PROGRESS_KEYS.get(application.status, "vacancy-progress-interested"), employer=vacancy.employer)
        return t("vacancy-apply-interested", progress=Raw(progress))
    if application is not None and application.withdrawn_at is not None:
        return t("vacancy-apply-withdrawn", then=Raw(t("vacancy-apply-bot")))
    return t("vacancy-apply-bot")


# A vacancy's summary shows its first requirements, each cut to about two phone lines.
REQUIREMENTS_SHOWN = 3
REQUIREMENT_LENGTH = 60


def _summary_more(t: Translator, view: VacancyView) -> str:
    """Under a vacancy's summary: the application's progress once the person applied, else the first requirements
    (and the contact when the employer is contacted directly)."""
    vacancy, application = view.vacancy, view.application
    if vacancy.apply_method == APPLY_BOT and application is not None and application.live:
        return t("vacancy-summary-progress", progress=Raw(_how_to_apply(t, view)))
    requirements = [line.strip() for line in vacancy.requirements.splitlines() if line.strip()]
    lines = [
        t("vacancy-requirement-line", requirement=teaser(line, REQUIREMENT_LENGTH))
        for line in requirements[:REQUIREMENTS_SHOWN]
    ]
    if len(requirements) > REQUIREMENTS_SHOWN:
        lines.append(t("vacancy-requirements-more", count=len(requirements) - REQUIREMENTS_SHOWN))
    more = t("vacancy-summary-requirements", lines=Raw("\n".join(lines))) if lines else ""
    if vacancy.apply_method not in (APPLY_BOT, APPLY_LINK):
        more += t("vacancy-summary-contact", contact=vacancy.apply_detail)
    return more


def detail_text(
    t: Translator, provinces: ProvinceCatalog, view: VacancyView, note: str = "", *, in_full: bool = False
) -> str:
    """A vacancy in one phone screen, its action buttons right under it; or everything ("Selengkapnya")."""
    vacancy = view.vacancy
    pay = salary(t, vacancy.salary_from, vacancy.salary_to)
    if in_full:
        return t(
            "vacancy-detail-full",
            position=vacancy.position,
            employer=vacancy.employer,
            sector=vacancy.sector,
            where=where(t, provinces, vacancy),
            salary=Raw(t("vacancy-salary-line", salary=pay)) if pay else "",
            closes=t.date(vacancy.closes_on),
            requirements=vacancy.requirements,
            how=Raw(_how_to_apply(t, view)),
            code=vacancy.code,
        )
    return t(
        "vacancy-detail",
        note=Raw(note + "\n\n" if note else ""),
        position=vacancy.position,
        employer=vacancy.employer,
        where=where(t, provinces, vacancy),
        salary=Raw(t("vacancy-salary-short", salary=pay)) if pay else "",
        closes=t.date(vacancy.closes_on),
        # The answer to the button just pressed says where the application stands.
        more=Raw("" if note else _summary_more(t, view)),
    )


def consent_text(t: Translator, offer: ConsentOffer) -> str:
    courses = [
        t("vacancy-consent-course", title=c.title, number=c.certificate)
        if c.certificate
        else t("vacancy-consent-course-no-certificate", title=c.title)
        for c in offer.courses
    ]
    vacancy = offer.vacancy
    return t(
        "vacancy-consent",
        employer=vacancy.employer,
        position=vacancy.position,
        code=vacancy.code,
        name=offer.name,
        phone=offer.phone,
        courses=Raw("\n".join(courses) if courses else t("vacancy-consent-no-course")),
    )


# --------------------------------------------------------------------- keyboards


def page_keyboard(t: Translator, page: VacancyPage) -> InlineKeyboardMarkup | None:
    items = [
        (
            t.plain("vacancy-button", number=number, position=vacancy.position),
            f"v:d:{vacancy.id}:{page.page}:{page.cat}",
        )
        for number, vacancy in enumerate(page.vacancies, start=page.page * PAGE_SIZE + 1)
    ]
    return keyboards.paged_list(t, items, "v", page.page, page.pages, page.cat, filterable=bool(page.categories))


def categories_keyboard(
    t: Translator, categories: list[str], mine: bool, back_page: int, back_cat: str
) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(t("btn-vacancies-mine"), callback_data=f"v:p:0:{MINE}")]] if mine else []
    rows.append([InlineKeyboardButton(t("btn-all-categories"), callback_data=f"v:p:0:{EVERY}")])
    rows += [[InlineKeyboardButton(name, callback_data=f"v:p:0:{index}")] for index, name in enumerate(categories)]
    rows.append([InlineKeyboardButton(t("btn-back"), callback_data=f"v:p:{back_page}:{back_cat}")])
    return InlineKeyboardMarkup(rows)


def detail_keyboard(
    t: Translator, view: VacancyView, page: int, cat: str, *, in_full: bool = False
) -> InlineKeyboardMarkup:
    vacancy, application = view.vacancy, view.application
    suffix = f"{vacancy.id}:{page}:{cat}"
    rows = []
    if vacancy.apply_method == APPLY_LINK:
        rows.append([InlineKeyboardButton(t("btn-vacancy-link"), url=vacancy.apply_detail)])
    elif vacancy.apply_method == APPLY_BOT:
        if application is None or not application.live:
            rows.append([InlineKeyboardButton(t("btn-vacancy-interested"), callback_data=f"v:i:{suffix}")])
        elif application.status == INTERESTED:
            rows.append([InlineKeyboardButton(t("btn-vacancy-withdraw"), callback_data=f"v:w:{suffix}")])
    switch = (
        InlineKeyboardButton(t("btn-summary"), callback_data=f"v:d:{suffix}")
        if in_full
        else InlineKeyboardButton(t("btn-vacancy-more"), callback_data=f"v:m:{suffix}")
    )
    rows.append([switch, InlineKeyboardButton(t("btn-back"), callback_data=f"v:p:{page}:{cat}")])
    return InlineKeyboardMarkup(rows)


def consent_keyboard(t: Translator, vacancy_id: int, page: int, cat: str) -> InlineKeyboardMarkup:
    suffix = f"{vacancy_id}:{page}:{cat}"
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("btn-vacancy-consent-yes"), callback_data=f"v:y:{suffix}")],
            [InlineKeyboardButton(t("btn-vacancy-consent-no"), callback_data=f"v:d:{suffix}")],
        ]
    )


# --------------------------------------------------------------------- handlers


async def vacancies_command(update: Update, context: VokasiContext) -> None:
    """/loker and the "🔎 Lowongan" menu button: the first page (the person's own categories), a new message."""
    t = await translator_for(update, context)
    services = context.services
    user_id = user_id_of(update)
    page = await services.vacancy_browse.page(user_id, 0, MINE)
    if page is None:
        await send(update, context, t("not-registered"))
    elif not await services.vacancy_browse.qualifies(user_id):
        await send(update, context, t("vacancies-not-yet"), await main_menu_for(update, context, t))
    else:
        await send(update, context, page_text(t, services.provinces, page), page_keyboard(t, page))


async def vacancy_button(update: Update, context: VokasiContext) -> None:
    """Every v:... button: browsing, the consent and the withdrawal edit the same message."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    services = context.services
    browse = services.vacancy_browse
    user_id = user_id_of(update)
    action, *args = (query.data or "").split(":")[1:]
    if action in ("p", "f"):
        page = await browse.page(user_id, int(args[0]), args[1])
        if page is None:
            await query.answer(t("button-stale"), show_alert=True)
        elif action == "p":
            await query.answer()
            await edit_pressed(query, page_text(t, services.provinces, page), page_keyboard(t, page))
        else:
            await query.answer()
            markup = categories_keyboard(t, page.categories, bool(page.mine), page.page, page.cat)
            await edit_pressed(query, t("vacancies-choose-category"), markup)
        return
    vacancy_id, back_page, cat = int(args[0]), int(args[1]), args[2]
    note = ""
    result: VacancyView | ConsentOffer | Refusal
    if action in ("d", "m"):
        result = await browse.detail(user_id, vacancy_id) or Refusal("vacancy-closed")
    elif action == "i":
        result = await browse.consent_offer(user_id, vacancy_id)
    elif action == "y":
        result = await browse.consent(user_id, vacancy_id)
        note = "vacancy-interest-recorded"
    else:
        result = await browse.withdraw(user_id, vacancy_id)
        note = "vacancy-interest-withdrawn"
    if isinstance(result, Refusal):
        await query.answer(t.plain(result.key, **result.params), show_alert=True)
        return
    await query.answer()
    if isinstance(result, ConsentOffer):
        await edit_pressed(query, consent_text(t, result), consent_keyboard(t, vacancy_id, back_page, cat))
        return
    shown = t(note, employer=result.vacancy.employer) if note else ""
    in_full = action == "m"
    await edit_pressed(
        query,
        detail_text(t, services.provinces, result, shown, in_full=in_full),
        detail_keyboard(t, result, back_page, cat, in_full=in_full),
    )
