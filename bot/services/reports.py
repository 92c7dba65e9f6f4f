"""Is the programme getting people back to work? The figures staff answer for, by wave, course, institute and
province, compared with the target (REPORT_TARGET, e.g. half of the participants working again).

Definitions (also in README):
  completion rate        participants who completed / participants who got a seat
  response rate (wave)   check-ins answered / check-ins sent in that wave
  working (of answered)  answers "previous employer", "new employer" or "own business" / answers
  working (of completed) the same answers / completers the wave was sent to (no answer counts as not working)
  attendance rate        present / (seats x sessions counted: begun, with attendance taken by QR or roll call)
  no-shows who said hadir  absent or not recorded at a counted session, having answered the reminder "Saya akan hadir"
Reads go through a snapshot connection, so a report never holds up the bot.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.services.dates import add_months
from bot.services.enrollment import Refusal
from bot.services.provinces import ProvinceCatalog
from bot.services.staff import Scope as StaffScope
from bot.storage.db import Database
from bot.storage.reports import AttendanceFigures, GroupCompletions, ReportRepository, Scope, Totals, WaveFigures
from bot.text import shorten

REPORT_ZONE = ZoneInfo("Asia/Jakarta")
GROUPINGS = ("course", "institute", "province")
# The outbox kind of the weekly summary to staff (bot/handlers/reports.py queues it).
WEEKLY_KIND = "report_weekly"
_PERIOD = re.compile(r"^(\d{4})-(\d{2})(?:\.\.(\d{4})-(\d{2}))?$")


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@dataclass(frozen=True, slots=True)
class Wave:
    wave: str
    asked: int
    answered: int
    employed: int
    recruiting: int

    @property
    def response_rate(self) -> float | None:
        return ratio(self.answered, self.asked)

    @property
    def working_of_answered(self) -> float | None:
        return ratio(self.employed, self.answered)

    @property
    def working_of_completed(self) -> float | None:
        return ratio(self.employed, self.asked)


@dataclass(frozen=True, slots=True)
class Group:
    """One line of a breakdown: a course, an institute or a province."""

    key: str
    label: str
    enrolled: int
    completed: int
    dropped: int
    waves: list[Wave]
    # Real attendance (session_presence); None where no session of the group had attendance taken.
    attendance: AttendanceFigures | None = None

    @property
    def completion_rate(self) -> float | None:
        return ratio(self.completed, self.enrolled + self.completed + self.dropped)


@dataclass(frozen=True, slots=True)
class Summary:
    scope: Scope
    totals: Totals
    waves: list[Wave]
    target: float
    generated_at: datetime
    # What the scope names, for the heading: a course title, a province name, a period.
    scope_labels: dict[str, str] = field(default_factory=dict)
    attendance: AttendanceFigures | None = None

    @property
    def completion_rate(self) -> float | None:
        return ratio(self.totals.completed, self.totals.enrolled)

    def latest_answered_wave(self) -> Wave | None:
        """The latest wave anyone answered: the headline re-employment figure."""
        answered = [w for w in self.waves if w.answered]
        return answered[-1] if answered else None


class ReportService:
    def __init__(self, db: Database, settings: Settings, clock: Clock, provinces: ProvinceCatalog) -> None:
        self._db = db
        self._clock = clock
        self._provinces = provinces
        self.target = settings.report_target
        self.waves = [f"d{days}" for days in settings.checkin_days]

    async def summary(self, scope: Scope) -> Summary:
        async with self._db.snapshot() as session:
            reports = ReportRepository(session)
            totals = await reports.totals(scope)
            found = await reports.waves(scope, "all", self.waves)
            labels = await self._labels(reports, scope)
            attendance = await reports.attendance(scope, "all", self._clock.now())
        waves = self._waves(found)
        return Summary(scope, totals, waves, self.target, self._clock.now(), labels, next(iter(attendance), None))

    async def breakdown(self, scope: Scope, grouping: str) -> list[Group]:
        """Completion and re-employment per course, institute or province."""
        async with self._db.snapshot() as session:
            reports = ReportRepository(session)
            completions = await reports.completions(scope, grouping)
            waves = await reports.waves(scope, grouping, self.waves)
            attendance = {a.key: a for a in await reports.attendance(scope, grouping, self._clock.now())}
        by_key: dict[str, list[WaveFigures]] = {}
        for figures in waves:
            by_key.setdefault(figures.key, []).append(figures)
        return [
            dataclasses.replace(self._group(c, by_key.get(c.key, []), grouping), attendance=attendance.get(c.key))
            for c in completions
        ]

    def parse_scope(self, tokens: list[str], course_ids: dict[str, int]) -> Scope | Refusal:
        """`/laporan` arguments: a course code, a province (tolerant, "jabar"), a period 2026-01 or
        2026-01..2026-06 (months of completion), in any order."""
        course_id: int | None = None
        province: str | None = None
        since: datetime | None = None
        until: datetime | None = None
        for token in tokens:
            period = _PERIOD.match(token)
            if period:
                first = date(int(period.group(1)), int(period.group(2)), 1) if 1 <= int(period.group(2)) <= 12 else None
                last_year, last_month = (period.group(3), period.group(4)) if period.group(3) else period.groups()[:2]
                if first is None or not 1 <= int(last_month) <= 12:
                    return Refusal("report-bad-period", {"value": shorten(token)})
                last = add_months(date(int(last_year), int(last_month), 1), 1)
                if last <= first:
                    return Refusal("report-bad-period", {"value": shorten(token)})
                since = datetime.combine(first, time(0), REPORT_ZONE)
                until = datetime.combine(last, time(0), REPORT_ZONE)
            elif token.upper() in course_ids:
                course_id = course_ids[token.upper()]
            elif len(matches := self._provinces.match(token)) == 1:
                province = matches[0].code
            else:
                return Refusal("report-bad-filter", {"value": shorten(token)})
        return Scope(course_id, province, since, until)

    async def courses_of(self, staff_scope: StaffScope) -> tuple[int, ...]:
        """The ids of the courses a staff member's scope covers (an LPK member's institutes' courses)."""
        async with self._db.snapshot() as session:
            found = await ReportRepository(session).course_institutes()
        return tuple(course_id for course_id, institute in found if staff_scope.covers(institute))

    async def course_codes(self) -> dict[str, int]:
        async with self._db.snapshot() as session:
            return await ReportRepository(session).course_codes()

    def _waves(self, found: list[WaveFigures]) -> list[Wave]:
        by_wave = {f.wave: f for f in found}
        return [
            Wave(w, by_wave[w].asked, by_wave[w].answered, by_wave[w].employed, by_wave[w].recruiting)
            if w in by_wave
            else Wave(w, 0, 0, 0, 0)
            for w in self.waves
        ]

    def _group(self, completions: GroupCompletions, waves: list[WaveFigures], grouping: str) -> Group:
        label = completions.label
        if grouping == "province":
            province = self._provinces.get(completions.key)
            label = province.name if province is not None else completions.key
        return Group(
            completions.key,
            label,
            completions.enrolled,
            completions.completed,
            completions.dropped,
            self._waves(waves),
        )

    async def _labels(self, reports: ReportRepository, scope: Scope) -> dict[str, str]:
        labels: dict[str, str] = {}
        if scope.course_id is not None:
            labels["course"] = await reports.course_title(scope.course_id)
        if scope.province_code is not None:
            province = self._provinces.get(scope.province_code)
            labels["province"] = province.name if province is not None else scope.province_code
        return labels
