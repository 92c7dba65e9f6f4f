"""A vacancy's applicant list as an Excel workbook for staff to pass to the employer: name, phone, courses,
certificate numbers (what each applicant consented to give that employer), status and times. Written with
bot/services/xlsx_book.py, whose cells follow the safe-cell rule: a name typed as "=HYPERLINK(...)" stays text."""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.i18n import Translator
from bot.services.reports import REPORT_ZONE
from bot.services.vacancy_staff import Applicant
from bot.services.xlsx_book import Bold, Book
from bot.storage.vacancies import Vacancy

COLUMNS = ("n", "name", "phone", "courses", "certificates", "status", "applied", "updated")


def applicants_workbook(t: Translator, vacancy: Vacancy, applicants: Sequence[Applicant]) -> bytes:
    out = io.BytesIO()
    book = Book(out)
    sheet = book.add_sheet(t.plain("vacancy-xlsx-sheet"))
    sheet.freeze_header(rows=2)
    heading = t.plain("vacancy-xlsx-title", code=vacancy.code, position=vacancy.position, employer=vacancy.employer)
    sheet.append([Bold(heading)])
    sheet.append([Bold(t.plain(f"vacancy-xlsx-col-{column}")) for column in COLUMNS])
    for number, applicant in enumerate(applicants, start=1):
        application = applicant.application
        values = [
            number,
            applicant.name,
            applicant.phone or "",
            "; ".join(applicant.courses),
            "; ".join(applicant.certificates),
            t.plain(f"vacancy-status-{application.status}"),
            application.consented_at.astimezone(REPORT_ZONE).strftime("%Y-%m-%d %H:%M"),
            application.status_at.astimezone(REPORT_ZONE).strftime("%Y-%m-%d %H:%M"),
        ]
        sheet.append(values)
    book.close()
    return out.getvalue()
