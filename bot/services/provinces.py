"""The 38 Indonesian provinces: codes, names, aliases, time zones and tolerant matching of typed names.

The data lives in ``data/provinces.json``; see its ``_note`` for the two province code systems
(BPS codes vs. the Kemendagri/Dukcapil codes used in NIKs, which differ in the Papua region).
"""

from __future__ import annotations

import difflib
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "provinces.json"

PROVINCE_COUNT = 38
EARTH_RADIUS_KM = 6371.0

# Region keys in geographic order, west to east (used to show provinces in groups of buttons).
REGIONS: tuple[str, ...] = (
    "sumatera",
    "jawa",
    "kalimantan",
    "sulawesi",
    "bali_nusa_tenggara",
    "maluku_papua",
)

# Indonesian time zone abbreviation -> offset from UTC.
ZONE_OFFSETS: Mapping[str, timedelta] = {
    "WIB": timedelta(hours=7),
    "WITA": timedelta(hours=8),
    "WIT": timedelta(hours=9),
}

# Words people put in front of a province name that carry no meaning for matching.
_PREFIX_WORDS = frozenset({"prov", "provinsi", "propinsi", "prop", "province"})

# Inputs shorter than this (without spaces) are only matched exactly, never by prefix/substring/typo.
_MIN_FUZZY_LENGTH = 3
# difflib similarity needed to count as a typo of a name or alias.
_CLOSE_CUTOFF = 0.8
# Close matches scoring within this margin of the best one are all returned (ambiguous typo).
_CLOSE_MARGIN = 0.04

_CODE_RE = re.compile(r"[0-9]{2}")


@dataclass(frozen=True, slots=True)
class Province:
    code: str  # BPS code
    name: str
    aliases: tuple[str, ...]
    nik_codes: tuple[str, ...]  # Kemendagri/Dukcapil codes: the first two digits of a NIK
    timezone: str  # IANA name
    zone: str  # "WIB" / "WITA" / "WIT"
    region: str
    capital: str
    # The capital's latitude and longitude (degrees): how near two provinces are.
    location: tuple[float, float]

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _normalise(text: str) -> str:
    """Lower case, accents removed, punctuation turned into spaces, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    chars = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        chars.append(ch if ch.isalnum() else " ")
    words = "".join(chars).split()
    while len(words) > 1 and words[0] in _PREFIX_WORDS:
        words = words[1:]
    return " ".join(words)


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance (haversine) between two points given in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _compact(text: str) -> str:
    return _normalise(text).replace(" ", "")


class ProvinceCatalog:
    def __init__(self, provinces: Iterable[Province]) -> None:
        ordered = tuple(sorted(provinces, key=lambda p: p.code))
        _check(ordered)
        self._provinces = ordered
        self._by_code = {p.code: p for p in ordered}
        self._nik_codes = frozenset(code for p in ordered for code in p.nik_codes)
        # compact key (name or alias, spaces removed) -> province
        keys: dict[str, Province] = {}
        for p in ordered:
            for key in (_compact(p.name), *(_compact(a) for a in p.aliases)):
                other = keys.get(key)
                if other is not None and other is not p:
                    raise ValueError(f"provinces: name/alias {key!r} is used by both {other.name} and {p.name}")
                keys[key] = p
        self._keys = keys
        self._name_keys = {_compact(p.name): p for p in ordered}

    @classmethod
    def load(cls, path: Path | None = None) -> ProvinceCatalog:
        source = DEFAULT_PATH if path is None else path
        try:
            raw = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{source}: cannot read province data: {exc}") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("provinces"), list):
            raise ValueError(f"{source}: expected an object with a 'provinces' list")
        provinces = [_parse_entry(source, i, entry) for i, entry in enumerate(raw["provinces"])]
        try:
            return cls(provinces)
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from exc

    def all(self) -> tuple[Province, ...]:
        return self._provinces

    def regions(self) -> tuple[str, ...]:
        present = {p.region for p in self._provinces}
        return tuple(r for r in REGIONS if r in present)

    def in_region(self, region: str) -> tuple[Province, ...]:
        return tuple(p for p in self._provinces if p.region == region)

    def get(self, code: str) -> Province | None:
        return self._by_code.get(code.strip())

    def by_distance(self, code: str) -> tuple[Province, ...]:
        """Every province, nearest first: this one, then the others by the distance between their capitals."""
        home = self._by_code.get(code)
        if home is None:
            return self._provinces
        return tuple(sorted(self._provinces, key=lambda p: (_distance_km(home.location, p.location), p.code)))

    def known_nik_code(self, two_digits: str) -> bool:
        return two_digits in self._nik_codes

    def match(self, text: str) -> tuple[Province, ...]:
        """Provinces matching what a person typed.

        One province when recognised, several when ambiguous ("sulawesi", "papua b"), none when not.
        """
        normalised = _normalise(text)
        if not normalised:
            return ()
        key = normalised.replace(" ", "")
        if key.isdigit():
            found = self._by_code.get(key)
            return (found,) if found is not None else ()
        exact = self._name_keys.get(key) or self._keys.get(key)
        if exact is not None:
            return (exact,)
        if len(key) < _MIN_FUZZY_LENGTH:
            return ()
        for test in (str.startswith, str.__contains__):
            found_set = {p.code for k, p in self._keys.items() if test(k, key)}
            if found_set:
                return self._ordered(found_set)
        return self._close(key)

    def _close(self, key: str) -> tuple[Province, ...]:
        scores: dict[str, float] = {}
        matcher = difflib.SequenceMatcher(b=key, autojunk=False)
        for candidate, province in self._keys.items():
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < _CLOSE_CUTOFF or matcher.quick_ratio() < _CLOSE_CUTOFF:
                continue
            score = matcher.ratio()
            if score >= _CLOSE_CUTOFF and score > scores.get(province.code, 0.0):
                scores[province.code] = score
        if not scores:
            return ()
        best = max(scores.values())
        return self._ordered({code for code, score in scores.items() if score >= best - _CLOSE_MARGIN})

    def _ordered(self, codes: set[str]) -> tuple[Province, ...]:
        return tuple(p for p in self._provinces if p.code in codes)


def _parse_entry(source: Path, index: int, entry: Any) -> Province:
    where = f"{source}: provinces[{index}]"
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected an object")

    def text(field: str) -> str:
        value = entry.get(field)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{where}: '{field}' must be a non-empty string")
        return value

    def texts(field: str) -> tuple[str, ...]:
        value = entry.get(field)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"{where}: '{field}' must be a list of non-empty strings")
        return tuple(value)

    capital = entry.get("capital")
    if not (
        isinstance(capital, dict)
        and isinstance(capital.get("name"), str)
        and all(isinstance(capital.get(axis), int | float) for axis in ("lat", "lon"))
        and -90 <= capital["lat"] <= 90
        and -180 <= capital["lon"] <= 180
    ):
        raise ValueError(f"{where}: 'capital' must be an object with a name, lat (-90..90) and lon (-180..180)")
    return Province(
        code=text("bps_code"),
        name=text("name"),
        aliases=texts("aliases"),
        nik_codes=texts("nik_codes"),
        timezone=text("timezone"),
        zone=text("zone"),
        region=text("region"),
        capital=capital["name"],
        location=(float(capital["lat"]), float(capital["lon"])),
    )


def _check(provinces: tuple[Province, ...]) -> None:
    if len(provinces) != PROVINCE_COUNT:
        raise ValueError(f"expected {PROVINCE_COUNT} provinces, found {len(provinces)}")
    seen_codes: set[str] = set()
    seen_names: set[str] = set()
    seen_primary_nik: set[str] = set()
    reference = datetime(2025, 1, 1)
    for p in provinces:
        label = f"province {p.code} ({p.name})"
        if not _CODE_RE.fullmatch(p.code):
            raise ValueError(f"{label}: bps_code must be two digits")
        if p.code in seen_codes:
            raise ValueError(f"{label}: duplicate bps_code {p.code}")
        seen_codes.add(p.code)
        if p.name in seen_names:
            raise ValueError(f"{label}: duplicate name")
        seen_names.add(p.name)
        if not p.nik_codes or not all(_CODE_RE.fullmatch(c) for c in p.nik_codes):
            raise ValueError(f"{label}: nik_codes must be a non-empty list of two-digit codes")
        if p.nik_codes[0] in seen_primary_nik:
            raise ValueError(f"{label}: current NIK code {p.nik_codes[0]} is used by another province")
        seen_primary_nik.add(p.nik_codes[0])
        for alias in p.aliases:
            if alias != alias.strip().lower():
                raise ValueError(f"{label}: alias {alias!r} must be lower case without surrounding spaces")
        if p.region not in REGIONS:
            raise ValueError(f"{label}: unknown region {p.region!r} (known: {', '.join(REGIONS)})")
        offset = ZONE_OFFSETS.get(p.zone)
        if offset is None:
            raise ValueError(f"{label}: unknown zone {p.zone!r} (known: {', '.join(ZONE_OFFSETS)})")
        try:
            tz = ZoneInfo(p.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{label}: unknown time zone {p.timezone!r}") from exc
        if tz.utcoffset(reference) != offset:
            raise ValueError(f"{label}: time zone {p.timezone} does not match zone {p.zone}")
