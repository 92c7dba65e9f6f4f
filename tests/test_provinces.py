from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.services.provinces import DEFAULT_PATH, PROVINCE_COUNT, REGIONS, Province, ProvinceCatalog

ZONE_OFFSETS = {"WIB": timedelta(hours=7), "WITA": timedelta(hours=8), "WIT": timedelta(hours=9)}


@pytest.fixture(scope="module")
def catalog() -> ProvinceCatalog:
    return ProvinceCatalog.load()


def names(provinces: tuple[Province, ...]) -> list[str]:
    return [p.name for p in provinces]


def raw_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    return data


# --- the data ---------------------------------------------------------------------------------------------


def test_38_provinces_with_unique_codes_and_names(catalog: ProvinceCatalog) -> None:
    provinces = catalog.all()
    assert len(provinces) == 38
    assert len({p.code for p in provinces}) == 38
    assert len({p.name for p in provinces}) == 38
    assert [p.code for p in provinces] == sorted(p.code for p in provinces)


def test_json_has_note_about_code_systems() -> None:
    note = raw_data()["_note"]
    assert "BPS" in note
    assert "Kemendagri" in note
    assert "2022" in note


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("11", "Aceh"),
        ("19", "Kepulauan Bangka Belitung"),
        ("21", "Kepulauan Riau"),
        ("31", "DKI Jakarta"),
        ("32", "Jawa Barat"),
        ("34", "DI Yogyakarta"),
        ("36", "Banten"),
        ("51", "Bali"),
        ("65", "Kalimantan Utara"),
        ("75", "Gorontalo"),
        ("76", "Sulawesi Barat"),
        ("82", "Maluku Utara"),
        # BPS codes for the Papua region
        ("91", "Papua Barat"),
        ("92", "Papua Barat Daya"),
        ("94", "Papua"),
        ("95", "Papua Selatan"),
        ("96", "Papua Tengah"),
        ("97", "Papua Pegunungan"),
    ],
)
def test_bps_codes(catalog: ProvinceCatalog, code: str, name: str) -> None:
    province = catalog.get(code)
    assert province is not None
    assert province.name == name


def test_get_unknown_code(catalog: ProvinceCatalog) -> None:
    assert catalog.get("93") is None
    assert catalog.get("00") is None
    assert catalog.get("") is None


@pytest.mark.parametrize(
    ("name", "nik_codes"),
    [
        ("Jawa Barat", ("32",)),
        ("Papua", ("91",)),
        ("Papua Barat", ("92",)),
        ("Papua Selatan", ("93", "91")),
        ("Papua Tengah", ("94", "91")),
        ("Papua Pegunungan", ("95", "91")),
        ("Papua Barat Daya", ("96", "92")),
    ],
)
def test_nik_codes_follow_kemendagri(catalog: ProvinceCatalog, name: str, nik_codes: tuple[str, ...]) -> None:
    (province,) = [p for p in catalog.all() if p.name == name]
    assert province.nik_codes == nik_codes


def test_nik_codes_equal_bps_codes_outside_papua(catalog: ProvinceCatalog) -> None:
    for p in catalog.all():
        if not p.name.startswith("Papua"):
            assert p.nik_codes == (p.code,)


@pytest.mark.parametrize("code", ["11", "32", "31", "82", "91", "92", "93", "94", "95", "96"])
def test_known_nik_code(catalog: ProvinceCatalog, code: str) -> None:
    assert catalog.known_nik_code(code)


@pytest.mark.parametrize("code", ["00", "99", "20", "97", "10", "3", "320", ""])
def test_unknown_nik_code(catalog: ProvinceCatalog, code: str) -> None:
    assert not catalog.known_nik_code(code)


def test_zones_match_iana_offsets(catalog: ProvinceCatalog) -> None:
    # Indonesia has no daylight saving time; check a date in each half of the year.
    for p in catalog.all():
        assert p.zone in ZONE_OFFSETS
        assert isinstance(p.tzinfo, ZoneInfo)
        assert p.tzinfo.key == p.timezone
        for moment in (datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 12)):
            assert p.tzinfo.utcoffset(moment) == ZONE_OFFSETS[p.zone], p.name


@pytest.mark.parametrize(
    ("name", "timezone", "zone"),
    [
        ("Aceh", "Asia/Jakarta", "WIB"),
        ("Kepulauan Riau", "Asia/Jakarta", "WIB"),
        ("DKI Jakarta", "Asia/Jakarta", "WIB"),
        ("Kalimantan Barat", "Asia/Pontianak", "WIB"),
        ("Kalimantan Tengah", "Asia/Pontianak", "WIB"),
        ("Kalimantan Selatan", "Asia/Makassar", "WITA"),
        ("Kalimantan Utara", "Asia/Makassar", "WITA"),
        ("Bali", "Asia/Makassar", "WITA"),
        ("Nusa Tenggara Timur", "Asia/Makassar", "WITA"),
        ("Gorontalo", "Asia/Makassar", "WITA"),
        ("Maluku", "Asia/Jayapura", "WIT"),
        ("Maluku Utara", "Asia/Jayapura", "WIT"),
        ("Papua Barat Daya", "Asia/Jayapura", "WIT"),
    ],
)
def test_timezones(catalog: ProvinceCatalog, name: str, timezone: str, zone: str) -> None:
    (province,) = [p for p in catalog.all() if p.name == name]
    assert (province.timezone, province.zone) == (timezone, zone)


def test_regions(catalog: ProvinceCatalog) -> None:
    assert catalog.regions() == REGIONS
    assert catalog.regions() == (
        "sumatera",
        "jawa",
        "kalimantan",
        "sulawesi",
        "bali_nusa_tenggara",
        "maluku_papua",
    )
    counts = {region: len(catalog.in_region(region)) for region in catalog.regions()}
    assert counts == {
        "sumatera": 10,
        "jawa": 6,
        "kalimantan": 5,
        "sulawesi": 6,
        "bali_nusa_tenggara": 3,
        "maluku_papua": 8,
    }
    assert sum(counts.values()) == 38
    assert names(catalog.in_region("jawa")) == [
        "DKI Jakarta",
        "Jawa Barat",
        "Jawa Tengah",
        "DI Yogyakarta",
        "Jawa Timur",
        "Banten",
    ]
    assert catalog.in_region("atlantis") == ()


def test_aliases_are_lower_case(catalog: ProvinceCatalog) -> None:
    for p in catalog.all():
        for alias in p.aliases:
            assert alias == alias.strip().lower()


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "provinces.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        ProvinceCatalog.load(tmp_path / "nope.json")


def test_load_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "provinces.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read"):
        ProvinceCatalog.load(path)


def test_load_wrong_shape(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'provinces' list"):
        ProvinceCatalog.load(write(tmp_path, [1, 2]))


def test_load_wrong_count(tmp_path: Path) -> None:
    data = raw_data()
    data["provinces"] = data["provinces"][:-1]
    with pytest.raises(ValueError, match="expected 38 provinces, found 37"):
        ProvinceCatalog.load(write(tmp_path, data))


def test_load_duplicate_code(tmp_path: Path) -> None:
    data = raw_data()
    data["provinces"][1]["bps_code"] = data["provinces"][0]["bps_code"]
    with pytest.raises(ValueError, match="duplicate bps_code"):
        ProvinceCatalog.load(write(tmp_path, data))


def test_load_unknown_zone(tmp_path: Path) -> None:
    data = raw_data()
    data["provinces"][0]["zone"] = "CET"
    with pytest.raises(ValueError, match="unknown zone 'CET'"):
        ProvinceCatalog.load(write(tmp_path, data))


def test_load_zone_inconsistent_with_timezone(tmp_path: Path) -> None:
    data = raw_data()
    data["provinces"][0]["timezone"] = "Asia/Makassar"  # Aceh is WIB
    with pytest.raises(ValueError, match="does not match zone WIB"):
        ProvinceCatalog.load(write(tmp_path, data))


def test_load_unknown_timezone(tmp_path: Path) -> None:
    data = raw_data()
    data["provinces"][0]["timezone"] = "Asia/Atlantis"
    with pytest.raises(ValueError, match="unknown time zone"):
        ProvinceCatalog.load(write(tmp_path, data))


def test_load_unknown_region(tmp_path: Path) -> None:
    data = raw_data()
    data["provinces"][0]["region"] = "atlantis"
    with pytest.raises(ValueError, match="unknown region"):
        ProvinceCatalog.load(write(tmp_path, data))


def test_load_missing_field(tmp_path: Path) -> None:
    data = raw_data()
    del data["provinces"][3]["name"]
    with pytest.raises(ValueError, match=r"provinces\[3\]: 'name'"):
        ProvinceCatalog.load(write(tmp_path, data))


def test_load_bad_nik_code(tmp_path: Path) -> None:
    data = raw_data()
    data["provinces"][0]["nik_codes"] = ["1"]
    with pytest.raises(ValueError, match="nik_codes"):
        ProvinceCatalog.load(write(tmp_path, data))


def test_load_alias_shared_by_two_provinces(tmp_path: Path) -> None:
    data = raw_data()
    data["provinces"][0]["aliases"].append("jabar")
    with pytest.raises(ValueError, match="'jabar' is used by both"):
        ProvinceCatalog.load(write(tmp_path, data))


def test_load_upper_case_alias(tmp_path: Path) -> None:
    data = raw_data()
    data["provinces"][0]["aliases"].append("NAD2")
    with pytest.raises(ValueError, match="lower case"):
        ProvinceCatalog.load(write(tmp_path, data))


# --- matching ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # exact names, any case / spacing / punctuation
        ("Jawa Barat", "Jawa Barat"),
        ("jawa barat", "Jawa Barat"),
        ("  JAWA   BARAT  ", "Jawa Barat"),
        ("jawabarat", "Jawa Barat"),
        ("Jawa-Barat!", "Jawa Barat"),
        ("D.I. Yogyakarta", "DI Yogyakarta"),
        ("Kepulauan Bangka Belitung", "Kepulauan Bangka Belitung"),
        # "prov." / "provinsi" prefix
        ("Prov. Jawa Tengah", "Jawa Tengah"),
        ("provinsi jawa timur", "Jawa Timur"),
        ("Propinsi Bali", "Bali"),
        ("prov jabar", "Jawa Barat"),
        # aliases
        ("jabar", "Jawa Barat"),
        ("JATENG", "Jawa Tengah"),
        ("jatim", "Jawa Timur"),
        ("dki", "DKI Jakarta"),
        ("jakarta", "DKI Jakarta"),
        ("Jakarta", "DKI Jakarta"),
        ("jkt", "DKI Jakarta"),
        ("diy", "DI Yogyakarta"),
        ("jogja", "DI Yogyakarta"),
        ("Yogya", "DI Yogyakarta"),
        ("yogyakarta", "DI Yogyakarta"),
        ("sumut", "Sumatera Utara"),
        ("sumbar", "Sumatera Barat"),
        ("sumsel", "Sumatera Selatan"),
        ("babel", "Kepulauan Bangka Belitung"),
        ("kepri", "Kepulauan Riau"),
        ("kep. riau", "Kepulauan Riau"),
        ("kalbar", "Kalimantan Barat"),
        ("kalteng", "Kalimantan Tengah"),
        ("kalsel", "Kalimantan Selatan"),
        ("kaltim", "Kalimantan Timur"),
        ("kaltara", "Kalimantan Utara"),
        ("sulut", "Sulawesi Utara"),
        ("sulteng", "Sulawesi Tengah"),
        ("sulsel", "Sulawesi Selatan"),
        ("sultra", "Sulawesi Tenggara"),
        ("sulbar", "Sulawesi Barat"),
        ("ntb", "Nusa Tenggara Barat"),
        ("NTT", "Nusa Tenggara Timur"),
        ("malut", "Maluku Utara"),
        ("nad", "Aceh"),
        ("aceh", "Aceh"),
        ("pabar", "Papua Barat"),
        ("pbd", "Papua Barat Daya"),
        ("papua barat daya", "Papua Barat Daya"),
        # an exact name wins over longer names starting with it
        ("papua", "Papua"),
        ("Papua", "Papua"),
        ("papua barat", "Papua Barat"),
        ("riau", "Riau"),
        ("maluku", "Maluku"),
        # BPS codes
        ("32", "Jawa Barat"),
        ("94", "Papua"),
        ("91", "Papua Barat"),
        (" 31 ", "DKI Jakarta"),
        # unique prefix / substring
        ("goront", "Gorontalo"),
        ("bengk", "Bengkulu"),
        ("barat daya", "Papua Barat Daya"),
        ("pegunungan", "Papua Pegunungan"),
        ("bangka", "Kepulauan Bangka Belitung"),
        # typos
        ("jawa barar", "Jawa Barat"),
        ("sumatra utara", "Sumatera Utara"),
        ("kalimantan timor", "Kalimantan Timur"),
        ("kalimantan utra", "Kalimantan Utara"),
        ("sulawesi selatn", "Sulawesi Selatan"),
        ("jawa timor", "Jawa Timur"),
        ("yogyakrta", "DI Yogyakarta"),
        ("papua tngah", "Papua Tengah"),
        ("balli", "Bali"),
        ("bantn", "Banten"),
        ("jabr", "Jawa Barat"),
        ("Lampong", "Lampung"),
    ],
)
def test_match_one(catalog: ProvinceCatalog, typed: str, expected: str) -> None:
    assert names(catalog.match(typed)) == [expected]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "sulawesi",
            ["Sulawesi Utara", "Sulawesi Tengah", "Sulawesi Selatan", "Sulawesi Tenggara", "Sulawesi Barat"],
        ),
        (
            "kalimantan",
            [
                "Kalimantan Barat",
                "Kalimantan Tengah",
                "Kalimantan Selatan",
                "Kalimantan Timur",
                "Kalimantan Utara",
            ],
        ),
        ("papua b", ["Papua Barat", "Papua Barat Daya"]),
        ("jawa", ["Jawa Barat", "Jawa Tengah", "Jawa Timur"]),
        ("sumatera", ["Sumatera Utara", "Sumatera Barat", "Sumatera Selatan"]),
        ("nusa tenggara", ["Nusa Tenggara Barat", "Nusa Tenggara Timur"]),
    ],
)
def test_match_ambiguous(catalog: ProvinceCatalog, typed: str, expected: list[str]) -> None:
    assert names(catalog.match(typed)) == expected


def test_match_ambiguous_papua_prefix(catalog: ProvinceCatalog) -> None:
    found = names(catalog.match("pap"))
    assert len(found) == 6
    assert all(name.startswith("Papua") for name in found)


@pytest.mark.parametrize("typed", ["", "   ", "...", "xyz", "qwertyuiop", "99", "93", "3", "ja", "provinsi", "12345"])
def test_match_nothing(catalog: ProvinceCatalog, typed: str) -> None:
    assert catalog.match(typed) == ()


def test_every_name_and_alias_matches_its_province(catalog: ProvinceCatalog) -> None:
    for p in catalog.all():
        for typed in (p.name, p.name.upper(), p.code, *p.aliases, *(a.upper() for a in p.aliases)):
            assert catalog.match(typed) == (p,), typed


def test_provinces_by_distance_between_capitals(catalog: ProvinceCatalog) -> None:
    names = [p.name for p in catalog.by_distance("31")]
    assert names[:4] == ["DKI Jakarta", "Banten", "Jawa Barat", "Lampung"]
    assert len(names) == PROVINCE_COUNT and names[-1].startswith("Papua")
    maluku = [p.name for p in catalog.by_distance("81")]
    assert maluku.index("Maluku Utara") < maluku.index("Sulawesi Selatan") < maluku.index("Jawa Timur")
    assert catalog.by_distance("00") == catalog.all()  # an unknown code: the usual order


@pytest.mark.parametrize(
    "capital",
    [None, {"name": "Banda Aceh", "lat": "5.5", "lon": 95.3}, {"name": "Banda Aceh", "lat": 95.0, "lon": 95.3}],
)
def test_load_refuses_a_capital_without_coordinates(tmp_path: Path, capital: object) -> None:
    data = raw_data()
    data["provinces"][0]["capital"] = capital
    with pytest.raises(ValueError, match=r"provinces\[0\]: 'capital' must be"):
        ProvinceCatalog.load(write(tmp_path, data))
