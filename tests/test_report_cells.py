"""The workbook's conversion caches (bot/services/report_cells.py) give what the plain conversions give."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import Translations
from bot.services.report_cells import LocalTimes, Memo, local_time, wave_label
from bot.storage.db import to_db_time


def test_a_memo_converts_each_value_once_and_gives_the_translated_label() -> None:
    t = Translations("id").get("id")
    calls: list[str] = []

    def label(status: str) -> str:
        calls.append(status)
        return t.plain(f"employment-{status}")

    statuses = Memo(label)
    waves = Memo(lambda wave: wave_label(t, wave))
    for _ in range(3):
        assert statuses["new_employer"] == t.plain("employment-new_employer")
        assert statuses["not_working"] == t.plain("employment-not_working")
        assert waves["d30"] == wave_label(t, "d30") and waves["self"] == wave_label(t, "self")
    assert calls == ["new_employer", "not_working"]


def test_a_memo_past_its_limit_starts_again_and_still_answers() -> None:
    squares = Memo(lambda n: n * n, limit=3)
    assert [squares[n] for n in range(10)] == [n * n for n in range(10)]
    assert len(squares) <= 3


def test_local_times_are_local_time_for_stored_and_other_forms() -> None:
    times = LocalTimes()
    rng = random.Random(7)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    stored = [to_db_time(start + timedelta(seconds=rng.randrange(3 * 365 * 86400))) for _ in range(2000)]
    others = ["2026-12-07T03:04:05Z", "2026-12-07T03:04:05+00:00", "2026-12-07T23:59:59.999999+00:00", "", None]
    for value in stored + stored[:50] + others:
        assert times(value) == local_time(value), value
    assert times("2026-12-07T17:04:05.123456Z") == "2026-12-08 00:04"  # past midnight in WIB


def test_local_times_in_zones_with_half_hours_and_summer_time() -> None:
    # Kolkata is 5:30 from UTC (no hour is cut at the hour); Berlin changes its clocks; Jakarta before 1964 was
    # 7:20 and 7:30 from UTC at times.
    for name, start in (("Asia/Kolkata", 2026), ("Europe/Berlin", 2026), ("Asia/Jakarta", 1920)):
        zone = ZoneInfo(name)
        times = LocalTimes(zone)
        moment = datetime(start, 3, 1, tzinfo=UTC)
        while moment < datetime(start + 1, 1, 1, tzinfo=UTC):
            value = to_db_time(moment)
            assert times(value) == local_time(value, zone), (name, value)
            moment += timedelta(minutes=17, seconds=31)
