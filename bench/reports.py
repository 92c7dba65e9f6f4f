"""Reports at programme scale: the /laporan figures, the Excel workbook and the chart over a synthetic database.

Run: ``python bench/reports.py [--participants N] [--workdir DIR]``. Prints two JSON lines, both with
``"bench": "reports"``: the figures (see ``run``), then the machine.

Seeding (not timed, but reported as ``seed_s``): a fresh SQLite file (``<workdir>/reports-<N>.db``) is migrated
with the project's own migrations (``Database.migrate``), then filled with plain ``sqlite3`` (``executemany``, one
transaction), as if the programme had run from March 2025 to Monday 1 March 2027, 10:00 WIB (the clock of the
report):

* N participants (default 100,000) with an Indonesian name, a unique 16-digit NIK that starts with their province's
  code, Telegram id, birth date, gender, phone, KPJ (most), last employer and lay-off date, spread over every
  province (Jawa Barat, Jawa Timur, Jawa Tengah and DKI Jakarta more often), registered at random times over the
  two years; 3 % need verification; 1 % erased their data afterwards (name, NIK, Telegram id... NULL, as
  ``ParticipantRepository.erase`` leaves them, and their free-text answers gone).
* 40 institutes and 400 courses (each with five weekly sessions, starting at random over the two years; the
  participant's own province preferred), so most people find a course within weeks of registering. 97 % enrol;
  the outcome of a course that has ended is completed (85 %), dropped (9 %), cancelled (2 %) or still 'enrolled'
  (staff have not closed it yet); half of those who completed take a second course later. About half the
  enrolments have attendance intents for their sessions.
* For every completed enrolment the employment check-ins d30, d90 and d180, planned at completion as the bot plans
  them (10:00 local time on that day). A wave whose time has come was asked (``started_at`` set) and answered by
  92 % / 88 % / 85 % (within days, or it expired); later waves are still scheduled; those of an erased participant
  were cancelled. Answers spread over the six statuses, more of them working at later waves. Most of the people
  who completed (85 %) also reported their status themselves ("Status Kerja", wave 'self') once or twice. Every
  answered check-in has an ``employment_checkins`` row and two ``survey_answers`` (the status and the question
  that follows it). With the defaults this makes about 300,000 check-ins (``checkins``, the exact count) out of
  ``runs`` employment survey runs, and the participant's latest status is kept on the participant.

Timed, through ``ReportService`` as ``bot/app.py`` wires it (default settings, the province catalogue, a
``ManualClock`` at the report time) and ``bot/services/report_files.py``, in Indonesian:

1. ``summary_s``: what /laporan and its breakdown buttons compute: ``summary(Scope())`` (programme totals and
   the three waves) and ``breakdown`` by course, institute and province (each also reported on its own).
2. ``workbook_s``: ``report_files.workbook`` for the whole programme (NIK masked): every participant, enrolment,
   check-in and survey answer written to the xlsx; ``workbook_mb`` is its size.
3. ``chart_s``: ``report_files.chart`` (the PNG of re-employment by wave and by course).

While the workbook is built, ``workbook_loop_stall_ms`` is the longest the event loop could not run another task
(a ticker every 10 ms): what a participant writing to the bot at that moment would wait on top of the usual.

The aims are 5 s for ``summary_s`` and 60 s for ``workbook_s``; ``met`` says whether both are within them.
Afterwards the figures are checked against plain SQL counts (written independently of bot/storage/reports.py)
that must also equal what the seeding planned: registered and eligible participants, participants with a seat,
who completed, who dropped out, completed enrolments, and for each wave the check-ins asked, answered, working
again and recruiting; each breakdown must add up to the totals. The workbook must open with openpyxl
(read-only) with a participants sheet of N + 1 rows (header + N, ids in order, every NIK masked) and a check-ins
sheet of ``checkins`` + 1 rows. Otherwise the script exits with status 1. Timings are not asserted.

With the defaults a run takes about 3 minutes on 2 cores: seeding about 30 s, the workbook 90-115 s (runs differ by
a quarter on this shared machine), reading it back about 50 s. The workbook is 48 MB, just under the 50 MB Telegram
lets a bot send. Almost all of its time is openpyxl writing cells (several million: the survey sheets have a row per
answered survey and a column per question); the SQL behind it takes about 3 s and the bot's own conversions about
7 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # run as a script: make `bot` importable
    sys.path.insert(0, _ROOT)

import argparse  # noqa: E402
import bisect  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, date, datetime, timedelta  # noqa: E402
from datetime import time as clock_time  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from openpyxl import load_workbook  # noqa: E402

from bench.common import (  # noqa: E402
    VAULT,
    BenchFailure,
    LoopStalls,
    PostgresRun,
    add_backend_options,
    machine_info,
    print_lines,
)
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.i18n import Translations, Translator  # noqa: E402
from bot.services import report_files  # noqa: E402
from bot.services.education import EDUCATION_LEVELS  # noqa: E402
from bot.services.provinces import Province, ProvinceCatalog  # noqa: E402
from bot.services.registration import CONSENT_VERSION  # noqa: E402
from bot.services.reports import Group, ReportService, Summary  # noqa: E402
from bot.services.survey_catalog import (  # noqa: E402
    EMPLOYED,
    EMPLOYMENT,
    EMPLOYMENT_STATUSES,
    SurveyCatalog,
)
from bot.storage.connect import open_database  # noqa: E402
from bot.storage.db import to_db_time  # noqa: E402
from bot.storage.participants import sealed_columns  # noqa: E402
from bot.storage.reports import Scope, Totals  # noqa: E402
from bot.storage.surveys import SELF_REPORTED  # noqa: E402

DEFAULT_PARTICIPANTS = 100_000
MAX_PARTICIPANTS = 10_000_000
LANGUAGE = "id"
WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=WIB)  # a Monday: when staff ask for the report
PROGRAMME_START = datetime(2025, 3, 3, 8, 0, tzinfo=WIB)
SEED = 20270301

# Telegram ids: FIRST_USER_ID + (index * USER_ID_STEP + 17) mod USER_ID_SPACE, unique and in no particular order.
FIRST_USER_ID = 100_000_000
USER_ID_SPACE = 10**9
USER_ID_STEP = 104_729

INSTITUTES = 40
COURSES = 400
SESSIONS_PER_COURSE = 5
SESSION_HOURS = (clock_time(8, 0), clock_time(16, 0))
COURSE_DAYS = 7 * (SESSIONS_PER_COURSE - 1) + 1
# Courses start between two weeks into the programme and six weeks after the report (some not started yet).
COURSE_STARTS = (PROGRAMME_START + timedelta(days=14), NOW + timedelta(days=42))

PROVINCE_WEIGHTS = {"32": 8.0, "35": 6.0, "33": 5.0, "31": 3.0}
OWN_PROVINCE_SHARE = 0.8  # a participant takes a course in their own province when one starts in time
ENROL_SHARE = 0.97
ENROL_WINDOW = (timedelta(days=2), timedelta(days=90))  # after registering, the course starts within this
SECOND_SHARE = 0.50  # of those who completed: a second course
SECOND_WINDOW = (timedelta(days=10), timedelta(days=150))  # after completing the first
# The outcome of a course that has ended: (status, weight); 'enrolled' means staff have not closed it yet.
OUTCOMES = (("completed", 85.0), ("dropped", 9.0), ("cancelled", 2.0), ("enrolled", 4.0))
DROPPED_BEFORE_END_SHARE = 0.03  # of the enrolments in a course under way
ATTENDANCE_SHARE = 0.5  # of the enrolments: intents given for the sessions
INTENT_SHARE = 0.7  # of the sessions, for those who give intents
ERASED_SHARE = 0.01
NEEDS_VERIFICATION_SHARE = 0.03
KPJ_SHARE = 0.7

CHECKIN_DAYS = (30, 90, 180)  # the default CHECKIN_DAYS; bench_settings() must agree
CHECKIN_AT = clock_time(10, 0)
ANSWERED_SHARE = {"d30": 0.92, "d90": 0.88, "d180": 0.85}
EXPIRY = timedelta(days=7)  # the default SURVEY_EXPIRY_DAYS
# Answers by wave over EMPLOYMENT_STATUSES (previous_employer, new_employer, own_business, recruiting,
# not_working, training): more people working at later waves.
STATUS_WEIGHTS = {
    "d30": (10.0, 15.0, 8.0, 15.0, 45.0, 7.0),
    "d90": (12.0, 22.0, 10.0, 12.0, 37.0, 7.0),
    "d180": (14.0, 28.0, 12.0, 10.0, 30.0, 6.0),
    SELF_REPORTED: (10.0, 30.0, 15.0, 12.0, 25.0, 8.0),
}
SELF_REPORTS = (0, 1, 2)  # how many times someone who completed reports their status themselves
SELF_REPORT_WEIGHTS = (15.0, 45.0, 40.0)

# The question each status leads to (data/surveys/employment.yaml), its kind, and the answers drawn for it.
FOLLOW_UPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "previous_employer": ("start_month", "month", ()),  # a month between completion and the answer
    "new_employer": ("employer", "text", ("PT Maju Jaya Sentosa", "CV Sinar Abadi", "PT Logistik Cepat Indonesia",
        "Hotel Santika", "PT Indomarco Prismatama", "RS Harapan Kita", "Toko Bangunan Sumber Rejeki")),
    "own_business": ("business_kind", "single", ("food", "trade", "online", "services", "transport", "agriculture")),
    "recruiting": ("want_job_info", "single", ("yes", "no")),
    "not_working": ("obstacle", "single", ("few_vacancies", "skills_mismatch", "age", "location", "family_health",
        "capital", "other")),
    "training": ("further_training", "text", ("Operator forklift lanjutan", "Barista tingkat mahir",
        "Desain grafis lanjutan", "Bahasa Jepang dasar")),
}  # fmt: skip

FIRST_NAMES = (
    "Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Putri", "Eko", "Wati", "Hendra", "Ayu", "Rudi", "Sri", "Bambang",
    "Nur", "Andi", "Indah", "Yusuf", "Fitri", "Dedi", "Ratna", "Ahmad", "Lia", "Fajar", "Maya", "Rizki", "Dian",
    "Wahyu", "Ani", "Teguh", "Yuliana", "Arif", "Kadek", "Made", "Ketut", "Nyoman", "Lukas", "Maria", "Yohanes",
)  # fmt: skip
MIDDLE_NAMES = ("", "", "", "Nur", "Dwi", "Tri", "Eka", "Ayu", "Adi", "Putra", "Sari")
LAST_NAMES = (
    "Nurhaliza", "Santoso", "Lestari", "Wijaya", "Pratama", "Saputra", "Hidayat", "Kusuma", "Rahmawati", "Siregar",
    "Nasution", "Simanjuntak", "Harahap", "Setiawan", "Gunawan", "Purnomo", "Susanti", "Handayani", "Wibowo",
    "Firmansyah", "Hutapea", "Manurung", "Sembiring", "Tanjung", "Wulandari", "Permata", "Rahman", "Syahputra",
)  # fmt: skip
EMPLOYERS = (
    "PT Tekstil Nusantara", "PT Garmen Sejahtera", "PT Sepatu Mas", "PT Elektronik Jaya", "CV Mebel Jepara",
    "PT Plastik Makmur", "PT Ojek Daring", "Hotel Melati",
)  # fmt: skip
PROGRAMMES = (
    ("Alat Berat", "Operator Forklift"),
    ("Teknologi Informasi", "Desain Grafis"),
    ("Teknologi Informasi", "Pemasaran Digital"),
    ("Otomotif", "Teknisi Sepeda Motor"),
    ("Tata Boga", "Barista"),
    ("Tata Boga", "Pengolahan Roti dan Kue"),
    ("Pengelasan", "Juru Las SMAW"),
    ("Garmen", "Menjahit Pakaian Jadi"),
    ("Listrik", "Instalasi Listrik Rumah"),
    ("Perhotelan", "Tata Graha"),
)

AIM_SUMMARY_S = 5
AIM_WORKBOOK_S = 60

log = logging.getLogger("bench.reports")


# --------------------------------------------------------------------------------------------- seeding


@dataclass(slots=True)
class WaveCount:
    asked: int = 0
    answered: int = 0
    employed: int = 0
    recruiting: int = 0


@dataclass(slots=True)
class Expected:
    """The report's figures for the whole programme, counted in Python by the seeding or with plain SQL."""

    totals: Totals
    waves: dict[str, WaveCount]
    seats: int  # enrolments with a seat: enrolled, completed or dropped
    runs: int
    checkins: int
    enrollments: int
    answers: int


@dataclass(slots=True)
class _Tally:
    """What the seeding wrote, as it writes it."""

    eligible: int = 0
    seated: set[int] = field(default_factory=set)
    completed: set[int] = field(default_factory=set)
    dropped: set[int] = field(default_factory=set)
    completions: int = 0
    seats: int = 0
    waves: dict[str, WaveCount] = field(default_factory=lambda: {f"d{d}": WaveCount() for d in CHECKIN_DAYS})


@dataclass(frozen=True, slots=True)
class _Course:
    id: int
    province: str
    start: datetime  # the first session, 08:00 local time
    end: datetime  # the last session's end


def user_id_for(index: int) -> int:
    return FIRST_USER_ID + (index * USER_ID_STEP + 17) % USER_ID_SPACE


def remove_database(db_path: Path) -> None:
    """The SQLite file and its WAL files, if they exist."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


async def migrated(db_path: Path) -> None:
    """A fresh file with the project's schema (any earlier file of that name is removed)."""
    remove_database(db_path)
    db = await open_database(db_path)
    try:
        await db.migrate()
    finally:
        await db.close()


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def _db_time(moment: datetime) -> str:
    """``to_db_time`` (UTC, ``%Y-%m-%dT%H:%M:%S.%fZ``) five times faster: isoformat writes the same text."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _json(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


class _Seeder:
    """Rows for every table, generated participant by participant (a participant's history in time order)."""

    def __init__(self, count: int, provinces: Sequence[Province]) -> None:
        self.rng = random.Random(SEED + count)
        self.count = count
        self.provinces = {p.code: p for p in provinces}
        self.zones = {p.code: ZoneInfo(p.timezone) for p in provinces}
        codes = [p.code for p in provinces]
        self.codes = codes
        self.weights = [PROVINCE_WEIGHTS.get(code, 1.0) for code in codes]
        self.tally = _Tally()
        self.participants: list[tuple[Any, ...]] = []
        self.institutes: list[tuple[Any, ...]] = []
        self.courses: list[tuple[Any, ...]] = []
        self.sessions: list[tuple[Any, ...]] = []
        self.enrollments: list[tuple[Any, ...]] = []
        self.attendance: list[tuple[Any, ...]] = []
        self.runs: list[tuple[Any, ...]] = []
        self.checkins: list[tuple[Any, ...]] = []
        self.answers: list[tuple[Any, ...]] = []
        self.niks: set[str] = set()
        self._catalogue()

    # ----------------------------------------------------------------- institutes, courses, sessions

    def _catalogue(self) -> None:
        rng = self.rng
        institute_provinces = rng.choices(self.codes, self.weights, k=INSTITUTES)
        for n, code in enumerate(institute_provinces, start=1):
            city = f"Kota {self.provinces[code].name}"
            self.institutes.append((n, f"LPK {LAST_NAMES[n % len(LAST_NAMES)]} Mandiri {n}", city, f"0812{n:08d}"))
        self.all_courses: list[_Course] = []
        starts = sorted(_between(rng, *COURSE_STARTS) for _ in range(COURSES))
        created = _db_time(PROGRAMME_START - timedelta(days=7))
        for n, first_day in enumerate(starts, start=1):
            institute = rng.randrange(INSTITUTES) + 1
            code = institute_provinces[institute - 1]
            province = self.provinces[code]
            zone = self.zones[code]
            day = first_day.astimezone(zone).date()
            start = datetime.combine(day, SESSION_HOURS[0], zone)
            end = datetime.combine(day + timedelta(days=COURSE_DAYS - 1), SESSION_HOURS[1], zone)
            category, title = PROGRAMMES[n % len(PROGRAMMES)]
            status = "finished" if end < NOW else ("closed" if start < NOW else "open")
            self.courses.append(
                (n, f"LPK-{n:03d}", f"{title} Angkatan {n}", category, institute, f"Kota {province.name}", code,
                 f"Jl. Pendidikan No. {n}", province.timezone, 500, _db_time(start - timedelta(days=3)), status,
                 created, created)
            )  # fmt: skip
            for position in range(SESSIONS_PER_COURSE):
                session_day = day + timedelta(days=7 * position)
                self.sessions.append(
                    (
                        (n - 1) * SESSIONS_PER_COURSE + position + 1,
                        n,
                        position + 1,
                        _db_time(datetime.combine(session_day, SESSION_HOURS[0], zone)),
                        _db_time(datetime.combine(session_day, SESSION_HOURS[1], zone)),
                        f"{title}: pertemuan {position + 1}",
                    )
                )
            self.all_courses.append(_Course(n, code, start, end))
        self.course_starts = [c.start for c in self.all_courses]
        self.by_province: dict[str, list[_Course]] = {}
        for course in self.all_courses:
            self.by_province.setdefault(course.province, []).append(course)
        self.province_starts = {code: [c.start for c in found] for code, found in self.by_province.items()}

    def _course_between(self, province: str, start: datetime, end: datetime, not_id: int = 0) -> _Course | None:
        """A course starting in [start, end): the participant's province when it has one and they prefer it."""
        rng = self.rng
        if province in self.by_province and rng.random() < OWN_PROVINCE_SHARE:
            starts, courses = self.province_starts[province], self.by_province[province]
            low, high = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
            found = [c for c in courses[low:high] if c.id != not_id]
            if found:
                return rng.choice(found)
        low, high = bisect.bisect_left(self.course_starts, start), bisect.bisect_left(self.course_starts, end)
        found = [c for c in self.all_courses[low:high] if c.id != not_id]
        return rng.choice(found) if found else None

    # ----------------------------------------------------------------- participants

    def _nik(self, code: str, birth: date, female: bool) -> str:
        rng = self.rng
        nik_code = self.provinces[code].nik_codes[0]
        while True:
            day = birth.day + (40 if female else 0)
            nik = f"{nik_code}{rng.randrange(1, 30):02d}{rng.randrange(1, 25):02d}{day:02d}{birth:%m%y}"
            nik += f"{rng.randrange(1, 10000):04d}"
            if nik not in self.niks:
                self.niks.add(nik)
                return nik

    def seed_all(self) -> None:
        rng = self.rng
        province_of = rng.choices(self.codes, self.weights, k=self.count)
        span = NOW - timedelta(days=3) - PROGRAMME_START
        for index in range(self.count):
            participant_id = index + 1
            code = province_of[index]
            registered = PROGRAMME_START + span * rng.random()
            female = rng.random() < 0.45
            birth = date(1968, 1, 1) + timedelta(days=rng.randrange(36 * 365))
            phk = (registered - timedelta(days=rng.randrange(20, 700))).astimezone(WIB).date()
            needs_verification = rng.random() < NEEDS_VERIFICATION_SHARE
            self.tally.eligible += not needs_verification
            events = self._history(participant_id, code, registered)  # the moments of their history
            latest = max(events, default=None, key=lambda e: e[0])  # the latest check-in: (answered_at, status)
            erased_at: datetime | None = None
            if rng.random() < ERASED_SHARE:
                last_moment = max([registered, *self._last_moments])
                erased_at = min(last_moment + timedelta(days=rng.uniform(1, 30)), NOW - timedelta(hours=1))
                self._erase_after(participant_id, erased_at)
                latest = max((e for e in events if e[0] <= erased_at), default=None, key=lambda e: e[0])
            name = " ".join(
                part
                for part in (rng.choice(FIRST_NAMES), rng.choice(MIDDLE_NAMES), rng.choice(LAST_NAMES))
                if part  # no middle name for most
            )
            nik = self._nik(code, birth, female)
            province = self.provinces[code]
            registered_at = _db_time(registered)
            # Sealed as the bot stores them (bot/storage/vault.py): token, blind index, masked NIK, key.
            sealed = {
                **sealed_columns(VAULT, "nik", None if erased_at else nik),
                **sealed_columns(VAULT, "birth_date", None if erased_at else birth.isoformat()),
                **sealed_columns(
                    VAULT, "kpj", None if erased_at or rng.random() > KPJ_SHARE else f"{rng.randrange(10**10, 10**11)}"
                ),
                **sealed_columns(VAULT, "phone", None if erased_at else f"+62812{rng.randrange(10**7, 10**8)}"),
            }
            self.participants.append(
                (
                    participant_id,
                    None if erased_at else user_id_for(index),
                    None if erased_at else name,
                    sealed["nik"],
                    sealed["birth_date"],
                    birth.year,
                    "F" if female else "M",
                    sealed["kpj"],
                    sealed["phone"],
                    code,
                    None if erased_at else f"Kota {province.name}",
                    None if erased_at else rng.choice(EMPLOYERS),
                    phk.replace(day=1).isoformat() if erased_at else phk.isoformat(),
                    rng.choice(EDUCATION_LEVELS),
                    int(needs_verification),
                    registered_at,
                    CONSENT_VERSION,
                    registered_at,
                    _db_time(erased_at) if erased_at else registered_at,
                    _db_time(erased_at) if erased_at else None,
                    latest[1] if latest else None,
                    _db_time(latest[0]) if latest else None,
                    sealed["nik_index"],
                    sealed["kpj_index"],
                    sealed["phone_index"],
                    sealed["nik_masked"],
                    None if erased_at else VAULT.current,
                )
            )

    # ----------------------------------------------------------------- enrolments and check-ins

    def _history(self, participant_id: int, code: str, registered: datetime) -> list[tuple[datetime, str]]:
        """Enrolments (one, or two after a completion), attendance, check-ins; returns the check-ins answered."""
        rng = self.rng
        self._last_moments: list[datetime] = []
        self._open_runs: list[int] = []  # indexes in self.runs of runs an erasure would cancel
        self._answers_start = len(self.answers)
        self._active = False  # at most one active survey per participant
        answered: list[tuple[datetime, str]] = []
        if rng.random() >= ENROL_SHARE:
            return answered
        course = self._course_between(code, registered + ENROL_WINDOW[0], registered + ENROL_WINDOW[1])
        first_completed: datetime | None = None
        if course is not None:
            first_completed = self._enrol(participant_id, code, registered, course, answered)
        if first_completed is not None and rng.random() < SECOND_SHARE:
            second = self._course_between(
                code, first_completed + SECOND_WINDOW[0], first_completed + SECOND_WINDOW[1], course.id if course else 0
            )
            if second is not None:
                self._enrol(participant_id, code, first_completed, second, answered)
        if first_completed is not None:
            self._self_reports(participant_id, first_completed, answered)
        return answered

    def _enrol(
        self, participant_id: int, code: str, since: datetime, course: _Course, answered: list[tuple[datetime, str]]
    ) -> datetime | None:
        """One enrolment; returns when it was completed, if it was."""
        rng = self.rng
        tally = self.tally
        enrollment_id = len(self.enrollments) + 1
        created = _between(rng, since, min(course.start - timedelta(hours=12), NOW - timedelta(hours=1)))
        finished: datetime | None = None
        if course.end < NOW:
            status = rng.choices([o[0] for o in OUTCOMES], [o[1] for o in OUTCOMES])[0]
        elif course.start < NOW and rng.random() < DROPPED_BEFORE_END_SHARE:
            status = "dropped"
        else:
            status = "enrolled"
        if status == "completed":
            finished = min(course.end + timedelta(days=rng.uniform(0.1, 4)), NOW - timedelta(hours=1))
        elif status == "dropped":
            finished = _between(rng, course.start, min(course.end, NOW))
        elif status == "cancelled":
            finished = None  # cancelled before the course started
        updated = finished or (created if status != "cancelled" else _between(rng, created, course.start))
        self.enrollments.append(
            (enrollment_id, participant_id, course.id, status, _db_time(created), _db_time(updated),
             _db_time(finished) if finished else None)
        )  # fmt: skip
        self._last_moments += [created, updated]
        if status != "cancelled":
            tally.seated.add(participant_id)
            tally.seats += 1
        if status == "dropped":
            tally.dropped.add(participant_id)
        if status != "cancelled" and rng.random() < ATTENDANCE_SHARE:
            self._attendance(enrollment_id, course, created, finished if status == "dropped" else None)
        if status == "completed" and finished is not None:
            tally.completed.add(participant_id)
            tally.completions += 1
            self._checkins(participant_id, code, enrollment_id, finished, answered)
            return finished
        return None

    def _attendance(self, enrollment_id: int, course: _Course, created: datetime, stopped: datetime | None) -> None:
        rng = self.rng
        for position in range(SESSIONS_PER_COURSE):
            starts = course.start + timedelta(days=7 * position)
            asked = starts - timedelta(hours=14)  # the evening before
            if asked > NOW or asked < created or (stopped is not None and asked > stopped):
                continue
            if rng.random() < INTENT_SHARE:
                session_id = (course.id - 1) * SESSIONS_PER_COURSE + position + 1
                intent = "yes" if rng.random() < 0.88 else "no"
                answered_at = min(asked + timedelta(hours=rng.uniform(0.05, 12)), NOW)
                self.attendance.append((enrollment_id, session_id, intent, _db_time(answered_at)))

    def _checkins(
        self,
        participant_id: int,
        code: str,
        enrollment_id: int,
        completed: datetime,
        answered: list[tuple[datetime, str]],
    ) -> None:
        """The waves planned at completion: asked when due, answered (or expired), or still scheduled."""
        rng = self.rng
        zone = self.zones[code]
        local_day = completed.astimezone(zone).date()
        created = _db_time(completed)
        for days in CHECKIN_DAYS:
            wave = f"d{days}"
            due = datetime.combine(local_day + timedelta(days=days), CHECKIN_AT, zone)
            run_id = len(self.runs) + 1
            if due > NOW or (self._active and due + EXPIRY > NOW):  # not yet due, or waiting for the active one
                self._open_runs.append(len(self.runs))
                self.runs.append(
                    (run_id, participant_id, EMPLOYMENT, wave, enrollment_id, "scheduled", _db_time(due), None,
                     None, None, None, created)
                )  # fmt: skip
                continue
            counts = self.tally.waves[wave]
            answer_at = due + timedelta(hours=min(rng.expovariate(1 / 10), 24 * 6.5))
            expires = due + EXPIRY
            counts.asked += 1
            if answer_at <= NOW and rng.random() < ANSWERED_SHARE[wave]:
                status = self._answer(run_id, participant_id, enrollment_id, wave, answer_at, completed)
                counts.answered += 1
                counts.employed += status in EMPLOYED
                counts.recruiting += status == "recruiting"
                answered.append((answer_at, status))
                finished = answer_at + timedelta(minutes=2)
                self.runs.append(
                    (run_id, participant_id, EMPLOYMENT, wave, enrollment_id, "completed", _db_time(due), None,
                     _db_time(due), _db_time(expires), _db_time(finished), created)
                )  # fmt: skip
                self._last_moments.append(finished)
            elif expires <= NOW:
                self.runs.append(
                    (run_id, participant_id, EMPLOYMENT, wave, enrollment_id, "expired", _db_time(due), None,
                     _db_time(due), _db_time(expires), _db_time(expires), created)
                )  # fmt: skip
                self._last_moments.append(expires)
            else:  # being asked now: the one active survey this participant has
                self._active = True
                self._open_runs.append(len(self.runs))
                self.runs.append(
                    (run_id, participant_id, EMPLOYMENT, wave, enrollment_id, "active", _db_time(due), "status",
                     _db_time(due), _db_time(expires), None, created)
                )  # fmt: skip
                self._last_moments.append(due)

    def _self_reports(self, participant_id: int, since: datetime, answered: list[tuple[datetime, str]]) -> None:
        rng = self.rng
        for _ in range(rng.choices(SELF_REPORTS, SELF_REPORT_WEIGHTS)[0]):
            at = _between(rng, since + timedelta(days=1), NOW - timedelta(hours=1))
            if any(abs(at - other) < EXPIRY for other, _ in answered):
                continue  # not while a check-in of theirs is open
            run_id = len(self.runs) + 1
            status = self._answer(run_id, participant_id, None, SELF_REPORTED, at, since)
            answered.append((at, status))
            self.runs.append(
                (run_id, participant_id, EMPLOYMENT, SELF_REPORTED, None, "completed", _db_time(at), None,
                 _db_time(at), _db_time(at + EXPIRY), _db_time(at + timedelta(minutes=2)), _db_time(at))
            )  # fmt: skip
            self._last_moments.append(at)

    def _answer(
        self, run_id: int, participant_id: int, enrollment_id: int | None, wave: str, at: datetime, completed: datetime
    ) -> str:
        """The status question and the one it leads to; the check-in row. Returns the status."""
        rng = self.rng
        status = rng.choices(EMPLOYMENT_STATUSES, STATUS_WEIGHTS[wave])[0]
        self.checkins.append((run_id, participant_id, enrollment_id, wave, status, _db_time(at)))
        self.answers.append((run_id, "status", "single", _json(status), _db_time(at)))
        question, kind, choices = FOLLOW_UPS[status]
        if kind == "month":
            start = _between(rng, completed, at).astimezone(WIB)
            value = f"{start:%Y-%m}"
        else:
            value = rng.choice(choices)
        self.answers.append((run_id, question, kind, _json(value), _db_time(at + timedelta(minutes=1))))
        return status

    def _erase_after(self, participant_id: int, erased_at: datetime) -> None:
        """An erasure: their open surveys cancelled, their free-text answers deleted."""
        when = _db_time(erased_at)
        for index in self._open_runs:  # an active one stays asked (started_at is kept)
            row = list(self.runs[index])
            row[5], row[7], row[10] = "cancelled", None, when
            self.runs[index] = tuple(row)
        self.answers[self._answers_start :] = [a for a in self.answers[self._answers_start :] if a[2] != "text"]

    # ----------------------------------------------------------------- writing

    def write(self, db_path: Path) -> None:
        with contextlib.closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("PRAGMA cache_size=-262144")
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO institutes (id, name, city, contact) VALUES (?, ?, ?, ?)", self.institutes)
            conn.executemany(
                "INSERT INTO courses (id, code, title, category, institute_id, regency, province_code, venue_address,"
                " timezone, capacity, registration_deadline, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.courses,
            )
            conn.executemany(
                "INSERT INTO course_sessions (id, course_id, position, starts_at, ends_at, topic)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                self.sessions,
            )
            conn.executemany(
                "INSERT INTO participants (id, telegram_user_id, full_name, nik, birth_date, birth_year, gender, kpj,"
                " phone, province_code, regency, last_employer, phk_date, education, needs_verification, consent_at,"
                " consent_version, registered_at, updated_at, erased_at, employment_status, employment_status_at,"
                " nik_index, kpj_index, phone_index, nik_masked, key_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.participants,
            )
            conn.executemany(
                "INSERT INTO enrollments (id, participant_id, course_id, status, created_at, updated_at, finished_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                self.enrollments,
            )
            conn.executemany(
                "INSERT INTO attendance (enrollment_id, session_id, intent, answered_at) VALUES (?, ?, ?, ?)",
                self.attendance,
            )
            conn.executemany(
                "INSERT INTO survey_runs (id, participant_id, survey, wave, enrollment_id, status, due_at, question,"
                " started_at, expires_at, finished_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.runs,
            )
            conn.executemany(
                "INSERT INTO employment_checkins (run_id, participant_id, enrollment_id, wave, status, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                self.checkins,
            )
            conn.executemany(
                "INSERT INTO survey_answers (run_id, question, kind, value, answered_at) VALUES (?, ?, ?, ?, ?)",
                self.answers,
            )
            conn.execute("COMMIT")  # no ANALYZE: the bot never runs it, so its queries are planned without statistics

    def planned(self) -> Expected:
        tally = self.tally
        return Expected(
            totals=Totals(
                registered=self.count,
                eligible=tally.eligible,
                enrolled=len(tally.seated),
                completed=len(tally.completed),
                dropped=len(tally.dropped),
                completions=tally.completions,
            ),
            waves={wave: WaveCount(c.asked, c.answered, c.employed, c.recruiting) for wave, c in tally.waves.items()},
            seats=tally.seats,
            runs=len(self.runs),
            checkins=len(self.checkins),
            enrollments=len(self.enrollments),
            answers=len(self.answers),
        )


def seed(db_path: Path, count: int, provinces: Sequence[Province]) -> Expected:
    """The synthetic programme, written with plain sqlite3 in one transaction; what it holds, counted in Python."""
    for moment in (NOW, PROGRAMME_START + timedelta(microseconds=1)):
        if _db_time(moment) != to_db_time(moment):
            raise BenchFailure(f"{_db_time(moment)!r} is not how the bot stores {moment}: {to_db_time(moment)!r}")
    seeder = _Seeder(count, provinces)
    seeder.seed_all()
    seeder.write(db_path)
    return seeder.planned()


# --------------------------------------------------------------------------------------------- checks

WAVES = tuple(f"d{days}" for days in CHECKIN_DAYS)
_EMPLOYED = tuple(sorted(EMPLOYED))


def expected_figures(db_path: Path) -> Expected:
    """The report's figures for the whole programme, counted with plain SQL (independently of
    bot/storage/reports.py: check-ins are counted in their own table, not through the runs)."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        registered, eligible = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(needs_verification = 0), 0) FROM participants"
        ).fetchone()
        seats = ("enrolled", "completed", "dropped")
        enrolled = conn.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT participant_id FROM enrollments WHERE status IN (?, ?, ?))", seats
        ).fetchone()[0]
        seat_count = conn.execute("SELECT COUNT(*) FROM enrollments WHERE status IN (?, ?, ?)", seats).fetchone()[0]
        completed, completions = conn.execute(
            "SELECT COUNT(DISTINCT participant_id), COUNT(*) FROM enrollments WHERE status = 'completed'"
        ).fetchone()
        dropped = conn.execute(
            "SELECT COUNT(DISTINCT participant_id) FROM enrollments WHERE status = 'dropped'"
        ).fetchone()[0]
        waves = {wave: WaveCount() for wave in WAVES}
        for wave, asked in conn.execute(
            "SELECT wave, COUNT(*) FROM survey_runs WHERE survey = ? AND started_at IS NOT NULL GROUP BY wave",
            (EMPLOYMENT,),
        ):
            if wave in waves:
                waves[wave].asked = asked
        marks = ", ".join("?" for _ in _EMPLOYED)
        for wave, answered, employed, recruiting in conn.execute(
            f"SELECT wave, COUNT(*), SUM(status IN ({marks})), SUM(status = 'recruiting')"  # noqa: S608 (marks)
            " FROM employment_checkins GROUP BY wave",
            _EMPLOYED,
        ):
            if wave in waves:
                waves[wave].answered, waves[wave].employed, waves[wave].recruiting = answered, employed, recruiting
        runs = conn.execute("SELECT COUNT(*) FROM survey_runs WHERE survey = ?", (EMPLOYMENT,)).fetchone()[0]
        checkins = conn.execute("SELECT COUNT(*) FROM employment_checkins").fetchone()[0]
        enrollments = conn.execute("SELECT COUNT(*) FROM enrollments").fetchone()[0]
        answers = conn.execute("SELECT COUNT(*) FROM survey_answers").fetchone()[0]
    totals = Totals(registered, eligible, enrolled, completed, dropped, completions)
    return Expected(totals, waves, seat_count, runs, checkins, enrollments, answers)


def check_figures(summary: Summary, groups: dict[str, list[Group]], expected: Expected) -> None:
    """The summary equals the expected figures, and each breakdown adds up to them; else BenchFailure."""
    problems = []
    if summary.totals != expected.totals:
        problems.append(f"totals {summary.totals} instead of {expected.totals}")
    found = {w.wave: WaveCount(w.asked, w.answered, w.employed, w.recruiting) for w in summary.waves}
    if found != expected.waves:
        problems.append(f"waves {found} instead of {expected.waves}")
    for grouping, lines in groups.items():
        seats = sum(g.enrolled + g.completed + g.dropped for g in lines)
        completions = sum(g.completed for g in lines)
        if completions != expected.totals.completions:
            problems.append(f"by {grouping}: {completions} completions, expected {expected.totals.completions}")
        if seats != expected.seats:
            problems.append(f"by {grouping}: {seats} seats, expected {expected.seats}")
        summed = {wave: WaveCount() for wave in WAVES}
        for group in lines:
            for wave in group.waves:
                into = summed[wave.wave]
                into.asked += wave.asked
                into.answered += wave.answered
                into.employed += wave.employed
                into.recruiting += wave.recruiting
        if summed != expected.waves:
            problems.append(f"by {grouping}: waves add up to {summed}, expected {expected.waves}")
    if problems:
        raise BenchFailure("; ".join(problems))


_MASKED_NIK = re.compile(r"^\d{4}\*{8}\d{4}$")


def check_workbook(content: bytes, t: Translator, participants: int, checkins: int) -> dict[str, int]:
    """The workbook opens with openpyxl (read-only) with every sheet (the survey answer sheets, one per survey, and
    the attendance sheets before the broadcasts); the participants sheet has a header and `participants` rows (ids
    1..N in order, every NIK masked), the check-ins sheet a header and `checkins` rows. Returns the rows of those two
    sheets (the others are not read: openpyxl reads about 10,000 rows a second)."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    try:
        surveys = SurveyCatalog.load(bench_settings().surveys_dir)
        sheets = [t.plain(f"xlsx-sheet-{key}") for key in ("summary", *report_files.COLUMNS)]
        presence = [t.plain(f"xlsx-sheet-{key}") for key in ("attendance", "presence")]
        names = [*sheets[:-1], *(survey.title.get(t.language) for survey in surveys), *presence, sheets[-1]]
        if book.sheetnames != names:
            raise BenchFailure(f"the workbook's sheets are {book.sheetnames}, expected {names}")
        rows: dict[str, int] = {}
        for key in ("participants", "checkins"):
            count = 0
            for count, row in enumerate(book[t.plain(f"xlsx-sheet-{key}")].iter_rows(values_only=True), start=1):
                if key == "participants" and count > 1:
                    nik = row[2]
                    if row[0] != count - 1 or (nik and not _MASKED_NIK.match(str(nik))):
                        raise BenchFailure(f"participants sheet, row {count}: id {row[0]!r}, NIK {nik!r}")
            rows[key] = count
    finally:
        book.close()
    problems = []
    if rows["participants"] != participants + 1:
        problems.append(f"participants sheet has {rows['participants']} rows, expected {participants + 1}")
    if rows["checkins"] != checkins + 1:
        problems.append(f"check-ins sheet has {rows['checkins']} rows, expected {checkins + 1}")
    if problems:
        raise BenchFailure("; ".join(problems))
    return rows


# --------------------------------------------------------------------------------------------- timed part


def bench_settings() -> Settings:
    """The bot's default settings (no .env file read)."""
    settings = Settings(_env_file=None, bot_token="bench")  # type: ignore[call-arg]  # pydantic-settings' option
    if tuple(settings.checkin_days) != CHECKIN_DAYS:
        raise BenchFailure(f"the default check-in days are {settings.checkin_days}, the seeding plans {CHECKIN_DAYS}")
    return settings


@dataclass(frozen=True, slots=True)
class Measured:
    summary: Summary
    groups: dict[str, list[Group]]
    summary_only_s: float
    breakdown_s: dict[str, float]
    workbook: bytes
    workbook_s: float
    workbook_stall_s: float
    chart: bytes
    chart_s: float

    @property
    def summary_s(self) -> float:
        return self.summary_only_s + sum(self.breakdown_s.values())


async def figures(db_path: Path | str, catalog: ProvinceCatalog) -> tuple[Summary, dict[str, list[Group]]]:
    """The whole programme's summary and breakdowns, as /laporan computes them (not timed)."""
    db = await open_database(db_path)
    try:
        service = ReportService(db, bench_settings(), ManualClock(NOW), catalog)
        summary = await service.summary(Scope())
        return summary, {g: await service.breakdown(Scope(), g) for g in ("course", "institute", "province")}
    finally:
        await db.close()


async def measure(database: Path | str, catalog: ProvinceCatalog, t: Translator) -> Measured:
    db = await open_database(database)
    try:
        service = ReportService(db, bench_settings(), ManualClock(NOW), catalog)
        started = time.perf_counter()
        summary = await service.summary(Scope())
        summary_only_s = time.perf_counter() - started
        groups: dict[str, list[Group]] = {}
        breakdown_s: dict[str, float] = {}
        for grouping in ("course", "institute", "province"):
            started = time.perf_counter()
            groups[grouping] = await service.breakdown(Scope(), grouping)
            breakdown_s[grouping] = time.perf_counter() - started

        started = time.perf_counter()
        async with LoopStalls() as stalls:
            surveys = SurveyCatalog.load(bench_settings().surveys_dir)
            content = await report_files.workbook(db, t, summary, groups, surveys, unmask_with=None)
        workbook_s = time.perf_counter() - started

        started = time.perf_counter()
        png = report_files.chart(t, summary, groups["course"])
        chart_s = time.perf_counter() - started
    finally:
        await db.close()
    if not png.startswith(b"\x89PNG"):
        raise BenchFailure("the chart is not a PNG")
    return Measured(summary, groups, summary_only_s, breakdown_s, content, workbook_s, stalls.longest_s, png, chart_s)


# --------------------------------------------------------------------------------------------- results


async def bench(db_path: Path, participants: int, postgres: PostgresRun | None = None) -> dict[str, Any]:
    """Seed, measure and check one database; its JSON line. With `postgres`, the seeded file is copied to
    PostgreSQL (seed_s includes that) and measured there; the data checked is the same rows."""
    catalog = ProvinceCatalog.load()
    t = Translations(LANGUAGE).get(LANGUAGE)
    started = time.perf_counter()
    await migrated(db_path)
    plan = seed(db_path, participants, catalog.all())
    database: Path | str = db_path
    if postgres is not None:
        database = await postgres.copy_of(db_path, f"bench_reports_{participants}")
    seed_s = time.perf_counter() - started
    log.info("seeded %d participants, %d check-ins in %.1f s", participants, plan.checkins, seed_s)

    expected = expected_figures(db_path)
    if expected != plan:
        raise BenchFailure(f"the database holds {expected}, the seeding planned {plan}")

    measured = await measure(database, catalog, t)
    check_figures(measured.summary, measured.groups, expected)
    started = time.perf_counter()
    sheets = check_workbook(measured.workbook, t, participants, expected.checkins)
    log.info("workbook checked in %.1f s: %s", time.perf_counter() - started, sheets)

    summary_s, workbook_s = measured.summary_s, measured.workbook_s
    return {
        "bench": "reports",
        "participants": participants,
        "checkins": expected.checkins,
        "runs": expected.runs,
        "summary_s": round(summary_s, 3),
        "workbook_s": round(workbook_s, 2),
        "chart_s": round(measured.chart_s, 3),
        "workbook_mb": round(len(measured.workbook) / 1_000_000, 1),
        "workbook_loop_stall_ms": round(measured.workbook_stall_s * 1000, 1),
        "aim_summary_s": AIM_SUMMARY_S,
        "aim_workbook_s": AIM_WORKBOOK_S,
        "met": summary_s <= AIM_SUMMARY_S and workbook_s <= AIM_WORKBOOK_S,
        "summary_only_s": round(measured.summary_only_s, 3),
        "breakdown_s": {g: round(s, 3) for g, s in measured.breakdown_s.items()},
        "asked": sum(w.asked for w in expected.waves.values()),
        "enrollments": expected.enrollments,
        "answers": expected.answers,
        "sheet_rows": sheets,
        "seed_s": round(seed_s, 1),
        **({} if postgres is None else {"backend": "postgresql"}),
    }


def machine() -> dict[str, Any]:
    return {"bench": "reports", "machine": machine_info()}


async def run(
    participants: int = DEFAULT_PARTICIPANTS, workdir: Path | None = None, postgres: PostgresRun | None = None
) -> list[dict[str, Any]]:
    """The figures, then the machine, as dicts.

    The database is ``workdir/reports-<N>.db`` when a directory is given (kept; an earlier file of that name is
    replaced), else a temporary file, removed afterwards. Raises BenchFailure when a figure or the workbook is not
    what it must be.
    """
    if not 1 <= participants <= MAX_PARTICIPANTS:
        raise ValueError(f"participants must be between 1 and {MAX_PARTICIPANTS:,}")
    with contextlib.ExitStack() as stack:
        directory = workdir if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        directory.mkdir(parents=True, exist_ok=True)
        db_path = directory / f"reports-{participants}.db"
        line = await bench(db_path, participants, postgres)
        if workdir is None:
            remove_database(db_path)
    return [line, machine()]


def parse_count(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_PARTICIPANTS:
        raise argparse.ArgumentTypeError(f"participants must be between 1 and {MAX_PARTICIPANTS:,}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--participants",
        type=parse_count,
        default=DEFAULT_PARTICIPANTS,
        help=f"participants in the synthetic database (default {DEFAULT_PARTICIPANTS})",
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep the database here (default: a temporary directory)"
    )
    add_backend_options(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bot").setLevel(logging.WARNING)
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    if args.backend == "postgresql":
        with PostgresRun(args.postgresql_url) as postgres:
            return print_lines(run(args.participants, args.workdir, postgres))
    return print_lines(run(args.participants, args.workdir))


if __name__ == "__main__":
    sys.exit(main())
