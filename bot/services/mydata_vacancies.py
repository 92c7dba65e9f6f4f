"""The /dataku file's section on vacancies: every "Saya tertarik" of the person, with the consent's time and
version, the employer it was for, where it stands and whether it was withdrawn (bot/services/mydata_file.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.i18n import Translator
from bot.services.mydata import ApplicationRecord

INDENT = "   "
# An application's step as the file names it (literal keys, so the catalogue check sees each one).
STATUS_KEYS = {
    "interested": "mydata-application-interested",
    "sent": "mydata-application-sent",
    "interview": "mydata-application-interview",
    "hired": "mydata-application-hired",
    "rejected": "mydata-application-rejected",
}


def application_lines(
    t: Translator, records: list[ApplicationRecord], when: Callable[[datetime | None], str]
) -> list[str]:
    title = t.plain("mydata-file-section-applications")
    lines = ["", title, "=" * len(title)]
    if not records:
        return [*lines, t.plain("mydata-file-nothing")]
    for record in records:
        application = record.application
        status = STATUS_KEYS.get(application.status)
        lines += [
            t.plain("mydata-file-application", code=record.vacancy_code, employer=record.employer),
            INDENT + _line(t, "mydata-file-consent-at", when(application.consented_at)),
            INDENT + _line(t, "mydata-file-consent-version", application.consent_version),
            INDENT + _line(t, "mydata-file-status", t.plain(status) if status else application.status),
            INDENT + _line(t, "mydata-file-withdrawn-at", when(application.withdrawn_at)),
        ]
    return lines


def _line(t: Translator, label: str, value: str) -> str:
    return t.plain("mydata-file-line", label=t.plain(label), value=value)
