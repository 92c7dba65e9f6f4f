"""The workbook writer's rows (bot/services/xlsx_book.py) read back with openpyxl: values, types, formats, escapes."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from bot.services.xlsx_book import Bold, Book


def written(*rows: list[object], freeze: bool = False) -> bytes:
    out = io.BytesIO()
    book = Book(out)
    sheet = book.add_sheet("Data")
    if freeze:
        sheet.freeze_header()
    sheet.widths([20, 10])
    sheet.extend(rows)
    book.close()
    return out.getvalue()


def test_values_keep_their_types_and_empty_values_are_no_cells() -> None:
    content = written(
        [Bold("Nama"), Bold("Umur"), Bold(7)],
        ["Siti", 41, 2.5, None, "", True],
        [],
        [None, "Budi"],
        freeze=True,
    )
    sheet = load_workbook(io.BytesIO(content))["Data"]
    assert sheet.dimensions == "A1:F4"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Nama", "Umur", 7, None, None, None],
        ["Siti", 41, 2.5, None, None, True],
        [None] * 6,
        [None, "Budi", None, None, None, None],
    ]
    assert sheet["A1"].font.b and sheet["C1"].font.b and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="D2"' not in xml and '<c r="E2"' not in xml  # None and "" leave the cell out
    assert '<row r="3"' not in xml  # nor a row without cells


def test_formula_looking_texts_stay_text_with_the_quote_prefix() -> None:
    content = written(['=HYPERLINK("http://x","klik")', "-5", -5, Bold("+62812")])
    sheet = load_workbook(io.BytesIO(content))["Data"]
    formula, text, number, bold = sheet[1]
    assert (formula.value, formula.data_type, formula.quotePrefix) == ('=HYPERLINK("http://x","klik")', "s", True)
    assert (text.value, text.quotePrefix) == ("-5", True)
    assert (number.value, number.data_type, number.quotePrefix) == (-5, "n", False)
    assert (bold.value, bold.quotePrefix, bold.font.b) == ("+62812", True, True)


def test_markup_control_characters_and_spaces_come_back_as_typed() -> None:
    typed = ["<r><t>sisip</t></r>", "A & B <b>", "baris\x01satu", "_x0041_", "  spasi  ", "\ufffe"]
    content = written(typed)
    sheet = load_workbook(io.BytesIO(content))["Data"]
    # openpyxl leaves Excel's _xHHHH_ escapes as they are in the file, as Excel would show them decoded.
    assert [cell.value for cell in sheet[1]] == [
        "<r><t>sisip</t></r>",
        "A & B <b>",
        "baris_x0001_satu",
        "_x005F_x0041_",
        "  spasi  ",
        "_xFFFE_",
    ]


def test_an_over_long_text_is_cut_at_excels_limit_and_odd_numbers_are_text() -> None:
    content = written(["x" * 40_000, float("nan"), float("inf")])
    sheet = load_workbook(io.BytesIO(content))["Data"]
    long, nan, inf = sheet[1]
    assert long.value == "x" * 32_767
    assert (nan.value, inf.value) == ("nan", "inf")
