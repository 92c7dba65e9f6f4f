"""The code column of a staff file (a course's or a vacancy's): the same rule for both imports."""

from __future__ import annotations

import re

from bot.services.spreadsheet import SheetRow, shown

CODE_RE = re.compile(r"[A-Za-z0-9_-]{2,30}")


def read_code(row: SheetRow, column: str, first_rows: dict[str, int]) -> str | None:
    """The row's code, upper-cased; None (with the row's problem named) when missing, malformed, or already used by
    an earlier row of the file (`first_rows`: each code's first row, filled as the rows are read)."""
    text = row.required(column)
    if text is None:
        return None
    if not CODE_RE.fullmatch(text):
        row.problem("err-import-code-format", value=shown(text))
        return None
    code = text.upper()
    first_row = first_rows.setdefault(code, row.number)
    if first_row != row.number:
        row.problem("err-import-code-duplicate", code=code, first_row=str(first_row))
        return None
    return code
