"""Names as people type them: their full name, the regency or city they live in, and their last employer. Each
parser collapses spaces, composes accents and checks the length; a full name or a regency with characters no
name has is refused, and one typed all in lower case is capitalised ("budi santoso" -> "Budi Santoso") while one
typed with capitals stays as it is.
"""

from __future__ import annotations

import unicodedata

from bot.services.validation import ValidationError


def _collapse(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _letter_count(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def _capitalise_word(word: str) -> str:
    out = []
    start = True
    for ch in word:
        if ch.isalpha():
            upper = ch.upper()
            # Only one-to-one capitals: "ß" would become "SS" and change the name's length.
            out.append(upper if start and len(upper) == 1 else ch)
            start = False
        else:
            out.append(ch)
            start = ch in "-(."
    return "".join(out)


# --- full name -------------------------------------------------------------------------------------------

NAME_MIN = 2
NAME_MAX = 100
_NAME_PUNCT = frozenset(" '’.-")


def parse_full_name(text: str) -> str:
    name = _collapse(text)
    previous = ""
    for ch in name:
        category = unicodedata.category(ch)
        if category.startswith("L") or ch in _NAME_PUNCT:
            pass
        elif category.startswith("M") and previous.isalpha():
            pass  # combining accent that did not compose with its letter
        else:
            raise ValidationError("err-name-chars")
        if not category.startswith("M"):
            previous = ch
    # A "name" of fewer than two letters ("A.", "--") is reported as too short.
    if not NAME_MIN <= len(name) <= NAME_MAX or _letter_count(name) < 2:
        raise ValidationError("err-name-length", {"min": str(NAME_MIN), "max": str(NAME_MAX)})
    if name == name.lower():  # "budi santoso" -> "Budi Santoso"; names typed with capitals stay as typed
        return " ".join(_capitalise_word(word) for word in name.split(" "))
    return name


# --- regency / city --------------------------------------------------------------------------------------

REGENCY_MIN = 3
REGENCY_MAX = 60
_REGENCY_PUNCT = frozenset(" .-'’()")


def parse_regency(text: str) -> str:
    regency = _collapse(text)
    if (
        not REGENCY_MIN <= len(regency) <= REGENCY_MAX
        or not all(ch.isalpha() or ch in _REGENCY_PUNCT for ch in regency)
        or _letter_count(regency) < 3
    ):
        raise ValidationError("err-regency-format", {"min": str(REGENCY_MIN), "max": str(REGENCY_MAX)})
    return " ".join(_capitalise_word(w) if w == w.lower() else w for w in regency.split(" "))


# --- employer --------------------------------------------------------------------------------------------

EMPLOYER_MIN = 2
EMPLOYER_MAX = 100


def parse_employer(text: str) -> str:
    employer = _collapse(text)
    if not EMPLOYER_MIN <= len(employer) <= EMPLOYER_MAX or _letter_count(employer) < 1:
        raise ValidationError("err-employer-format", {"min": str(EMPLOYER_MIN), "max": str(EMPLOYER_MAX)})
    return employer
