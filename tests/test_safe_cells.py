"""Exports that cannot attack their reader (OWASP formula/"CSV" injection): a text that starts with =, +, -, @, a
tab or a carriage return is written as text, in the report workbook built through the bot and by the helper that
every writer uses; numbers stay numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from bot.services.safe_cells import csv_cell, formula_like
from bot.services.xlsx_book import Bold, Book
from tests.conftest import ADMIN_ID
from tests.flows import Person, answer_until_summary, consent, press, say
from tests.harness import BotHarness

PAYLOAD = '=HYPERLINK("http://x","klik")'
RISKY = [PAYLOAD, "+62 812", "-Budi", "@SUM(A1)", "\tx", "\r=1+1", "=1+1"]
HARMLESS = ["Budi", "3201********0001", "2026-11-23", " =1", "", "–"]  # "–" (an en dash) is what reports show for none


def read_back(sheet_rows: list[list[Any]], *, bold: bool = False) -> list[list[Any]]:
    """Write the rows through the report's writer (bot/services/xlsx_book.py), and read the cells back."""
    out = io.BytesIO()
    book = Book(out)
    sheet = book.add_sheet("x")
    for row in sheet_rows:
        sheet.append([Bold(value) for value in row] if bold else row)
    book.close()
    return [list(row) for row in load_workbook(io.BytesIO(out.getvalue()))["x"].iter_rows()]


@pytest.mark.parametrize("value", RISKY)
def test_a_formula_like_text_is_a_string_cell_shown_as_typed(value: str) -> None:
    assert formula_like(value)
    [[cell]] = read_back([[value]])
    # A carriage return is stored as OOXML's escape _x000D_, which Excel reads back as one (openpyxl does not, for
    # the inline strings a constant-memory writer stores).
    assert (unescape(cell.value), cell.data_type, cell.quotePrefix) == (value, "s", True)
    [[bold]] = read_back([[value]], bold=True)  # a header is no exception
    assert (unescape(bold.value), bold.data_type, bold.font.b, bold.quotePrefix) == (value, "s", True, True)


def test_other_values_pass_through_and_numbers_stay_numbers() -> None:
    [cells] = read_back([[*HARMLESS[:4], -5, -2.5, 0, "", None, "–"]])  # an empty value is no cell at all
    assert [(c.value, c.data_type) for c in cells] == [
        ("Budi", "s"), ("3201********0001", "s"), ("2026-11-23", "s"), (" =1", "s"), (-5, "n"), (-2.5, "n"), (0, "n"),
        (None, "n"), (None, "n"), ("–", "s"),
    ]  # fmt: skip
    assert not any(c.quotePrefix for c in cells)
    assert not any(formula_like(value) for value in [*HARMLESS, -5, None, 3.0])


def test_csv_cells_get_an_apostrophe() -> None:
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(v) for v in [*RISKY, "Budi", -5]])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [*("'" + v for v in RISKY), "Budi", "-5"]
    assert csv_cell(-5) == -5


async def test_what_participants_typed_reaches_the_workbook_as_text(staff_bot: BotHarness) -> None:
    bot, t = staff_bot, staff_bot.t()
    user = bot.user(4101)
    await consent(bot, user)
    refused = await say(bot, user, PAYLOAD)  # the name question refuses it and asks again...
    assert (refused.text or "").startswith(t("err-name-chars"))
    await answer_until_summary(bot, user, Person(name="-Budi Santoso", employer=PAYLOAD))  # ...not these
    await press(bot, user, t("btn-confirm"))
    await say(bot, user, t("menu-employment"))  # "Status Kerja": the employer is typed in words
    await press(bot, user, "Bekerja di perusahaan baru")
    await say(bot, user, PAYLOAD)

    admin = bot.user(ADMIN_ID)
    await say(bot, admin, "/laporan")
    await admin.press(t("btn-report-workbook"))
    await bot.settle()
    document = admin.new_messages()[-1].document
    assert document is not None
    book = load_workbook(io.BytesIO(document))
    [participant] = list(book["Peserta"].iter_rows(min_row=2))
    name = participant[1]
    assert (name.value, name.data_type, name.quotePrefix) == ("-Budi Santoso", "s", True)
    assert participant[0].data_type == "n"  # the id is still a number
    [answers] = list(book["Kabar Pekerjaan"].iter_rows(min_row=2))
    employer = next(cell for cell in answers if cell.value == PAYLOAD)
    assert (employer.data_type, employer.quotePrefix) == ("s", True)
    formulas = [c.coordinate for sheet in book for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
