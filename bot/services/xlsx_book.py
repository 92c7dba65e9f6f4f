"""A workbook writer built for large sheets: XlsxWriter in constant_memory mode, each row written to a temporary
file as it comes and the cells never held, so 100,000 participants' rows cost the same memory as ten.

Rows go in order, sheet by sheet, as the report reads them from its snapshot. The writer is synchronous and
CPU-bound: the report calls it from a worker thread (bot/services/report_files.py), never on the event loop.

Every cell follows the safe-cell rule (bot/services/safe_cells.py): a text that a spreadsheet program would run as
a formula is written as a string cell with Excel's quote prefix; an empty value is no cell at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from bot.services.safe_cells import FORMULA_STARTS

# XlsxWriter takes Excel's column widths (characters of the default font) and stores them with Excel's 5-pixel
# padding (7 pixels a character); the widths named here are the stored ones, as openpyxl wrote them before.
_PADDING = 5 / 7


@dataclass(frozen=True, slots=True)
class Bold:
    """A cell in bold (a header)."""

    value: Any


class Sheet:
    """One worksheet, written a row at a time."""

    def __init__(self, sheet: Worksheet, formats: dict[str, Any]) -> None:
        self._sheet = sheet
        self._plain = None
        self._quoted = formats["quoted"]
        self._bold = formats["bold"]
        self._bold_quoted = formats["bold_quoted"]
        self._row = 0

    def widths(self, widths: Iterable[float]) -> None:
        """Column widths, from the first column on."""
        for column, width in enumerate(widths):
            self._sheet.set_column(column, column, width - _PADDING)

    def freeze_header(self, rows: int = 1) -> None:
        """The first `rows` rows stay in view when scrolling (freeze panes at A2 for one)."""
        self._sheet.freeze_panes(rows, 0)

    def append(self, values: Sequence[Any]) -> None:
        """The next row: text, numbers, Bold(...) cells; None and "" leave the cell out."""
        row, sheet = self._row, self._sheet
        for column, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if value:
                    quoted = value.startswith(FORMULA_STARTS)
                    sheet.write_string(row, column, value, self._quoted if quoted else self._plain)
            elif kind is int or kind is float:
                sheet.write_number(row, column, value)
            elif value is None:
                continue
            elif kind is Bold:
                text = value.value
                if isinstance(text, str) and text.startswith(FORMULA_STARTS):
                    sheet.write_string(row, column, text, self._bold_quoted)
                elif isinstance(text, int | float) and not isinstance(text, bool):
                    sheet.write_number(row, column, text, self._bold)
                elif text not in (None, ""):
                    sheet.write_string(row, column, str(text), self._bold)
            elif kind is bool:
                sheet.write_boolean(row, column, value)
            else:  # anything else is written as its text, never interpreted
                text = str(value)
                sheet.write_string(row, column, text, self._quoted if text.startswith(FORMULA_STARTS) else None)
        self._row = row + 1

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            self.append(values)


class Book:
    """The workbook: sheets in the order they are added, written to `out` on close()."""

    def __init__(self, out: IO[bytes]) -> None:
        # constant_memory: rows are flushed to a temporary file per sheet as soon as the next row starts.
        self._book = Workbook(out, {"constant_memory": True})
        self._formats = {
            "quoted": self._book.add_format({"quote_prefix": True}),
            "bold": self._book.add_format({"bold": True}),
            "bold_quoted": self._book.add_format({"bold": True, "quote_prefix": True}),
        }
        self.names: list[str] = []

    def add_sheet(self, name: str) -> Sheet:
        self.names.append(name)
        return Sheet(self._book.add_worksheet(name), self._formats)

    def close(self) -> None:
        """Assemble and compress the file (the slow part after the rows)."""
        self._book.close()
