"""Education levels: the six codes the registration offers as buttons (SD, SMP, SMA/SMK, D1-D3, D4/S1, S2/S3), and
reading the level a person typed instead, in the words people use for it ("lulusan SMK", "D-III", "S1 teknik",
"Paket C"), with alternatives of one level accepted and of different levels refused as ambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# SD, SMP, SMA/SMK, D1-D3, D4/S1, S2/S3
EDUCATION_LEVELS: tuple[str, ...] = ("sd", "smp", "sma", "d3", "s1", "s2")

_EDUCATION_WORDS: Mapping[str, str] = {
    # primary
    "sd": "sd",
    "mi": "sd",
    "sekolahdasar": "sd",
    "madrasahibtidaiyah": "sd",
    "paketa": "sd",
    # lower secondary
    "smp": "smp",
    "sltp": "smp",
    "mts": "smp",
    "sekolahmenengahpertama": "smp",
    "madrasahtsanawiyah": "smp",
    "paketb": "smp",
    # upper secondary
    "sma": "sma",
    "smk": "sma",
    "slta": "sma",
    "ma": "sma",
    "mak": "sma",
    "stm": "sma",
    "smea": "sma",
    "smu": "sma",
    "sekolahmenengahatas": "sma",
    "sekolahmenengahkejuruan": "sma",
    "madrasahaliyah": "sma",
    "paketc": "sma",
    # diploma 1-3
    "d1": "d3",
    "d2": "d3",
    "d3": "d3",
    "dii": "d3",
    "diii": "d3",
    "diploma": "d3",
    "diploma1": "d3",
    "diploma2": "d3",
    "diploma3": "d3",
    "diplomai": "d3",
    "diplomaii": "d3",
    "diplomaiii": "d3",
    "ahlimadya": "d3",
    # diploma 4 / bachelor
    "d4": "s1",
    "div": "s1",
    "diploma4": "s1",
    "diplomaiv": "s1",
    "s1": "s1",
    "strata1": "s1",
    "stratai": "s1",
    "sarjana": "s1",
    "sarjanaterapan": "s1",
    "bachelor": "s1",
    # master / doctorate
    "s2": "s2",
    "s3": "s2",
    "sii": "s2",
    "siii": "s2",
    "strata2": "s2",
    "strata3": "s2",
    "strataii": "s2",
    "strataiii": "s2",
    "magister": "s2",
    "master": "s2",
    "pascasarjana": "s2",
    "doktor": "s2",
    "doctor": "s2",
    "doktoral": "s2",
    "phd": "s2",
}
_EDUCATION_FILLER = frozenset(
    {"lulusan", "lulus", "tamat", "tamatan", "sederajat", "setara", "pendidikan", "terakhir", "jenjang"}
)
_EDUCATION_ALTERNATIVES_RE = re.compile(r"/|,|&|\+|\b(?:atau|dan|or|and)\b")
# Hyphen or dot between a letter and a digit/roman numeral: "D-3", "S.1", "D-III" -> "D3", "S1", "DIII".
_EDUCATION_JOIN_RE = re.compile(r"(?<=\b[ds])[\s.\-]+(?=(?:[0-9]|i{1,3}|iv)\b)")


def _education_level(phrase: str) -> str | None:
    words = [w for w in re.split(r"[^0-9a-z]+", _EDUCATION_JOIN_RE.sub("", phrase)) if w]
    words = [w for w in words if w not in _EDUCATION_FILLER]
    # The first and longest run of words that names a level: "lulusan S1 teknik informatika" -> "s1".
    for start in range(len(words)):
        for end in range(len(words), start, -1):
            level = _EDUCATION_WORDS.get("".join(words[start:end]))
            if level is not None:
                return level
    return None


def match_education(text: str) -> str | None:
    """Education level code from what a person typed ("SMA/SMK", "S1", "d3" ...), or None.

    Alternatives of the same level ("SMA/SMK", "D4/S1", "S2 atau S3") give that level;
    alternatives of different levels ("SMA/D3") are ambiguous and give None.
    """
    normalised = unicodedata.normalize("NFKD", text.casefold()).strip()
    parts = [part for part in _EDUCATION_ALTERNATIVES_RE.split(normalised) if part and part.strip()]
    levels = {level for level in map(_education_level, parts) if level is not None}
    if len(levels) == 1:
        return levels.pop()
    return None
