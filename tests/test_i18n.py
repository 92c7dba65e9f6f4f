"""The catalogues: every key the code uses exists in both languages, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.handlers.commands import COMMANDS
from bot.handlers.keyboards import MENU_KEYS
from bot.handlers.registration import QUESTION_KEYS
from bot.i18n import Raw, Translations, load_catalogue
from bot.services.provinces import ProvinceCatalog
from bot.services.registration import EDITABLE
from bot.services.validation import EDUCATION_LEVELS

ROOT = Path(__file__).resolve().parent.parent
KEY_CALL = re.compile(r"""\bt\(\s*(?:f?)["']([a-z0-9_-]+)["']""")
VALIDATION_KEY = re.compile(r"""ValidationError\(\s*["']([a-z0-9_-]+)["']""")
LITERAL_KEY = re.compile(r"""["']((?:err|ask|btn|menu)-[a-z0-9_-]+)["']""")


def keys_used_in_code() -> set[str]:
    keys: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for pattern in (KEY_CALL, VALIDATION_KEY, LITERAL_KEY):
            keys.update(pattern.findall(source))
    # Keys built from data: one per education level, region, editable field, command, menu button, question.
    keys.update(f"edu-{level}" for level in EDUCATION_LEVELS)
    keys.update(f"region-{region}" for region in ProvinceCatalog.load().regions())
    keys.update(f"field-{step.value}" for step in EDITABLE)
    keys.update(f"gender-{g}" for g in ("f", "m"))
    keys.update(key for commands in COMMANDS.values() for _, key in commands)
    keys.update(MENU_KEYS)
    keys.update(QUESTION_KEYS.values())
    return keys


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
    unused = sorted(set(load_catalogue("id")) - keys_used_in_code())
    assert unused == []


def test_translator_escapes_parameters_but_not_raw_html() -> None:
    t = Translations("id").get("id")
    assert (
        t("menu-intro", name="<b>Budi</b> & co")
        == "Halo, &lt;b&gt;Budi&lt;/b&gt; &amp; co! Silakan pilih menu di bawah."
    )
    assert "<i>x</i>" in t("summary", details=Raw("<i>x</i>"))


def test_unknown_language_falls_back_to_the_default() -> None:
    translations = Translations("id")
    assert translations.get("fr").language == "id"
    assert translations.get(None).language == "id"
    assert translations.get("en")("btn-back") == "« Back"
