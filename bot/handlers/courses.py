"""/pelatihan: browse open courses (one message edited in place), see a course, enrol or join its waitlist.

Callback data:
  c:p:<page>:<cat>          a page of the list; <cat> is "a" (all) or a category's index
  c:f:<page>:<cat>          choose a category
  c:d:<id>:<page>:<cat>     a course's details, its schedule summarised (remembering the page to go back to)
  c:a:<id>:<page>:<cat>     everything: the whole description, contact, address, every session ("Selengkapnya";
                            "Ringkas" is c:d again)
  c:e:<id>:<page>:<cat>     "Daftar": the confirmation question
  c:y:<id> / c:w:<id>       confirmed: enrol / join the waitlist
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import VokasiContext
from bot.delivery.render import location_button
from bot.handlers import keyboards
from bot.handlers.common import edit_pressed, main_menu_for, send, teaser, translator_for, user_id_of
from bot.handlers.session_texts import course_summary, session_lines
from bot.i18n import Raw, Translator
from bot.services.catalogue import PAGE_SIZE, CourseDetail, CoursePage
from bot.services.enrollment import Enrolled, Full, Offer, Refusal, Waitlisted
from bot.services.provinces import ProvinceCatalog
from bot.storage.catalogue import Course

ALL = "a"


def _cat(category: int | None) -> str:
    return ALL if category is None else str(category)


def _parse_cat(value: str) -> int | None:
    return None if value == ALL else int(value)


# --------------------------------------------------------------------- texts


def _where(provinces: ProvinceCatalog, course: Course) -> str:
    province = provinces.get(course.province_code)
    return f"{course.regency}, {province.name}" if province else course.regency


def page_text(t: Translator, provinces: ProvinceCatalog, page: CoursePage) -> str:
    if not page.courses:
        return t("courses-empty")
    lines = []
    for number, course in enumerate(page.courses, start=page.page * PAGE_SIZE + 1):
        start = t.moment(course.first_start, course.timezone) if course.first_start else "-"
        lines.append(
            t(
                "courses-line",
                number=number,
                title=course.title,
                where=_where(provinces, course),
                start=start,
                seats=course.seats_left,
            )
        )
    title = t("courses-title-filtered", category=page.category_name) if page.category_name else t("courses-title")
    text = t("courses-page", title=Raw(title), lines=Raw("\n\n".join(lines)), page=page.page + 1, pages=page.pages)
    home = provinces.get(page.home_province) if page.nothing_at_home and page.home_province else None
    if home is not None and page.page == 0:
        notice = (
            t("courses-none-home-filtered", province=home.name, category=page.category_name)
            if page.category_name
            else t("courses-none-home", province=home.name)
        )
        text = f"{notice}\n\n{text}"
    return text


# The description's beginning in the summary: about two phone lines.
TEASER = 60


def _short_deadline(t: Translator, course: Course) -> str:
    """The registration deadline in few words: its date alone when it is the end of that day (as imported from a
    date), else its date and time."""
    local = course.registration_deadline.astimezone(ZoneInfo(course.timezone))
    if (local.hour, local.minute) == (23, 59):
        return t.date(local.date())
    return t.moment(course.registration_deadline, course.timezone)


def detail_text(t: Translator, provinces: ProvinceCatalog, detail: CourseDetail, *, every_session: bool = False) -> str:
    """The course in one phone screen (what, who, where, when, seats, deadline: "Daftar" shows right under it), or
    everything when asked ("Selengkapnya": the whole description, the institute's contact, the address, every
    session)."""
    course = detail.course
    seats = (
        t("seats-left", seats=course.seats_left) if course.seats_left else t("seats-full", waiting=course.waitlisted)
    )
    # An optional field left empty in the catalogue is simply not shown (no lone "-", no "(-)").
    if not every_session:
        return t(
            "course-detail",
            title=course.title,
            category=course.category,
            institute=course.institute_name,
            about=Raw(t("course-about-short", description=teaser(course.description, TEASER)))
            if course.description
            else "",
            where=_where(provinces, course),
            sessions=Raw(course_summary(t, course, detail.sessions)),
            seats=seats,
            deadline=_short_deadline(t, course),
        )
    institute: str | Raw = course.institute_name
    if course.institute_contact:
        institute = Raw(
            t("course-institute-contact", institute=course.institute_name, contact=course.institute_contact)
        )
    return t(
        "course-detail-full",
        title=course.title,
        category=course.category,
        about=Raw(t("course-about", description=course.description)) if course.description else "",
        institute=institute,
        venue=course.venue_address,
        where=_where(provinces, course),
        sessions=Raw(session_lines(t, course, detail.sessions)),
        seats=seats,
        deadline=t.moment(course.registration_deadline, course.timezone),
    )


# --------------------------------------------------------------------- keyboards


def page_keyboard(t: Translator, page: CoursePage) -> InlineKeyboardMarkup | None:
    cat = _cat(page.category)
    items = [
        (t.plain("course-button", number=number, title=course.title), f"c:d:{course.id}:{page.page}:{cat}")
        for number, course in enumerate(page.courses, start=page.page * PAGE_SIZE + 1)
    ]
    return keyboards.paged_list(t, items, "c", page.page, page.pages, cat, filterable=bool(page.categories))


def categories_keyboard(t: Translator, categories: list[str], back_page: int, back_cat: str) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(t("btn-all-categories"), callback_data=f"c:p:0:{ALL}")]]
    rows += [[InlineKeyboardButton(name, callback_data=f"c:p:0:{index}")] for index, name in enumerate(categories)]
    rows.append([InlineKeyboardButton(t("btn-back"), callback_data=f"c:p:{back_page}:{back_cat}")])
    return InlineKeyboardMarkup(rows)


def detail_keyboard(
    t: Translator, course: Course, page: int, cat: str, *, every_session: bool = False
) -> InlineKeyboardMarkup:
    """ "Daftar" first; then the place and the switch between the summary and everything; then back."""
    tools = [location_button(t, course.id)]
    if every_session:
        tools.append(InlineKeyboardButton(t("btn-summary"), callback_data=f"c:d:{course.id}:{page}:{cat}"))
    else:
        tools.append(InlineKeyboardButton(t("btn-course-more"), callback_data=f"c:a:{course.id}:{page}:{cat}"))
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("btn-enrol"), callback_data=f"c:e:{course.id}:{page}:{cat}")],
            tools,
            [InlineKeyboardButton(t("btn-back"), callback_data=f"c:p:{page}:{cat}")],
        ]
    )


def confirm_keyboard(t: Translator, offer: Offer, page: int, cat: str) -> InlineKeyboardMarkup:
    course = offer.course
    yes = (
        InlineKeyboardButton(t("btn-join-waitlist"), callback_data=f"c:w:{course.id}")
        if offer.full
        else InlineKeyboardButton(t("btn-enrol-confirm"), callback_data=f"c:y:{course.id}")
    )
    return InlineKeyboardMarkup(
        [[yes], [InlineKeyboardButton(t("btn-back"), callback_data=f"c:d:{course.id}:{page}:{cat}")]]
    )


# --------------------------------------------------------------------- handlers


async def courses_command(update: Update, context: VokasiContext) -> None:
    """/pelatihan and the "Pelatihan" menu button: the first page, as a new message."""
    t = await translator_for(update, context)
    services = context.services
    participant = await services.accounts.participant(user_id_of(update))
    page = await services.catalogue.page(participant.province_code if participant else None, 0, None)
    assert page is not None
    await send(update, context, page_text(t, services.provinces, page), page_keyboard(t, page))


async def course_button(update: Update, context: VokasiContext) -> None:
    """Every c:... button: browsing edits the same message; enrolling answers with a new one."""
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    services = context.services
    parts = (query.data or "").split(":")
    action, args = parts[1], parts[2:]
    if action == "p":
        participant = await services.accounts.participant(user_id_of(update))
        page = await services.catalogue.page(
            participant.province_code if participant else None, int(args[0]), _parse_cat(args[1])
        )
        if page is None:
            await query.answer(t("button-stale"), show_alert=True)
            return
        await query.answer()
        await edit_pressed(query, page_text(t, services.provinces, page), page_keyboard(t, page))
    elif action == "f":
        categories = await services.catalogue.categories()
        await query.answer()
        await edit_pressed(
            query, t("courses-choose-category"), categories_keyboard(t, categories, int(args[0]), args[1])
        )
    elif action in ("d", "a"):  # the summary, or everything ("Selengkapnya"), in place
        detail = await services.catalogue.detail(int(args[0]))
        if detail is None:
            await query.answer(t("button-stale"), show_alert=True)
            return
        await query.answer()
        every = action == "a"
        markup = detail_keyboard(t, detail.course, int(args[1]), args[2], every_session=every)
        await edit_pressed(query, detail_text(t, services.provinces, detail, every_session=every), markup)
    elif action == "e":
        offer = await services.enrollment.offer(user_id_of(update), int(args[0]))
        if isinstance(offer, Refusal):
            await query.answer()
            await send(update, context, t(offer.key, **offer.params))
            return
        await query.answer()
        key = "enrol-confirm-waitlist" if offer.full else "enrol-confirm"
        await edit_pressed(query, t(key, title=offer.course.title), confirm_keyboard(t, offer, int(args[1]), args[2]))
    else:
        await _enrol(update, context, t, int(args[0]), waitlist=action == "w")


async def _enrol(update: Update, context: VokasiContext, t: Translator, course_id: int, *, waitlist: bool) -> None:
    query = update.callback_query
    assert query is not None
    result = await context.services.enrollment.enrol(user_id_of(update), course_id, waitlist=waitlist)
    await query.answer()
    match result:
        case Enrolled(course=course, sessions=sessions):
            await edit_pressed(query, t("enrolled", title=course.title), None)
            text = t("enrolled-sessions", sessions=Raw(session_lines(t, course, sessions)))
            await send(update, context, text, await main_menu_for(update, context, t))
        case Waitlisted(course=course, position=position):
            await edit_pressed(query, t("waitlisted", title=course.title, position=position), None)
        case Full(course=course):
            offer = Offer(course, [], full=True)
            await edit_pressed(
                query, t("enrol-confirm-waitlist", title=course.title), confirm_keyboard(t, offer, 0, ALL)
            )
        case Refusal(key=key, params=params):
            await send(update, context, t(key, **params))
