"""A vacancy's applicant list as an Excel workbook for staff to pass to the employer: name, phone, courses,
certificate numbers (what each applicant consented to give that employer), status and times. Every cell goes
through bot/services/safe_cells.py: a name typed as "=HYPERLINK(...)" stays text."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.i18n import Translator
from bot.services.reports import REPORT_ZONE
from bot.services.safe_cells import xlsx_cell
from bot.services.vacancy_staff import Applicant
from bot.storage.vacancies import Vacancy

COLUMNS = ("n", "name", "phone", "courses", "certificates", "status", "applied", "updated")
_BOLD = Font(bold=True)


def applicants_workbook(t: Translator, vacancy: Vacancy, applicants: Sequence[Applicant]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(t.plain("vacancy-xlsx-sheet"))
    sheet.freeze_panes = "A3"
    heading = t.plain("vacancy-xlsx-title", code=vacancy.code, position=vacancy.position, employer=vacancy.employer)
    sheet.append([xlsx_cell(sheet, heading, _BOLD)])
    sheet.append([xlsx_cell(sheet, t.plain(f"vacancy-xlsx-col-{column}"), _BOLD) for column in COLUMNS])
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
        sheet.append([xlsx_cell(sheet, value) for value in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
