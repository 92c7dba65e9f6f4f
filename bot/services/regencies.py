"""Names that are both a kota and a kabupaten in one province ("Bandung": Kota Bandung and Kabupaten Bandung).

The list lives in ``data/regency_twins.json`` (see its ``_note`` for the source and its limits). A regency typed
with its kind ("Kota Bandung", "kab. bandung") is taken as it is; the bare name of a twin is ambiguous, and the
registration dialog asks which one is meant, reading "kota", "kab", "kabupaten bandung" or a button as the answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "regency_twins.json"

KOTA = "kota"
KABUPATEN = "kab"
KINDS = (KOTA, KABUPATEN)

# The words a person puts before a name to say which kind they mean (after punctuation is dropped).
_KIND_WORDS: Mapping[str, str] = {"kota": KOTA, "kab": KABUPATEN, "kabupaten": KABUPATEN}
_FULL_PREFIX: Mapping[str, str] = {KOTA: "Kota", KABUPATEN: "Kabupaten"}


def _words(text: str) -> list[str]:
    return "".join(ch if ch.isalnum() else " " for ch in text.casefold()).split()


def full_name(kind: str, name: str) -> str:
    """ "Kota Bandung" / "Kabupaten Bandung": the name stored for the kind chosen."""
    return f"{_FULL_PREFIX[kind]} {name}"


class RegencyTwins:
    def __init__(self, twins: Mapping[str, Iterable[str]]) -> None:
        # province code -> casefolded name -> name as written in the data file
        self._twins = {code: {" ".join(_words(n)): n for n in names} for code, names in twins.items()}

    @classmethod
    def load(cls, path: Path | None = None) -> RegencyTwins:
        source = DEFAULT_PATH if path is None else path
        try:
            raw = json.loads(source.read_text(encoding="utf-8"))
            twins = raw["twins"]
            if not isinstance(twins, dict) or not all(
                isinstance(names, list) and all(isinstance(n, str) and n.strip() for n in names)
                for names in twins.values()
            ):
                raise ValueError("'twins' must map province codes to lists of names")
        except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{source}: cannot read regency twins: {exc}") from exc
        return cls(twins)

    def names(self, province_code: str) -> tuple[str, ...]:
        return tuple(self._twins.get(province_code, {}).values())

    def resolve(self, province_code: str, regency: str) -> tuple[str | None, str] | None:
        """For a twin's name: (the kind typed with it, or None when only the name was typed; the twin's name).

        None when `regency` is not a twin in the province (it is then taken as typed).
        """
        words = _words(regency)
        kind = _KIND_WORDS.get(words[0]) if len(words) > 1 else None
        rest = words[1:] if kind is not None else words
        name = self._twins.get(province_code, {}).get(" ".join(rest))
        return None if name is None else (kind, name)

    @staticmethod
    def kind_of(name: str, answer: str) -> str | None:
        """The kind an answer to "Kota or Kabupaten <name>?" chooses: "kota", "kab.", "Kabupaten Bandung"."""
        words = _words(answer)
        if not words or words[0] not in _KIND_WORDS or (words[1:] and words[1:] != _words(name)):
            return None
        return _KIND_WORDS[words[0]]
