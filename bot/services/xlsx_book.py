"""A workbook writer built for large sheets: XlsxWriter in constant_memory mode, each row written to a temporary
file as it comes and the cells never held, so 100,000 participants' rows cost the same memory as ten.

Rows go in order, sheet by sheet, as the report reads them from its snapshot. The writer is synchronous and
CPU-bound: the report calls it from a worker thread (bot/services/report_files.py), never on the event loop.

Every cell follows the safe-cell rule (bot/services/safe_cells.py): a text that a spreadsheet program would run as
a formula is written as a string cell with Excel's quote prefix; an empty value is no cell at all.

The cells of a row are written as one piece of XML into XlsxWriter's constant-memory row file, as XlsxWriter's own
``_write_single_row`` writes them (inline strings, control characters as ``_xHHHH_``, numbers as ``%.16G``, the
formats' indices from XlsxWriter): its per-cell API (``write_string``, the row table, ``_write_cell``) was 70 % of
the workbook's time (BENCHMARKS.md, issue 21), six times what this takes. XlsxWriter still does everything else
(formats, widths, frozen panes, the workbook's parts, the zip); tests/test_xlsx_book.py reads the result back with
openpyxl. One difference on purpose: XlsxWriter writes a text that looks like ``<r>...</r>`` unescaped (it takes it
for rich text), so a participant's answer could put markup into the file; here every text is escaped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from bot.services.safe_cells import FORMULA_STARTS

# XlsxWriter takes Excel's column widths (characters of the default font) and stores them with Excel's 5-pixel
# padding (7 pixels a character); the widths named here are the stored ones, as openpyxl wrote them before.
_PADDING = 5 / 7
# Excel's limits: a cell holds at most 32,767 characters (UTF-16 units); a sheet has 16,384 columns.
_MAX_TEXT = 32_767
_MAX_COLUMNS = 16_384
# What a text needs escaped: XML's &, < and >; control characters (as _xHHHH_, Excel's escape, whose own look-alikes
# get their underscore escaped: "_x0000_" -> "_x005F_x0000_"); the two non-characters.
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_LOOKALIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
# An int below this in size is written as its digits: the same text as XlsxWriter's "%.16G" of it (its float).
_EXACT_INT = 2**53
# Texts remembered per sheet with their cells; past this many the memory starts again (names and free answers are
# mostly seen once, a column's labels and dates many times).
_TEXTS = 20_000


@dataclass(frozen=True, slots=True)
class Bold:
    """A cell in bold (a header)."""

    value: Any


class Sheet:
    """One worksheet, written a row at a time."""

    def __init__(self, sheet: Worksheet, formats: dict[str, Any]) -> None:
        self._sheet = sheet
        # XlsxWriter's constant-memory row file: the <row> elements, copied into the sheet's XML on close.
        self._out = sheet.fh
        self._styles = {name: f' s="{fmt._get_xf_index()}"' for name, fmt in formats.items()}
        # Each column's '<c r="B' (a cell's start, up to its row number).
        self._starts: list[str] = []
        # A text's cell after its reference ('" t="inlineStr"><is>...</c>'), for the texts seen last: a label, a
        # date or a course code is one of a few values in its column, escaped and checked once (_TEXTS at most).
        self._texts: dict[str, str] = {}
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
        self._out.write(self._row_xml(values))

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        """The next rows, written to the row file as one piece."""
        self._out.write("".join(map(self._row_xml, rows)))

    def _row_xml(self, values: Sequence[Any]) -> str:
        """The <row> element of the next row ("" when it has no cells); the sheet's used range grows to it."""
        count = len(values)
        if count > _MAX_COLUMNS:
            raise ValueError(f"a row of {count} cells: a sheet has {_MAX_COLUMNS} columns")
        starts = self._starts
        if len(starts) < count:
            starts.extend(f'<c r="{xl_col_to_name(c)}' for c in range(len(starts), count))
        number = self._row + 1
        self._row = number
        # Rows before this one are written: XlsxWriter refuses later writes there, as for its own rows.
        self._sheet.previous_row = number
        ref = f'{number}"'
        texts = self._texts
        cells = []
        first = last = -1
        for column, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                rest = texts.get(value)
                if rest is None:
                    rest = self._text_rest(value)
            elif kind is int:
                rest = f"><v>{value}</v></c>" if -_EXACT_INT < value < _EXACT_INT else _number(value, "")
            elif value is None:
                continue
            else:
                rest = self._other(value)
                if not rest:
                    continue
            cells.append(f"{starts[column]}{ref}{rest}")
            if first < 0:
                first = column
            last = column
        if first < 0:
            return ""
        self._grow(number, first, last)
        return f'<row r="{number}">{"".join(cells)}</row>'

    def _text_rest(self, text: str) -> str:
        rest = _text(text, self._styles["quoted"] if text.startswith(FORMULA_STARTS) else "")
        texts = self._texts
        if len(texts) >= _TEXTS:
            texts.clear()
        texts[text] = rest
        return rest

    def _other(self, value: Any) -> str:
        """A cell that is not a text, an int or None: "" for no cell."""
        kind = type(value)
        if kind is float:
            return _number(value, "")
        if kind is Bold:
            text = value.value
            if isinstance(text, int | float) and not isinstance(text, bool):
                return _number(text, self._styles["bold"])
            if text is None or text == "":
                return ""
            text = str(text)
            return _text(text, self._styles["bold_quoted" if text.startswith(FORMULA_STARTS) else "bold"])
        if kind is bool:
            return f' t="b"><v>{int(value)}</v></c>'
        text = str(value)  # anything else is written as its text, never interpreted
        return self._text_rest(text) if text else ""

    def _grow(self, row: int, first: int, last: int) -> None:
        """XlsxWriter's record of the used range (the sheet's <dimension>), as its own writes keep it."""
        sheet = self._sheet
        if sheet.dim_rowmin is None:
            sheet.dim_rowmin = row - 1
        sheet.dim_rowmax = row - 1
        if sheet.dim_colmin is None or first < sheet.dim_colmin:
            sheet.dim_colmin = first
        if sheet.dim_colmax is None or last > sheet.dim_colmax:
            sheet.dim_colmax = last


def _text(text: str, style: str) -> str:
    """A text cell after its reference."""
    if len(text) > _MAX_TEXT // 2 and len(text.encode("utf_16_le")) // 2 > _MAX_TEXT:
        text = text.encode("utf_16_le")[: _MAX_TEXT * 2].decode("utf_16_le", errors="ignore")
    if _NEEDS_ESCAPE.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", _LOOKALIKE.sub(r"_x005F\1", text))
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _number(number: float, style: str) -> str:
    """A number cell after its reference."""
    if not math.isfinite(number):  # no such number in Excel: its text
        return _text(str(number), style)
    return f"{style}><v>{number:.16G}</v></c>"


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
