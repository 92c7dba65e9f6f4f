"""Spreadsheet cells that cannot attack their reader: the bot's one defence against formula injection (OWASP "CSV
injection"), used by every writer of an XLSX or CSV file.

Excel, LibreOffice and Google Sheets take a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after a tab or
a carriage return, whatever follows) for a formula. Much of what the bot writes was typed by someone else: a
participant's name, a survey answer ("Di perusahaan mana Anda bekerja?"), a course title from an uploaded
catalogue. Written as it is, ``=HYPERLINK("http://x","klik")`` would become a live link, or worse a DDE command, in
the workbook a staff member opens. Such a text is therefore written as text, unchanged for the reader:

- XLSX (bot/services/xlsx_book.py, XlsxWriter): a string cell (written with ``write_string``, never ``write``, which
  would make a formula of any str starting with "=") carrying Excel's quote prefix, so Excel shows the text as
  typed and keeps it text even when someone edits the cell;
- CSV: the value with a leading apostrophe, as OWASP recommends (a CSV has no cell types).

Numbers are not text: a negative number written as a number stays a number.
"""

from __future__ import annotations

from typing import Any, Final

# What makes a spreadsheet program read a cell as a formula (OWASP's list).
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """Whether `value` is a text a spreadsheet program would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """`value` for a CSV writer: a text a spreadsheet program would run gets a leading apostrophe."""
    return "'" + value if formula_like(value) else value
