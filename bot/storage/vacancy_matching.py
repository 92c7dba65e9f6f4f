"""Matching vacancies to the participants who look for work, and queueing them, set-based.

One batch of participants (an id range) is two statements in one transaction: an INSERT ... SELECT into
vacancy_deliveries of each person's matches not sent before, capped per person with ROW_NUMBER(), then an
INSERT ... SELECT into the outbox of one row per person carrying the ids of what was just recorded for them. The
delivery rows of a run share a dedupe-key prefix, so the second statement reads back exactly what the first wrote,
through the batch's range of vacancy_deliveries' primary key (participant first). No loop per person, on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import POSTGRESQL, Param, Session, to_db_time
from bot.storage.outbox import OutboxRepository

# The outbox kind of a message listing matched vacancies (rendered when sent: bot/delivery/vacancies.py).
VACANCY_KIND = "vacancies"
# vacancy_deliveries.occasion
PUBLISHED = "published"
DIGEST = "digest"
# Enrolments whose course's category counts as the participant's: in a course now, or completed one.
_COURSE_STATES = ("enrolled", "completed")


@dataclass(frozen=True, slots=True)
class MatchRun:
    """One matching: when a vacancy is published (`vacancy_ids`: only those) or the weekly digest (None: every
    open vacancy)."""

    occasion: str
    # Unique per run: the dedupe keys of its outbox rows and delivery rows start with run_prefix.
    token: str
    message_key: str
    now: datetime
    limit: int
    # Employment statuses that count as working again (not matched, whatever they once answered).
    employed: Sequence[str]
    # (province codes, moment) per time zone: when a message may go out there (quiet hours); others: default_time.
    send_times: Sequence[tuple[Sequence[str], datetime]]
    default_time: datetime
    vacancy_ids: Sequence[int] | None = None

    @property
    def run_prefix(self) -> str:
        return f"{VACANCY_KIND}:{self.occasion}:{self.token}:"


def _looking_for_work(employed: Sequence[str]) -> tuple[str, list[Param]]:
    """Participants who asked for job information through the bot, are not working again, still want
    announcements, can be reached and have not erased their data."""
    marks = ", ".join("?" for _ in employed)
    return (
        "+p.wants_vacancies = 1 AND p.telegram_user_id IS NOT NULL AND p.erased_at IS NULL"
        " AND p.announcements_off_at IS NULL AND p.unreachable_since IS NULL"
        f" AND (p.employment_status IS NULL OR p.employment_status NOT IN ({marks}))",
        list(employed),
    )


def zone_times_sql(send_times: Sequence[tuple[Sequence[str], datetime]], default: datetime) -> tuple[str, list[Param]]:
    """A CASE on p.province_code giving each zone's moment (broadcasts do the same)."""
    case = "CASE"
    params: list[Param] = []
    for codes, moment in send_times:
        if codes:
            case += f" WHEN p.province_code IN ({', '.join('?' for _ in codes)}) THEN ?"
            params.extend([*codes, to_db_time(moment)])
    if not params:
        return "?", [to_db_time(default)]
    return case + " ELSE ? END", [*params, to_db_time(default)]


class VacancyMatchRepository:
    def __init__(self, session: Session, outbox: OutboxRepository) -> None:
        self._s = session
        # Rows queued here count as the unit's outbox rows (the dispatcher is woken after the commit).
        self._outbox = outbox

    async def looking_for_work(self, employed: Sequence[str]) -> list[int]:
        """The ids of everyone who may be matched now, in order (the batches are ranges of them)."""
        where, params = _looking_for_work(employed)
        rows = await self._s.fetchall(f"SELECT p.id FROM participants p WHERE {where} ORDER BY p.id", params)  # noqa: S608
        return [int(row[0]) for row in rows]

    async def enqueue(self, run: MatchRun, first_id: int, last_id: int) -> tuple[int, int]:
        """Match and queue the participants with ids first_id..last_id; returns (vacancies recorded, messages)."""
        where, who = _looking_for_work(run.employed)
        only = ""
        only_params: list[Param] = []
        if run.vacancy_ids is not None:
            only = f" AND v.id IN ({', '.join('?' for _ in run.vacancy_ids)})"
            only_params = list(run.vacancy_ids)
        states = ", ".join("?" for _ in _COURSE_STATES)
        now = to_db_time(run.now)
        if self._s.dialect == POSTGRESQL:
            # The statements are prepared once and run for every batch; after five runs PostgreSQL may switch to
            # a generic plan, blind to the id range and the bound, which took 420 ms a batch instead of 40
            # (bench/vacancies.py). Planned for each batch's values instead (this transaction only).
            await self._s.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        recorded = await self._s.execute(
            # wanted: the categories of each person's courses. offers: the open vacancies of each category, in a
            # list per province and one for all Indonesia (place ''), ranked closing soonest first. A person gets
            # the best `limit` of their lists not sent to them before, which are among the first limit + (open
            # vacancies sent to them already) of each list: `bound` for the batch, so each person meets a few
            # offers per list instead of every vacancy of the category. Then ranked (their province first, then
            # closing soonest) and cut at the limit.
            "WITH wanted AS (SELECT DISTINCT p.id AS participant_id, p.province_code, c.category"  # noqa: S608 (fixed fragments)
            " FROM participants p JOIN enrollments e ON e.participant_id = p.id"
            f" JOIN courses c ON c.id = e.course_id WHERE p.id BETWEEN ? AND ? AND {where}"
            f" AND e.status IN ({states})),"
            " bound AS (SELECT ? + COALESCE(MAX(n), 0) AS k FROM (SELECT COUNT(*) AS n FROM vacancy_deliveries d"
            " JOIN vacancies v ON v.id = d.vacancy_id WHERE d.participant_id BETWEEN ? AND ? AND v.closes_at > ?"
            " GROUP BY d.participant_id) sent),"
            " offers AS (SELECT vc.category, COALESCE(v.province_code, '') AS place, v.id AS vacancy_id,"
            " v.closes_at, CASE WHEN v.province_code IS NULL THEN 1 ELSE 0 END AS elsewhere, ROW_NUMBER() OVER"
            " (PARTITION BY vc.category, v.province_code ORDER BY v.closes_at, v.id) AS r"
            f" FROM vacancies v JOIN vacancy_categories vc ON vc.vacancy_id = v.id WHERE v.closes_at > ?{only}),"
            " best AS (SELECT * FROM offers WHERE r <= (SELECT k FROM bound)),"
            " places AS (SELECT participant_id, category, province_code AS place FROM wanted"
            " UNION ALL SELECT participant_id, category, '' FROM wanted),"
            " matched AS (SELECT DISTINCT w.participant_id, o.vacancy_id, o.elsewhere, o.closes_at"
            " FROM places w JOIN best o ON o.category = w.category AND o.place = w.place"
            " WHERE NOT EXISTS (SELECT 1 FROM vacancy_deliveries d"
            " WHERE d.vacancy_id = o.vacancy_id AND d.participant_id = w.participant_id)),"
            " ranked AS (SELECT participant_id, vacancy_id, ROW_NUMBER() OVER"
            " (PARTITION BY participant_id ORDER BY elsewhere, closes_at, vacancy_id) AS n FROM matched)"
            " INSERT INTO vacancy_deliveries (vacancy_id, participant_id, occasion, dedupe_key, delivered_at)"
            " SELECT vacancy_id, participant_id, ?, ? || participant_id, ? FROM ranked WHERE n <= ?"
            " ON CONFLICT (participant_id, vacancy_id) DO NOTHING",
            [
                first_id,
                last_id,
                *who,
                *_COURSE_STATES,
                run.limit,
                first_id,
                last_id,
                now,
                now,
                *only_params,
                run.occasion,
                run.run_prefix,
                now,
                run.limit,
            ],
        )
        if not recorded:
            return 0, 0
        ids = (
            "string_agg(CAST(d.vacancy_id AS TEXT), ',')"
            if self._s.dialect == POSTGRESQL
            else "group_concat(d.vacancy_id, ',')"
        )
        when, when_params = zone_times_sql(run.send_times, run.default_time)
        prefix = run.run_prefix
        messages = await self._s.execute(
            # This run's rows of the batch's people (the participant index; the key compared whole, whatever the
            # collation).
            "INSERT INTO outbox (telegram_user_id, kind, priority, not_before, message_key, params, dedupe_key,"  # noqa: S608 (fixed fragments)
            f" subject, created_at) SELECT p.telegram_user_id, ?, 0, {when}, ?, '{{\"vacancies\": [' || {ids} || ']}}',"
            " d.dedupe_key, ?, ? FROM vacancy_deliveries d JOIN participants p ON p.id = d.participant_id"
            " WHERE d.participant_id BETWEEN ? AND ? AND substr(d.dedupe_key, 1, ?) = ?"
            " GROUP BY d.dedupe_key, p.telegram_user_id, p.province_code"
            " ON CONFLICT (dedupe_key) DO NOTHING",
            [
                VACANCY_KIND,
                *when_params,
                run.message_key,
                prefix.rstrip(":"),
                to_db_time(run.now),
                first_id,
                last_id,
                len(prefix),
                prefix,
            ],
        )
        self._outbox.added += messages
        return recorded, messages
