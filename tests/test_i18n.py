"""The catalogues: every key the code uses exists in both languages, with the same placeholders."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path
from typing import get_args

import pytest

from bot.config import DATA_DIR
from bot.handlers.commands import COMMANDS, STAFF_COMMANDS
from bot.handlers.keyboards import MENU_KEYS
from bot.handlers.registration import QUESTION_KEYS
from bot.i18n import Raw, Translations, load_catalogue
from bot.services.broadcasts import EMPLOYMENT_FILTERS, ENROLLMENT_STATES
from bot.services.catalogue_import import PROBLEM_KEYS
from bot.services.certificate_template import CertificateTemplate
from bot.services.education import EDUCATION_LEVELS
from bot.services.provinces import ProvinceCatalog
from bot.services.registration_dialog import EDITABLE
from bot.services.report_files import ANSWER_COLUMNS, COLUMNS
from bot.services.reports import GROUPINGS
from bot.services.staff import ROLES
from bot.services.survey_catalog import QuestionType
from bot.services.vacancy_report_files import VACANCY_COLUMNS as VACANCY_REPORT_COLUMNS
from bot.services.vacancy_reports import GROUPINGS as VACANCY_GROUPINGS
from bot.services.vacancy_reports import STEPS as VACANCY_STEPS
from bot.services.vacancy_sheets import COLUMNS as VACANCY_COLUMNS
from bot.storage.vacancies import APPLICATION_STATUSES

ROOT = Path(__file__).resolve().parent.parent
# A string in the code shaped like a message key ("ask-nik", "err-import-empty") is taken as one...
KEY_SHAPE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9_]+)+$")
# ...except these, which are names of other things (jobs, encodings, iCalendar and Babel names).
NOT_MESSAGES = {"purge-dialogs", "outbox-sweep", "outbox-wake", "outbox-retry", "utf-8", "utf-8-sig", "x-wr-calname"}
NOT_MESSAGES |= {"stand-alone", "outbox-alarm", "survey-tick", "broadcast-watch", "report-weekly-job"}
NOT_MESSAGES |= {"outbox-election"}
# An outbox message key rendered from the survey definition (bot/delivery/render.py), not from the catalogue.
NOT_MESSAGES |= {"survey-question", "report-weekly"}
# The help desk's outbox message keys, sent by bot/delivery/helpdesk.py from the ticket (its card, a topic action,
# a staff answer, the closing notice with its rating buttons), each from texts of its own.
NOT_MESSAGES |= {"helpdesk-card", "helpdesk-topic", "helpdesk-reply", "helpdesk-closed"}
# Names a Translator goes by in the handlers: t("help"), old("button-stale"), t.plain("course-button").
TRANSLATOR_CALLS = {"t", "old", "plain"}


def _trees() -> list[ast.AST]:
    return [ast.parse(path.read_text(encoding="utf-8")) for path in (ROOT / "bot").rglob("*.py")]


def _called_keys(tree: ast.AST) -> set[str]:
    keys = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in TRANSLATOR_CALLS and isinstance(node.args[0].value, str):
                keys.add(node.args[0].value)
    return keys


def _constants(tree: ast.AST) -> set[str]:
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def dynamic_keys() -> set[str]:
    """Keys built from data: per education level, region, editable field, command, menu button, question."""
    keys = {f"edu-{level}" for level in EDUCATION_LEVELS}
    keys.update(f"region-{region}" for region in ProvinceCatalog.load().regions())
    keys.update(f"field-{step.value}" for step in EDITABLE)
    keys.update(f"gender-{g}" for g in ("f", "m"))
    keys.update(key for commands in COMMANDS.values() for _, key in commands)
    keys.update(MENU_KEYS)
    keys.update(QUESTION_KEYS.values())
    keys.update(PROBLEM_KEYS)
    # Survey hints per question type; text and number hints carry limits and have their own calls.
    keys.update(f"survey-hint-{kind}" for kind in get_args(QuestionType) if kind not in ("text", "number"))
    # Staff tools: roles, statuses and filters shown by name.
    keys.update(f"role-{role}" for role in ROLES)
    keys.update(f"employment-{status}" for status in EMPLOYMENT_FILTERS)
    keys.update(f"enrollment-status-{s}" for s in ("enrolled", "waitlisted", "cancelled", "completed", "dropped"))
    keys.update(f"filter-enrollment-{state}" for state in ENROLLMENT_STATES)
    keys.update(f"broadcast-content-{c}" for c in ("text", "photo", "document"))
    keys.update(f"broadcast-status-{s}" for s in ("scheduled", "sending", "done", "stopped"))
    keys.update(key for _, _, key, _ in STAFF_COMMANDS)
    # Reports: sheets and their columns, breakdowns by grouping.
    keys.update(f"xlsx-sheet-{name}" for name in COLUMNS)
    keys.update(f"xlsx-col-{column}" for columns in (*COLUMNS.values(), ANSWER_COLUMNS) for column in columns)
    keys.update(f"{prefix}-by-{grouping}" for prefix in ("xlsx", "report") for grouping in GROUPINGS)
    keys.add("wave-self")
    # Vacancies: an application's statuses, the staff steps told to the participant, the applicant workbook.
    keys.update(f"vacancy-status-{status}" for status in APPLICATION_STATUSES)
    keys.update(f"vacancy-step-{status}" for status in APPLICATION_STATUSES[1:])
    keys.update(f"vacancy-xlsx-col-{column}" for column in (*VACANCY_COLUMNS, *VACANCY_REPORT_COLUMNS))
    keys.update(f"vacancy-report-by-{grouping}" for grouping in VACANCY_GROUPINGS)
    keys.update(f"vacancy-funnel-{step}" for step in VACANCY_STEPS)
    keys.add("wave-vacancy")
    # The certificate's texts, named by its template (data/certificate.yaml), not by code.
    keys.update(CertificateTemplate.load(DATA_DIR / "certificate.yaml").message_keys())
    return keys


def keys_used_in_code() -> set[str]:
    """Every key the code can ask a Translator for."""
    keys = dynamic_keys()
    for tree in _trees():
        keys.update(value for value in _constants(tree) if KEY_SHAPE.match(value))
        keys.update(_called_keys(tree))
    return keys - NOT_MESSAGES


def strings_in_code() -> set[str]:
    return dynamic_keys().union(*(_constants(tree) for tree in _trees()))


def test_the_scan_sees_keys_in_every_position() -> None:
    used = keys_used_in_code()
    # a t() call, a refusal, an outbox message, a validation error, an import problem, a one-word key
    for key in ("ask-nik", "enrol-overlap", "waitlist-promoted", "err-nik-serial", "err-import-empty", "welcome"):
        assert key in used


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_key_used_in_code_is_translated(language: str) -> None:
    catalogue = load_catalogue(language)
    used = keys_used_in_code()
    assert len(used) > 80  # the scan really found the code's keys
    missing = sorted(used - set(catalogue))
    assert missing == [], f"missing in {language}: {missing}"


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    indonesian, english = load_catalogue("id"), load_catalogue("en")
    assert set(indonesian) == set(english)
    differing = [key for key in indonesian if placeholders(indonesian[key]) != placeholders(english[key])]
    assert differing == []


def test_catalogues_have_no_unused_keys() -> None:
    unused = sorted(set(load_catalogue("id")) - strings_in_code())
    assert unused == []


def test_translator_escapes_parameters_but_not_raw_html() -> None:
    t = Translations("id").get("id")
    assert t("menu-intro", name="<b>Budi</b> & co") == "Halo, &lt;b&gt;Budi&lt;/b&gt; &amp; co! Pilih menu di bawah."
    assert "<i>x</i>" in t("summary", details=Raw("<i>x</i>"))


def test_unknown_language_falls_back_to_the_default() -> None:
    translations = Translations("id")
    assert translations.get("fr").language == "id"
    assert translations.get(None).language == "id"
    assert translations.get("en")("btn-back") == "« Back"
