"""The /dataku file: everything held about a person as UTF-8 plain text, in their language, readable on any phone
(no spreadsheet or PDF viewer needed). Sections with headings, one "label: value" per line, times in the person's
zone (sessions in the venue's), the NIK, KPJ and phone in full: the file goes only to the person's own chat."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bot.i18n import Translator
from bot.services.mydata import EnrollmentRecord, MyData, SurveyRecord
from bot.services.mydata_vacancies import application_lines
from bot.services.provinces import ProvinceCatalog
from bot.services.registration_dialog import DEFAULT_TIMEZONE
from bot.services.report_files import wave_label
from bot.services.survey_catalog import Survey, SurveyCatalog
from bot.storage.catalogue import Course, CourseSession
from bot.storage.certificates import Certificate
from bot.storage.dialogs import Dialog
from bot.storage.presence import ABSENT, EXCUSED, PRESENT
from bot.storage.tickets import Ticket
from bot.storage.vault import mask_nik

NONE = "-"
INDENT = "   "
# An answer lines up under its question's text ("- " before it).
ANSWER_INDENT = "  "
# What the stored codes are called, per language (literal keys, so the catalogue check sees each one).
RUN_STATUS_KEYS = {
    "scheduled": "mydata-run-scheduled",
    "active": "mydata-run-active",
    "completed": "mydata-run-completed",
    "expired": "mydata-run-expired",
    "cancelled": "mydata-run-cancelled",
}
PRESENCE_KEYS = {
    PRESENT: "mydata-presence-present",
    ABSENT: "mydata-presence-absent",
    EXCUSED: "mydata-presence-excused",
}
TICKET_STATUS_KEYS = {"asking": "mydata-ticket-asking", "open": "mydata-ticket-open", "closed": "mydata-ticket-closed"}
INTENT_KEYS = {"yes": "mydata-intent-yes", "no": "mydata-intent-no"}
# A draft's answers (dialog data keys, as the participant row names them) in the order they are asked.
DRAFT_FIELDS = (
    ("full_name", "mydata-file-name"),
    ("nik", "mydata-file-nik"),
    ("birth_date", "mydata-file-birth-date"),
    ("gender", "mydata-file-gender"),
    ("kpj", "mydata-file-kpj"),
    ("phone", "mydata-file-phone"),
    ("province_code", "mydata-file-province"),
    ("regency", "mydata-file-regency"),
    ("last_employer", "mydata-file-employer"),
    ("phk_date", "mydata-file-phk-date"),
    ("education", "mydata-file-education"),
)


def render(t: Translator, provinces: ProvinceCatalog, surveys: SurveyCatalog, data: MyData) -> bytes:
    """The whole file, UTF-8 encoded."""
    zone = person_zone(provinces, data)

    def when(value: datetime | None) -> str:
        return t.moment(value, zone) if value is not None else NONE

    lines = [
        t.plain("mydata-file-title"),
        t.plain("mydata-file-intro", when=when(data.collected_at)),
        *_registration(t, provinces, data, when),
        *_enrollments(t, data.enrollments, when),
        *_surveys(t, surveys, data.surveys, when),
        *_checkins(t, data, when),
        *_tickets(t, data.tickets, when),
        *application_lines(t, data.applications, when),
    ]
    if data.draft is not None:
        lines += _heading(t, "mydata-file-section-draft")
        lines.append(_line(t, "mydata-file-started-at", when(data.draft.started_at)))
        lines += draft_lines(t, provinces, data.draft, full=True)
    lines += ["", t.plain("mydata-file-rights")]
    return ("\n".join(lines) + "\n").encode("utf-8")


def draft_lines(t: Translator, provinces: ProvinceCatalog, draft: Dialog, *, full: bool) -> list[str]:
    """The answers of an unfinished registration or profile edit, one "label: value" each (`full`: the NIK
    unmasked, for the file; a chat message shows it masked, as the registration summary does)."""
    shown = []
    for key, label in DRAFT_FIELDS:
        value = draft.data.get(key)
        if value is None or value == "":
            continue
        if key == "nik" and not full:
            value = mask_nik(str(value))
        shown.append(_line(t, label, _draft_value(t, provinces, key, value)))
    return shown


# ---------------------------------------------------------------------------------------------- sections


def _registration(
    t: Translator, provinces: ProvinceCatalog, data: MyData, when: Callable[[datetime | None], str]
) -> list[str]:
    person = data.participant
    lines = _heading(t, "mydata-file-section-registration")
    if person is None:
        return [*lines, t.plain("mydata-file-not-registered")]
    province = provinces.get(person.province_code)
    lines += [
        _line(t, "mydata-file-name", person.full_name),
        _line(t, "mydata-file-nik", person.nik),
        _line(t, "mydata-file-birth-date", _date(t, person.birth_date)),
        _line(t, "mydata-file-gender", t.plain(f"gender-{person.gender.lower()}") if person.gender else None),
        _line(t, "mydata-file-kpj", person.kpj or t.plain("mydata-file-kpj-missing")),
        _line(t, "mydata-file-phone", person.phone),
        _line(t, "mydata-file-province", province.name if province else person.province_code),
        _line(t, "mydata-file-regency", person.regency),
        _line(t, "mydata-file-employer", person.last_employer),
        _line(t, "mydata-file-phk-date", _date(t, person.phk_date)),
        _line(t, "mydata-file-education", _education(t, person.education)),
        _line(t, "mydata-file-verification", _yes_no(t, person.needs_verification)),
        _line(t, "mydata-file-telegram", str(data.telegram_user_id)),
    ]
    lines += _heading(t, "mydata-file-section-account")
    employment = (
        t.plain(
            "mydata-file-employment-value",
            status=t.plain(f"employment-{person.employment_status}"),
            when=when(person.employment_status_at),
        )
        if person.employment_status
        else None
    )
    announcements = (
        t.plain("mydata-file-announcements-off", since=when(person.announcements_off_at))
        if person.announcements_off_at
        else t.plain("mydata-file-announcements-on")
    )
    unreachable = (
        t.plain("mydata-file-unreachable-since", since=when(person.unreachable_since))
        if person.unreachable_since
        else t.plain("mydata-file-no")
    )
    lines += [
        _line(t, "mydata-file-language", _language(t, data.language)),
        _line(t, "mydata-file-consent-version", person.consent_version),
        _line(t, "mydata-file-consent-at", when(person.consent_at)),
        _line(t, "mydata-file-registered-at", when(person.registered_at)),
        _line(t, "mydata-file-updated-at", when(person.updated_at)),
        _line(t, "mydata-file-employment", employment),
        _line(t, "mydata-file-announcements", announcements),
        _line(t, "mydata-file-unreachable", unreachable),
    ]
    return lines


def _enrollments(t: Translator, records: list[EnrollmentRecord], when: Callable[[datetime | None], str]) -> list[str]:
    lines = _heading(t, "mydata-file-section-enrollments")
    if not records:
        return [*lines, t.plain("mydata-file-nothing")]
    for number, record in enumerate(records, start=1):
        course, enrollment = record.course, record.enrollment
        lines.append(
            t.plain(
                "mydata-file-course",
                number=number,
                title=course.title if course else NONE,
                code=course.code if course else NONE,
                institute=course.institute_name if course else NONE,
            )
        )
        lines += [
            INDENT + _line(t, "mydata-file-status", t.plain(f"enrollment-status-{enrollment.status}")),
            INDENT + _line(t, "mydata-file-enrolled-at", when(enrollment.created_at)),
        ]
        if enrollment.finished_at is not None:
            lines.append(INDENT + _line(t, "mydata-file-finished-at", when(enrollment.finished_at)))
        if record.certificate is not None:
            lines.append(INDENT + _certificate_line(t, record.certificate, when))
        if record.attendance:
            lines.append(INDENT + t.plain("mydata-file-attendance"))
        for item in record.attendance:
            lines.append(
                INDENT
                + t.plain(
                    "mydata-file-attendance-line",
                    session=_session_span(t, item.session, course),
                    answer=t.plain(INTENT_KEYS.get(item.answer.intent, item.answer.intent)),
                    answered=when(item.answer.answered_at),
                )
            )
        if record.presence:
            lines.append(INDENT + t.plain("mydata-file-presence"))
        for recorded in record.presence:
            lines.append(
                INDENT
                + t.plain(
                    "mydata-file-presence-line",
                    session=_session_span(t, recorded.session, course),
                    status=t.plain(PRESENCE_KEYS.get(recorded.presence.status, recorded.presence.status)),
                    recorded=when(recorded.presence.recorded_at),
                )
            )
    return lines


def _certificate_line(t: Translator, certificate: Certificate, when: Callable[[datetime | None], str]) -> str:
    line = t.plain(
        "mydata-file-certificate",
        number=certificate.number,
        issued=when(certificate.issued_at),
        attended=certificate.sessions_attended,
        total=certificate.sessions_total,
    )
    if certificate.revoked_at is not None:
        line += " " + t.plain("mydata-file-certificate-revoked", at=when(certificate.revoked_at))
    return line


def _session_span(t: Translator, session: CourseSession | None, course: Course | None) -> str:
    if session is None or course is None:
        return t.plain("mydata-file-session-gone")
    return t.plain(
        "mydata-file-session",
        position=session.position,
        topic=session.topic,
        when=t.span(session.starts_at, session.ends_at, course.timezone),
    )


def _surveys(
    t: Translator, catalog: SurveyCatalog, records: list[SurveyRecord], when: Callable[[datetime | None], str]
) -> list[str]:
    lines = _heading(t, "mydata-file-section-surveys")
    if not records:
        return [*lines, t.plain("mydata-file-nothing")]
    language = t.language
    for number, record in enumerate(records, start=1):
        run = record.run
        survey = catalog.get(run.survey)
        title = survey.title.get(language) if survey else run.survey
        lines.append(t.plain("mydata-file-survey", number=number, title=title, wave=wave_label(t, run.wave)))
        status = RUN_STATUS_KEYS.get(run.status)
        lines += [
            INDENT + _line(t, "mydata-file-status", t.plain(status) if status else run.status),
            INDENT + _line(t, "mydata-file-due-at", when(run.due_at)),
        ]
        if run.started_at is not None:
            lines.append(INDENT + _line(t, "mydata-file-started-at", when(run.started_at)))
        if run.finished_at is not None:
            lines.append(INDENT + _line(t, "mydata-file-ended-at", when(run.finished_at)))
        answers = sorted(
            record.answers, key=lambda a: survey.index(a.question) if survey and survey.question(a.question) else 999
        )
        for answer in answers:
            question = survey.question(answer.question) if survey else None
            text = question.text.get(language) if question else answer.question
            lines.append(INDENT + t.plain("mydata-file-question", question=text))
            lines.append(INDENT + ANSWER_INDENT + _answer(t, survey, answer.question, answer.value))
    return lines


def _checkins(t: Translator, data: MyData, when: Callable[[datetime | None], str]) -> list[str]:
    lines = _heading(t, "mydata-file-section-checkins")
    if not data.checkins:
        return [*lines, t.plain("mydata-file-nothing")]
    for checkin in data.checkins:
        lines.append(
            t.plain(
                "mydata-file-checkin",
                wave=wave_label(t, checkin.wave),
                status=t.plain(f"employment-{checkin.status}"),
                when=when(checkin.answered_at),
            )
        )
    return lines


def _tickets(t: Translator, tickets: list[Ticket], when: Callable[[datetime | None], str]) -> list[str]:
    lines = _heading(t, "mydata-file-section-tickets")
    if not tickets:
        return [*lines, t.plain("mydata-file-nothing")]
    for ticket in tickets:
        status = TICKET_STATUS_KEYS.get(ticket.status)
        lines += [
            t.plain("mydata-file-ticket", ticket=ticket.id),
            INDENT + _line(t, "mydata-file-opened-at", when(ticket.opened_at)),
            INDENT + _line(t, "mydata-file-status", t.plain(status) if status else ticket.status),
            INDENT + _line(t, "mydata-file-closed-at", when(ticket.closed_at)),
            INDENT
            + _line(
                t,
                "mydata-file-rating",
                t.plain("mydata-file-rating-value", rating=ticket.rating) if ticket.rating else None,
            ),
        ]
    lines.append(t.plain("mydata-file-tickets-note"))
    return lines


# ---------------------------------------------------------------------------------------------- values


def _heading(t: Translator, key: str) -> list[str]:
    title = t.plain(key)
    return ["", title, "=" * len(title)]


def _line(t: Translator, label: str, value: str | None) -> str:
    return t.plain("mydata-file-line", label=t.plain(label), value=value if value else NONE)


def _date(t: Translator, value: date | None) -> str | None:
    return t.date(value) if value is not None else None


def _yes_no(t: Translator, value: bool) -> str:
    return t.plain("mydata-file-yes" if value else "mydata-file-no")


def _education(t: Translator, level: str) -> str:
    return t.plain(f"edu-{level}") if t.has(f"edu-{level}") else level


def _language(t: Translator, language: str | None) -> str:
    if language is None:
        return t.plain("mydata-file-language-default")
    return t.plain(f"lang-name-{language}") if t.has(f"lang-name-{language}") else language


def person_zone(provinces: ProvinceCatalog, data: MyData) -> str:
    """The person's zone: their province's, else the draft's, else Jakarta's."""
    code = data.participant.province_code if data.participant else None
    if code is None and data.draft is not None:
        code = data.draft.data.get("province_code")
    province = provinces.get(str(code)) if code else None
    return province.timezone if province is not None else DEFAULT_TIMEZONE.key


def _draft_value(t: Translator, provinces: ProvinceCatalog, key: str, value: Any) -> str:
    if key in ("birth_date", "phk_date"):
        return t.date(date.fromisoformat(str(value)))
    if key == "gender":
        return t.plain(f"gender-{str(value).lower()}")
    if key == "province_code":
        province = provinces.get(str(value))
        return province.name if province else str(value)
    if key == "education":
        return _education(t, str(value))
    return str(value)


def _answer(t: Translator, survey: Survey | None, question_id: str, value: Any) -> str:
    """A stored answer in the person's words: the options' labels, "4 dari 5", the month or date, the text."""
    if value is None:
        return t.plain("mydata-file-skipped")
    question = survey.question(question_id) if survey else None
    language = t.language
    if question is None:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if question.type == "rating":
        return t.plain("mydata-file-rating-value", rating=value)
    if question.type in ("single", "multiple"):
        values = value if isinstance(value, list) else [value]
        labels = []
        for chosen in values:
            option = question.option(str(chosen))
            labels.append(option.label.get(language) if option else str(chosen))
        return ", ".join(labels)
    try:
        if question.type == "month":
            return t.month(date.fromisoformat(f"{value}-01"))
        if question.type == "date":
            return t.date(date.fromisoformat(str(value)))
    except ValueError:  # stored before the question's type changed: shown as it was kept
        pass
    return str(value)
