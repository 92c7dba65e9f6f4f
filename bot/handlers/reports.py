"""/laporan: the programme's figures for staff, with a chart, an Excel workbook and breakdowns; and the weekly
summary sent to them automatically.

  /laporan [course code] [province] [2026-01 or 2026-01..2026-06]   filters, in any order
Callback data l:<action>:<course id or 0>:<province code or 0>:<since YYYYMM or 0>:<until YYYYMM or 0>, where
<action> is g (chart), x (workbook, NIK masked), X (workbook with full NIK, admins only, audit-logged),
c / i / p (breakdown by course, institute, province), or v (the vacancies' funnel, bot/handlers/vacancy_reports.py).

An LPK member's report covers their institutes' courses only (the help desk's week and the programme's broadcasts
are left out, and the weekly summary is not theirs); naming another institute's course, by code or in a button, is
refused like any staff action they may not take, and audited.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.context import Services, VokasiContext
from bot.handlers import vacancy_reports
from bot.handlers.access import in_scope
from bot.handlers.common import send, translator_for, user_id_of
from bot.i18n import Raw, Translator
from bot.services import report_files
from bot.services.enrollment import Refusal
from bot.services.helpdesk_staff import HelpdeskFigures
from bot.services.reports import REPORT_ZONE, WEEKLY_KIND, Group, Summary, Wave
from bot.services.staff import ADMIN, LPK, PERMISSIONS, REPORTS
from bot.storage.reports import AttendanceFigures, Scope

log = logging.getLogger(__name__)

# Months are YYYYMM of a real month (a forged 202613 is a stale button, not an error).
PATTERN = r"^l:[gxXcipv]:\d{1,9}:(\d{2}|0):((19|20)\d{2}(0[1-9]|1[0-2])|0):((19|20)\d{2}(0[1-9]|1[0-2])|0)$"
GROUPING_OF = {"c": "course", "i": "institute", "p": "province"}
BREAKDOWN_LINES = 25
# Telegram lets a bot send documents up to 50 MB.
MAX_DOCUMENT_BYTES = 50_000_000


async def report_command(update: Update, context: VokasiContext) -> None:
    """/laporan [filters]: the summary, with buttons for the chart, the workbook and the breakdowns."""
    t = await translator_for(update, context)
    reports = context.services.reports
    parsed = reports.parse_scope(list(context.args or []), await reports.course_codes())
    if isinstance(parsed, Refusal):
        await send(update, context, t(parsed.key, **parsed.params) + "\n\n" + t("report-usage"))
        return
    scope = await _limited(update, context, parsed, "laporan")
    if scope is None:
        return
    summary = await reports.summary(scope)
    desk = None if scope.course_ids is not None else await _helpdesk_week(context.services)
    await context.services.staff.audit(user_id_of(update), "report:summary", _scope_detail(scope))
    role = await context.services.staff.role(user_id_of(update))
    jobs = await context.services.vacancy_reports.summary(
        await vacancy_reports.scope_of(context, user_id_of(update), scope)
    )
    text = summary_text(t, summary, desk, vacancy_reports.summary_text(t, jobs))
    await send(update, context, text, _buttons(t, scope, full_export=role == ADMIN))


async def report_button(update: Update, context: VokasiContext) -> None:
    query = update.callback_query
    assert query is not None
    t = await translator_for(update, context)
    _, action, course, province, since, until = (query.data or "").split(":")
    scope = await _limited(update, context, _scope(course, province, since, until), "button:report")
    if scope is None:
        return
    services = context.services
    user_id = user_id_of(update)
    if action == "X" and await services.staff.role(user_id) != ADMIN:
        await services.staff.audit(user_id, "refused:report:full-nik", _scope_detail(scope), allowed=False)
        await query.answer(t("report-full-admins-only"), show_alert=True)
        return
    await query.answer()
    if action == "v":
        await vacancy_reports.vacancy_button(update, context, t, scope)
        return
    if action in GROUPING_OF:
        lines = await services.reports.breakdown(scope, GROUPING_OF[action])
        await send(update, context, breakdown_text(t, GROUPING_OF[action], lines, services.reports.target))
        return
    chat = update.effective_chat
    assert chat is not None
    summary = await services.reports.summary(scope)
    stamp = summary.generated_at.astimezone(REPORT_ZONE).strftime("%Y%m%d-%H%M")
    if action == "g":
        await context.bot.send_chat_action(chat.id, "upload_photo")
        courses = await services.reports.breakdown(scope, "course")
        png = await asyncio.to_thread(report_files.chart, t, summary, courses)
        await context.bot.send_photo(
            chat.id, InputFile(png, filename=f"laporan-{stamp}.png"), caption=t.plain("report-chart-caption")
        )
        await services.staff.audit(user_id, "report:chart", _scope_detail(scope))
        return
    # A whole programme's workbook takes a minute or two: say so at once, and what became of it at the end.
    progress = await send(update, context, t("report-workbook-preparing"))
    await context.bot.send_chat_action(chat.id, "upload_document")
    groups = {g: await services.reports.breakdown(scope, g) for g in ("course", "institute", "province")}
    full = action == "X"
    vault = services.store.vault if full else None
    jobs = await vacancy_reports.workbook_part(context, user_id, scope)
    content = await report_files.workbook(
        services.db, t, summary, groups, services.surveys.catalog, unmask_with=vault, vacancies=jobs
    )
    if len(content) > MAX_DOCUMENT_BYTES:
        size = f"{len(content) / 1_000_000:.0f}"
        await progress.edit_text(t("report-workbook-too-large", size=size, limit=MAX_DOCUMENT_BYTES // 1_000_000))
        await services.staff.audit(user_id, "report:export-too-large", _scope_detail(scope))
        return
    name = f"laporan-vokasi-{stamp}{'-nik-lengkap' if full else ''}.xlsx"
    await context.bot.send_document(
        chat.id, InputFile(content, filename=name), caption=t.plain("report-workbook-caption")
    )
    await progress.edit_text(t("report-workbook-sent"))
    await services.staff.audit(user_id, "report:export-full-nik" if full else "report:export", _scope_detail(scope))


async def _helpdesk_week(services: Services) -> HelpdeskFigures:
    """The help desk over the last seven days (response times in wall-clock time, nights and weekends included)."""
    now = services.clock.now()
    return await services.helpdesk_staff.figures(now - timedelta(days=7), now)


def helpdesk_text(t: Translator, desk: HelpdeskFigures) -> str:
    def duration(seconds: float | None) -> str:
        if seconds is None:
            return "-"
        return (
            t("report-duration-hours", n=f"{seconds / 3600:.1f}")
            if seconds >= 3600
            else t("report-duration-minutes", n=max(1, round(seconds / 60)))
        )

    oldest = "-" if desk.oldest_open_since is None else t.moment(desk.oldest_open_since, REPORT_ZONE.key)
    rating = "-" if desk.rating_mean is None else f"{desk.rating_mean:.1f}"
    return t(
        "report-helpdesk",
        opened=desk.opened,
        closed=desk.closed,
        open=desk.still_open,
        median=duration(desk.first_response_median_s),
        p90=duration(desk.first_response_p90_s),
        answered=desk.answered,
        oldest=oldest,
        rating=rating,
        ratings=desk.ratings,
    )


def summary_text(t: Translator, summary: Summary, desk: HelpdeskFigures | None = None, jobs: str = "") -> str:
    """The report; `jobs` (the vacancies' lines) goes above the definitions, which stay the footnote."""
    totals = summary.totals
    lines = [
        t("report-title", when=t.moment(summary.generated_at, REPORT_ZONE.key)),
        _scope_line(t, summary),
        t(
            "report-totals",
            registered=totals.registered,
            eligible=totals.eligible,
            enrolled=totals.enrolled,
            completed=totals.completed,
            dropped=totals.dropped,
            # Before anyone finished or left a course, a rate of 0% would say that nobody passed.
            rate=_pct(summary.completion_rate) if totals.completed + totals.dropped else t("report-rate-none"),
        ),
        t("report-waves-heading", target=_pct(summary.target)),
    ]
    lines += [_wave_line(t, wave, summary.target) for wave in summary.waves]
    lines.append(attendance_text(t, summary.attendance))
    latest = summary.latest_answered_wave()
    if latest is None:
        lines.append(t("report-no-checkins"))
    else:
        key = "report-verdict-met" if (latest.working_of_answered or 0) >= summary.target else "report-verdict-below"
        lines.append(
            t(
                key,
                wave=report_files.wave_label(t, latest.wave),
                rate=_pct(latest.working_of_answered),
                target=_pct(summary.target),
            )
        )
    if desk is not None:
        lines.append(helpdesk_text(t, desk))
    # The footnote explains only the labels the report shows ("dari semua lulusan" is on the waves' lines).
    lines.append(jobs)
    definitions = t("report-definitions")
    if any(wave.asked for wave in summary.waves):
        definitions += " " + t("report-definition-all-graduates")
    lines.append(definitions)
    return "\n\n".join(line for line in lines if line)


def attendance_text(t: Translator, figures: AttendanceFigures | None) -> str:
    """Real attendance (QR and roll call), kept apart from the reminder's intent."""
    if figures is None:
        return t("report-attendance-none")
    return t(
        "report-attendance",
        rate=_pct(figures.rate),
        present=figures.present,
        expected=figures.expected,
        excused=figures.excused,
        no_shows=figures.no_shows,
    )


def breakdown_text(t: Translator, grouping: str, groups: list[Group], target: float) -> str:
    if not groups:
        return t("report-breakdown-empty")
    lines = [t(f"report-by-{grouping}")]
    for group in groups[:BREAKDOWN_LINES]:
        waves = " · ".join(
            f"{report_files.wave_label(t, w.wave)} {_pct(w.working_of_answered)} ({w.answered}/{w.asked})"
            for w in group.waves
        )
        name = f"{group.key} · {group.label}" if grouping == "course" else group.label
        mark = _mark(next((w.working_of_answered for w in reversed(group.waves) if w.answered), None), target)
        line = t(
            "report-group-line",
            name=name,
            mark=mark,
            completed=group.completed,
            seats=group.enrolled + group.completed + group.dropped,
            rate=_pct(group.completion_rate),
            waves=waves,
        )
        if group.attendance is not None:
            line += "\n" + t(
                "report-group-attendance",
                rate=_pct(group.attendance.rate),
                no_shows=group.attendance.no_shows,
            )
        lines.append(line)
    if len(groups) > BREAKDOWN_LINES:
        lines.append(t("report-more", count=len(groups) - BREAKDOWN_LINES))
    return "\n\n".join(lines)


async def weekly_job(context: VokasiContext) -> None:
    await send_weekly(context.services)


async def send_weekly(services: Services) -> int:
    """The weekly summary to every staff member who may read reports, through the outbox; returns how many."""
    summary = await services.reports.summary(Scope())
    desk = await _helpdesk_week(services)
    texts = {t.language: summary_text(t, summary, desk) for t in services.translations.all()}
    # The programme's figures: not for LPK members, whose reports cover their own institutes' courses only.
    recipients = [
        m.telegram_user_id for m in await services.staff.members() if REPORTS in PERMISSIONS[m.role] and m.role != LPK
    ]
    now = services.clock.now()
    week = now.astimezone(REPORT_ZONE).strftime("%G-W%V")
    async with services.store.write() as unit:
        for user_id in recipients:
            await unit.outbox.add(
                telegram_user_id=user_id,
                kind=WEEKLY_KIND,
                message_key="report-weekly",
                params={"texts": texts},
                dedupe_key=f"report-weekly:{week}:{user_id}",
                not_before=now,
                now=now,
                priority=5,
                expires_at=now + timedelta(days=2),
            )
    log.info("weekly report queued for %d staff members", len(recipients))
    return len(recipients)


# ---------------------------------------------------------------------- inside


async def _limited(update: Update, context: VokasiContext, scope: Scope, attempt: str) -> Scope | None:
    """The report's scope limited to the staff member's courses (an LPK member's institutes'); None, refused and
    audited, when it names a course outside them."""
    staff_scope = await context.services.staff.scope(user_id_of(update))
    if staff_scope.institutes is None:
        return scope
    if scope.course_id is not None:
        course = await context.services.lookup.course(course_id=scope.course_id)
        detail = {"course": course.code if course else scope.course_id}
        if not await in_scope(update, context, course.institute_name if course else "", attempt, detail):
            return None
    return replace(scope, course_ids=await context.services.reports.courses_of(staff_scope))


def _wave_line(t: Translator, wave: Wave, target: float) -> str:
    if wave.asked == 0:
        return t("report-wave-not-yet", wave=report_files.wave_label(t, wave.wave))
    return t(
        "report-wave",
        wave=report_files.wave_label(t, wave.wave),
        mark=_mark(wave.working_of_answered, target),
        asked=wave.asked,
        answered=wave.answered,
        response=_pct(wave.response_rate),
        employed=wave.employed,
        of_answered=_pct(wave.working_of_answered),
        of_completed=_pct(wave.working_of_completed),
        recruiting=wave.recruiting,
    )


def _scope_line(t: Translator, summary: Summary) -> str:
    scope, labels = summary.scope, summary.scope_labels
    parts = []
    if scope.course_id is not None:
        parts.append(t("report-scope-course", title=labels.get("course", "-")))
    if scope.province_code is not None:
        parts.append(t("report-scope-province", name=labels.get("province", "-")))
    if scope.since is not None and scope.until is not None:
        last = (scope.until - timedelta(days=1)).astimezone(REPORT_ZONE)
        parts.append(t("report-scope-period", since=t.month(scope.since.date()), until=t.month(last.date())))
    return t("report-scope", filters=Raw(" · ".join(parts))) if parts else t("report-scope-all")


def _mark(rate: float | None, target: float) -> str:
    if rate is None:
        return "▫️"
    return "✅" if rate >= target else "⚠️"


def _pct(value: float | None) -> str:
    return report_files.percent(value)


def _buttons(t: Translator, scope: Scope, *, full_export: bool) -> InlineKeyboardMarkup:
    tail = ":".join(
        [
            str(scope.course_id or 0),
            scope.province_code or "0",
            scope.since.astimezone(REPORT_ZONE).strftime("%Y%m") if scope.since else "0",
            scope.until.astimezone(REPORT_ZONE).strftime("%Y%m") if scope.until else "0",
        ]
    )
    rows = [
        [
            InlineKeyboardButton(t("btn-report-chart"), callback_data=f"l:g:{tail}"),
            InlineKeyboardButton(t("btn-report-workbook"), callback_data=f"l:x:{tail}"),
        ],
        [
            InlineKeyboardButton(t("btn-report-by-course"), callback_data=f"l:c:{tail}"),
            InlineKeyboardButton(t("btn-report-by-institute"), callback_data=f"l:i:{tail}"),
            InlineKeyboardButton(t("btn-report-by-province"), callback_data=f"l:p:{tail}"),
        ],
        [InlineKeyboardButton(t("btn-report-vacancies"), callback_data=f"l:v:{tail}")],
    ]
    if full_export:
        rows.append([InlineKeyboardButton(t("btn-report-workbook-full"), callback_data=f"l:X:{tail}")])
    return InlineKeyboardMarkup(rows)


def _scope(course: str, province: str, since: str, until: str) -> Scope:
    def month(value: str) -> datetime | None:
        if value == "0":
            return None
        return datetime(int(value[:4]), int(value[4:]), 1, tzinfo=REPORT_ZONE)

    return Scope(
        course_id=int(course) or None,
        province_code=None if province == "0" else province,
        since=month(since),
        until=month(until),
    )


def _scope_detail(scope: Scope) -> dict[str, Any]:
    return {
        "course": scope.course_id,
        "province": scope.province_code,
        "since": scope.since.isoformat() if scope.since else None,
        "until": scope.until.isoformat() if scope.until else None,
    }
