"""The survey tick works set-based, a batch of runs per transaction: exactly the due surveys expire and start, at
the batch boundaries too; no batch is larger than the cap; a tick interrupted between batches starts nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.storage.db import to_db_time
from bot.storage.surveys import DueRun, SurveyRepository
from tests.backends import execute
from tests.harness import BotHarness
from tests.survey_flows import JAWA_BARAT, MALUKU, WIB, completed, services

PEOPLE = {1001 + i: (JAWA_BARAT if i % 2 else MALUKU) for i in range(7)}
# After every participant's d30 check-in time (10:00 in their zone on 7 January) and the satisfaction surveys'
# expiry (seven days after the course's completion on 8 December).
D30 = datetime(2027, 1, 7, 12, 0, tzinfo=WIB)
BATCH = 3


def states(bot: BotHarness) -> dict[int, list[tuple[str, str]]]:
    """(wave, status) of each participant's surveys, in due order."""
    found: dict[int, list[tuple[str, str]]] = {}
    for row in bot.rows(
        "SELECT p.telegram_user_id AS who, r.wave, r.status FROM survey_runs r"
        " JOIN participants p ON p.id = r.participant_id WHERE p.telegram_user_id IS NOT NULL ORDER BY r.due_at, r.id"
    ):
        found.setdefault(int(row["who"]), []).append((row["wave"], row["status"]))
    return found


def queued(bot: BotHarness, wave: str, statuses: str = "'pending', 'sending', 'sent'") -> list[tuple[int, str]]:
    """(recipient, kind) of the outbox rows of the runs of `wave` not withdrawn (or in `statuses`)."""
    return sorted(
        (int(row["telegram_user_id"]), row["kind"])
        for row in bot.rows(
            "SELECT o.telegram_user_id, o.kind FROM outbox o JOIN survey_runs r ON o.subject = 'survey:' || r.id || ':'"
            f" WHERE r.wave = ? AND o.status IN ({statuses})",
            (wave,),
        )
    )


class Recorder:
    """Wraps the tick's set-based reads and writes: how many each call handled, and an optional crash."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, crash_at_first_due: int | None = None) -> None:
        self.expired: list[int] = []
        self.asked: list[int] = []
        expire, first_due = SurveyRepository.expire_overdue, SurveyRepository.first_due

        async def expire_overdue(repo: SurveyRepository, now: datetime, limit: int) -> list[tuple[int, int]]:
            found = await expire(repo, now, limit)
            self.expired.append(len(found))
            return found

        async def recorded_first_due(repo: SurveyRepository, ids: Sequence[int], now: datetime) -> list[DueRun]:
            self.asked.append(len(ids))
            if crash_at_first_due is not None and len(self.asked) == crash_at_first_due:
                raise RuntimeError("the process dies in the middle of a batch")
            return await first_due(repo, ids, now)

        monkeypatch.setattr(SurveyRepository, "expire_overdue", expire_overdue)
        monkeypatch.setattr(SurveyRepository, "first_due", recorded_first_due)


async def cohort(bot: BotHarness) -> Any:
    await completed(bot, PEOPLE)
    bot.advance(D30 - bot.clock.now())
    surveys = services(bot).surveys
    surveys.tick_batch = BATCH
    return surveys


async def test_batches_expire_and_start_exactly_the_due_surveys(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    surveys = await cohort(bot)
    # The application's own minute tick would take part of the batches measured here.
    assert bot.app is not None and bot.app.job_queue is not None
    bot.app.job_queue.scheduler.pause()
    late = 1007  # this one's satisfaction survey runs a minute longer: it stays, and its check-in waits its turn
    execute(
        bot.database_url,
        "UPDATE survey_runs SET expires_at = ? WHERE wave = 'completion'"
        " AND participant_id = (SELECT id FROM participants WHERE telegram_user_id = ?)",
        (to_db_time(bot.clock.now() + timedelta(minutes=1)), late),
    )
    recorder = Recorder(monkeypatch)

    assert await surveys.tick() == 6
    assert recorder.expired == [3, 3, 0]  # two full batches, then none left to expire
    assert all(size <= BATCH for size in recorder.asked)
    assert max(recorder.asked) == BATCH
    found = states(bot)
    for who in PEOPLE:
        expected = ("active", "scheduled") if who == late else ("expired", "active")
        assert found[who] == [
            ("completion", expected[0]),
            ("d30", expected[1]),
            ("d90", "scheduled"),
            ("d180", "scheduled"),
        ], who
    # A question (sent at once) and a nudge for each check-in started; nothing pending for the expired surveys.
    started = [who for who in PEOPLE if who != late]
    assert queued(bot, "d30") == sorted((who, kind) for who in started for kind in ("survey_nudge", "survey_question"))
    assert {who for who, _ in queued(bot, "completion", "'pending', 'sending'")} <= {late}

    bot.advance(timedelta(minutes=1))
    assert await surveys.tick() == 1
    assert states(bot)[late][:2] == [("completion", "expired"), ("d30", "active")]
    assert await surveys.tick() == 0


async def test_a_tick_interrupted_between_batches_starts_nothing_twice(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    surveys = await cohort(bot)
    Recorder(monkeypatch, crash_at_first_due=2)  # the second batch dies after expiring, before starting
    with pytest.raises(RuntimeError):
        await surveys.tick()
    found = states(bot)
    assert sum(runs[1] == ("d30", "active") for runs in found.values()) == BATCH  # the first batch committed
    assert sum(runs[0] == ("completion", "expired") for runs in found.values()) == BATCH  # the second rolled back
    monkeypatch.undo()

    # The rest start now (the application's own periodic tick may take some of them first: never more in total).
    assert await surveys.tick() <= len(PEOPLE) - BATCH
    assert await surveys.tick() == 0
    assert all(runs[:2] == [("completion", "expired"), ("d30", "active")] for runs in states(bot).values())
    questions = [
        who
        for who, kind in queued(bot, "d30", "'pending', 'sending', 'sent', 'cancelled'")
        if kind == "survey_question"
    ]
    assert questions == sorted(PEOPLE)  # one each: none asked twice


async def test_a_removed_survey_gives_way_and_the_unreachable_are_cancelled(bot: BotHarness) -> None:
    surveys = await cohort(bot)
    retired, erased = 1001, 1002

    def of(who: int) -> str:
        return f"participant_id = (SELECT id FROM participants WHERE telegram_user_id = {who})"

    # 1001's d30 check-in names a survey whose file is gone; their d90 check-in is due too.
    execute(bot.database_url, f"UPDATE survey_runs SET survey = 'retired' WHERE wave = 'd30' AND {of(retired)}")
    execute(
        bot.database_url,
        f"UPDATE survey_runs SET due_at = ? WHERE wave = 'd90' AND {of(retired)}",
        (to_db_time(bot.clock.now() - timedelta(hours=1)),),
    )
    # 1002 can no longer be reached (as after an erasure that left their surveys).
    execute(bot.database_url, "UPDATE participants SET telegram_user_id = NULL WHERE telegram_user_id = ?", (erased,))

    await surveys.tick()
    found = states(bot)
    assert found[retired] == [
        ("completion", "expired"),
        ("d30", "cancelled"),
        ("d90", "active"),
        ("d180", "scheduled"),
    ]
    assert list(unreachable(bot).values()) == [
        [("completion", "expired"), ("d30", "cancelled"), ("d90", "cancelled"), ("d180", "cancelled")]
    ]
    for who in PEOPLE.keys() - {retired, erased}:
        assert found[who][:2] == [("completion", "expired"), ("d30", "active")]


def unreachable(bot: BotHarness) -> dict[int, list[tuple[str, str]]]:
    """(wave, status) of the surveys of participants with no Telegram id, by participant id."""
    found: dict[int, list[tuple[str, str]]] = {}
    for row in bot.rows(
        "SELECT r.participant_id, r.wave, r.status FROM survey_runs r JOIN participants p ON p.id = r.participant_id"
        " WHERE p.telegram_user_id IS NULL ORDER BY r.due_at, r.id"
    ):
        found.setdefault(int(row[0]), []).append((row["wave"], row["status"]))
    return found
