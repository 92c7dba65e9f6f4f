"""Certificate numbers and what a verification may show of the holder's name.

A number reads VOK-2026-7KQ3-M9XC: the year of issue, seven random characters of Crockford's base 32 (digits and
letters without I, L, O and U, so nothing is misread) and a check character (Luhn mod 32 over the year and the
random part). 32^7 (34 billion) numbers a year make guessing a valid one hopeless, and the check character
tells a typing mistake from a number that does not exist. People may type it in lower case, without dashes,
with O for 0 or I/L for 1.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "VOK"
RANDOM_LENGTH = 7
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
# Letters people type for digits they look like.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SHAPE = re.compile(rf"^{PREFIX}-?(\d{{4}})-?([0-9A-Z]{{4}})-?([0-9A-Z]{{4}})$")


@dataclass(frozen=True, slots=True)
class BadNumber:
    """Why a typed number is not a certificate number: "malformed" (not its shape) or "mistyped" (the check
    character does not fit: a typing mistake)."""

    reason: str


def _luhn(digits: str, *, with_check: bool) -> int:
    total = 0
    double = not with_check
    for char in reversed(digits):
        addend = _VALUE[char] * (2 if double else 1)
        total += addend // len(ALPHABET) + addend % len(ALPHABET)
        double = not double
    return total % len(ALPHABET)


def check_character(payload: str) -> str:
    """The character that makes `payload` + it pass the Luhn mod 32 check."""
    return ALPHABET[(len(ALPHABET) - _luhn(payload, with_check=False)) % len(ALPHABET)]


def new_number(year: int) -> str:
    """A fresh random number for a certificate issued in `year`."""
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    code = random_part + check_character(f"{year:04d}{random_part}")
    return f"{PREFIX}-{year:04d}-{code[:4]}-{code[4:]}"


def parse_number(text: str) -> str | BadNumber:
    """The number as stored (VOK-2026-XXXX-XXXX) from what someone typed, or why it cannot be one."""
    compact = "".join(text.split()).upper()
    match = _SHAPE.match(compact)
    if match is None:
        return BadNumber("malformed")
    year, first, second = match.group(1), *(part.translate(_LOOKALIKES) for part in match.group(2, 3))
    if any(char not in _VALUE for char in first + second):
        return BadNumber("malformed")
    if _luhn(year + first + second, with_check=True) != 0:
        return BadNumber("mistyped")
    return f"{PREFIX}-{year}-{first}-{second}"


def mask_name(name: str) -> str:
    """What a verification shows of a name: the start of each word, the rest starred (Siti Nurjanah -> Sit*
    Nur*****), enough for an employer to match the paper in front of them, too little to learn a name from."""
    words = []
    for word in name.split():
        kept = min(3, max(1, len(word) - 1))
        words.append(word[:kept] + "*" * (len(word) - kept))
    return " ".join(words)
