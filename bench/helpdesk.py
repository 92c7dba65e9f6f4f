"""The help desk under Telegram's limits: a minute of questions from 300 people, answered by 5 staff in forum topics.

Run: ``python bench/helpdesk.py [--participants N] [--staff K] [--speed S] [--groups G ...]``. Prints JSON lines (see
``run``), all with ``"bench": "helpdesk"``. About 6 minutes with the defaults (speed 10) on 2 cores.

The real Application from ``bot.app.build_application`` is started with ``bot.runner.serve`` and long-polls a fresh
``fakegram.FakeTelegram`` on 127.0.0.1 (same process, same event loop); the database is a fresh, migrated SQLite file
with N registered participants written straight into it (as ``tests/catalogue_data.py``'s ``seed_participant``
does). The clock flows from Monday 23 November 2026, 10:00 WIB. K staff members are admins (ADMIN_IDS) and members
of every helpdesk group (HELPDESK_CHAT_IDS: forum supergroups where the bot is an admin that can manage topics).

Scenario (issue 17's "Must show"), once with one helpdesk group and once with three:

* fakegram answers 429 beyond Telegram's limits: 30 messages/s overall, 1/s per private chat, 20/min per group
  (``retry_after`` 1 s); the bot's own rate limiter is set to the same values (its group bucket, which has no
  setting, through the limiter's ``sizes``).
* Each participant asks within the same minute (starts spread evenly over it): ``/tanya``, waits for the bot's
  prompt, pauses ``THINK_S``, sends a question that matches no FAQ entry and waits for the "received" notice; every
  ``FOLLOW_UP_EVERY``-th sends 2-5 follow-ups, ``FOLLOW_UP_GAP_S`` apart.
* Staff answer each ticket in its topic (``send_text_in``) as soon as its card and question are there (the first
  copy into a topic follows its card), taking turns.

Time is scaled by the speed factor S: every limit is S times Telegram's and every interval 1/S of the scenario's,
so the run takes 1/S of the time; every figure is given unscaled (real seconds x S). Bucket sizes (bursts, in
messages) of the bot's limiter stay Telegram's; fakegram's are a second's worth of its rate (a group's: a minute's),
so at S > 1 fakegram allows bursts S times larger than at S = 1 and a 429 count may be lower than unscaled.
``retry_after`` stays 1 real second (fakegram takes whole seconds).

Per configuration, one line:

* ``reply_p50_s`` / ``reply_p95_s`` / ``reply_max_s``: from a staff answer entering fakegram to the bot's message
  with it arriving in the participant's chat (the request's arrival at fakegram); aim p95 < 2 s.
* ``drain_s``: from the last participant message to the last copy arriving in a topic. ``groups_detail``: per group,
  its tickets, the messages the bot put into it (sendMessage, copyMessage, copyMessages: each one of the group's 20
  a minute), ``topics`` made (createForumTopic, which neither Telegram's published limits nor fakegram count), the
  window from the first question for it to its last copy, ``per_min`` and ``budget_share`` (per_min / 20); aim
  ``budget_share`` >= 0.9 in every group.
* correctness: ``relayed`` (participant messages copied into their ticket's topic exactly once and in order, out of
  ``participant_messages``), ``copy_problems`` (missing, doubled, out of order, or in a wrong topic), ``answered``
  (staff answers that arrived exactly once in the participant's chat, out of ``answers``), ``answer_problems``,
  ``copy_message_calls`` / ``copy_messages_calls`` against ``participant_messages``, ``http_429``.

A failed request other than a 429, a fakegram internal error or a run that does not finish raises BenchFailure
(exit status 1). Timings are never asserted. Last comes the ``machine`` line.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # run as a script: make `bot` and `fakegram` importable
    sys.path.insert(0, _ROOT)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date, datetime  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from bench.common import VAULT, BenchFailure, machine_info, percentile, print_lines, serving  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.clock import OffsetClock  # noqa: E402
from bot.config import LANGUAGES, Settings  # noqa: E402
from bot.context import VokasiApp  # noqa: E402
from bot.delivery.buckets import BucketSizes  # noqa: E402
from bot.delivery.ratelimit import PriorityRateLimiter  # noqa: E402
from bot.services.faq import Faq  # noqa: E402
from bot.storage.connect import open_database  # noqa: E402
from bot.storage.participants import NewParticipant  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from fakegram import FakeGroup, FakeTelegram, FakeUser  # noqa: E402

DEFAULT_PARTICIPANTS = 300
# Monday 23 November 2026, 10:00 WIB (as tests/harness.py); the clock flows from there.
START = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
DEFAULT_STAFF = 5
DEFAULT_SPEED = 10.0
GROUP_COUNTS = (1, 3)
# Telegram's limits (DESIGN.md invariant 8), unscaled.
TELEGRAM_PER_S = 30.0
TELEGRAM_CHAT_PER_S = 1.0
TELEGRAM_GROUP_PER_MIN = 20.0
RETRY_AFTER_S = 1
# The scenario's intervals, unscaled seconds.
ASK_WINDOW_S = 60.0
THINK_S = 3.0
FOLLOW_UP_EVERY = 5
FOLLOW_UP_GAP_S = 4.0
REPLY_TIMEOUT_S = 120.0  # real seconds: the bot's prompt or notice slower than this is a failure

FIRST_PARTICIPANT = 71_000_000
FIRST_STAFF = 9_100
FIRST_GROUP = -1_001_700_000_000
STAFF_NAMES = ("Dewi", "Rina", "Agus", "Bayu", "Sari", "Tono", "Wati", "Yusuf")
LIMITED_INTO_GROUP = ("sendMessage", "copyMessage", "copyMessages", "forwardMessage", "forwardMessages")

AIM_REPLY_P95_S = 2.0
AIM_BUDGET_SHARE = 0.9

log = logging.getLogger("bench.helpdesk")


# --------------------------------------------------------------------------------------------- the workload


def question(user_id: int) -> str:
    return f"Pertanyaan dari peserta {user_id}"


def follow_up(user_id: int, number: int) -> str:
    return f"Tambahan {number} dari peserta {user_id}"


def answer_text(user_id: int) -> str:
    return f"Jawaban petugas untuk peserta {user_id}"


def follow_ups(index: int) -> int:
    """How many follow-ups participant `index` sends: 2-5 for every FOLLOW_UP_EVERY-th, else none."""
    return 2 + (index // FOLLOW_UP_EVERY) % 4 if index % FOLLOW_UP_EVERY == FOLLOW_UP_EVERY // 2 else 0


def planned_messages(index: int) -> list[str]:
    user_id = FIRST_PARTICIPANT + index
    return [question(user_id)] + [follow_up(user_id, n) for n in range(1, follow_ups(index) + 1)]


def new_participant(index: int) -> NewParticipant:
    """As tests/catalogue_data.py's seed_participant: a registered person in Kota Bandung (Jawa Barat)."""
    user_id = FIRST_PARTICIPANT + index
    return NewParticipant(
        telegram_user_id=user_id,
        full_name=f"Peserta {index + 1}",
        nik=f"320101150190{index + 1:04d}",
        birth_date=date(1990, 1, 15),
        gender="M",
        kpj=None,
        phone=f"+62812{5_000_000 + index:08d}",
        province_code="32",
        regency="Kota Bandung",
        last_employer="PT Contoh",
        phk_date=date(2026, 3, 1),
        education="sma",
        needs_verification=False,
        consent_at=START,
        consent_version="bench",
    )


async def prepare_database(db_path: Path, participants: int) -> None:
    db = await open_database(db_path)
    try:
        await db.migrate()
        async with Store(db, VAULT).write() as unit:
            for index in range(participants):
                await unit.participants.create(new_participant(index), START)
    finally:
        await db.close()


def check_questions(settings: Settings, participants: int) -> None:
    """The texts must reach the staff: none may be answered from the FAQ first."""
    faq = Faq.load(settings.faq_path, LANGUAGES)
    for index in range(participants):
        for text in planned_messages(index):
            if faq.match(text, "id"):
                raise BenchFailure(f"{text!r} matches an FAQ entry; the bench needs texts that match none")


def bench_settings(
    server: FakeTelegram, db_path: Path, speed: float, staff: Sequence[int], groups: Sequence[int]
) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
        bot_token=server.token,
        bot_api_url=server.base_url,
        bot_file_url=server.base_file_url,
        database_url=f"sqlite:///{db_path}",
        admin_ids=frozenset(staff),
        helpdesk_chat_ids=tuple(groups),
        telegram_messages_per_s=TELEGRAM_PER_S * speed,
        telegram_chat_messages_per_s=TELEGRAM_CHAT_PER_S * speed,
        health_port=0,
    )


def pace_like_telegram(app: VokasiApp, speed: float) -> dict[str, Any]:
    """The bot's limiter at Telegram's limits times `speed`, its bursts Telegram's; what it was set to.

    The group budget has no setting (the limiter's default is Telegram's 20 a minute), so it is set here, on the
    limiter's bucket sizes, before the Application sends anything.
    """
    limiter = app.bot.rate_limiter
    if not isinstance(limiter, PriorityRateLimiter):
        raise BenchFailure(f"the Application's rate limiter is {type(limiter).__name__}, not PriorityRateLimiter")
    real = PriorityRateLimiter(
        overall_per_s=TELEGRAM_PER_S,
        per_chat_per_s=TELEGRAM_CHAT_PER_S,
        per_chat_burst=limiter.sizes.per_chat_burst,
        group_per_min=TELEGRAM_GROUP_PER_MIN,
    )
    limiter.overall_per_s = real.overall_per_s * speed
    limiter.overall_burst = real.overall_burst
    limiter.sizes = BucketSizes(
        per_chat_per_s=real.sizes.per_chat_per_s * speed,
        per_chat_burst=real.sizes.per_chat_burst,
        group_per_s=real.sizes.group_per_s * speed,
        group_burst=real.sizes.group_burst,
    )
    return {
        "overall_per_s": TELEGRAM_PER_S,
        "overall_burst": real.overall_burst,
        "per_chat_per_s": TELEGRAM_CHAT_PER_S,
        "per_chat_burst": real.sizes.per_chat_burst,
        "group_per_min": round(real.sizes.group_per_s * 60, 3),
        "group_burst": real.sizes.group_burst,
    }


# --------------------------------------------------------------------------------------------- the people


@dataclass(slots=True)
class Record:
    """What the simulated people did and when (fakegram's clock: time.monotonic)."""

    sent: dict[int, list[str]] = field(default_factory=dict)
    sent_at: dict[int, list[float]] = field(default_factory=dict)
    answers: dict[int, float] = field(default_factory=dict)  # participant -> when the staff answer entered fakegram
    answered_by: dict[int, int] = field(default_factory=dict)

    def note(self, user_id: int, text: str) -> None:
        self.sent.setdefault(user_id, []).append(text)
        self.sent_at.setdefault(user_id, []).append(time.monotonic())


async def participant(user: FakeUser, index: int, start: float, speed: float, count: int, record: Record) -> None:
    """Asks at its moment of the minute, then sends its follow-ups."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, start + index * ASK_WINDOW_S / count / speed - loop.time()))
    await user.send_command("tanya")
    await user.wait_messages(1, timeout=REPLY_TIMEOUT_S)
    await asyncio.sleep(THINK_S / speed)
    texts = planned_messages(index)
    record.note(user.user_id, texts[0])
    await user.send_text(texts[0])
    await user.wait_messages(1, timeout=REPLY_TIMEOUT_S)
    for text in texts[1:]:
        await asyncio.sleep(FOLLOW_UP_GAP_S / speed)
        record.note(user.user_id, text)
        await user.send_text(text)


async def staff_desk(
    server: FakeTelegram, groups: dict[int, FakeGroup], staff: Sequence[FakeUser], record: Record
) -> None:
    """Answers each ticket in its topic as soon as its first copy (after the card) arrived, staff taking turns."""
    seen = 0
    turn = 0

    def more() -> bool:
        return len(server.requests) > seen

    while True:
        await server.wait_until(more, timeout=3600)
        new, seen = server.requests[seen:], len(server.requests)
        for request in new:
            if not request.ok or request.method not in ("copyMessage", "copyMessages"):
                continue
            chat_id, thread = request.params.get("chat_id"), request.params.get("message_thread_id")
            asker = request.params.get("from_chat_id")
            if chat_id not in groups or not isinstance(thread, int) or not isinstance(asker, int):
                continue
            if asker in record.answers:
                continue
            member = staff[turn % len(staff)]
            turn += 1
            record.answers[asker] = server.clock()
            record.answered_by[asker] = member.user_id
            await member.send_text_in(groups[chat_id], thread, answer_text(asker))


# --------------------------------------------------------------------------------------------- observing


@dataclass(slots=True)
class Progress:
    """Reads the fake server's log incrementally: copies into topics and answers delivered so far."""

    server: FakeTelegram
    groups: frozenset[int]
    participants: frozenset[int]
    expected_copies: int
    copies: int = 0
    answers: int = 0
    failed: list[str] = field(default_factory=list)
    _seen: int = 0

    def update(self) -> None:
        log_ = self.server.requests
        for request in log_[self._seen :]:
            if request.status == 429:
                continue
            if not request.ok:
                self.failed.append(f"{request.method}({request.params.get('chat_id', '')}) -> {request.description}")
                continue
            chat_id = request.params.get("chat_id")
            if request.method == "copyMessage" and chat_id in self.groups:
                self.copies += 1
            elif request.method == "copyMessages" and chat_id in self.groups:
                self.copies += len(request.params.get("message_ids") or [])
            elif (
                request.method == "sendMessage"
                and chat_id in self.participants
                and "Jawaban petugas" in str(request.params.get("text", ""))
            ):
                self.answers += 1
        self._seen = len(log_)

    def done(self) -> bool:
        self.update()
        return bool(self.failed or self.server.internal_errors) or (
            self.copies >= self.expected_copies and self.answers >= len(self.participants)
        )


def drain_timeout(participants: int, groups: int, speed: float) -> float:
    """Generous: a card and a copy per ticket at 17 a minute per group, three times over, and a few minutes more."""
    per_group = 2 * participants / groups + participants / FOLLOW_UP_EVERY
    return 300.0 + 3 * per_group / (17.0 * speed / 60.0)


def check_outbox(db_path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())


def correctness(
    server: FakeTelegram, groups: dict[int, FakeGroup], users: dict[int, FakeUser], record: Record
) -> dict[str, Any]:
    """Every participant message exactly once, in order, in its own ticket's topic; every answer exactly once."""
    copies: dict[int, list[tuple[int, int, str]]] = {}  # asker -> (group, thread, text) in topic order
    for chat_id, group in groups.items():
        for thread in group.topics:
            if thread == 1:
                continue
            for message in group.topic_messages(thread):
                text = message.text or ""
                if text.startswith(("Pertanyaan dari peserta ", "Tambahan ")):
                    asker = int(text.rsplit(" ", 1)[1])
                    copies.setdefault(asker, []).append((chat_id, thread, text))
    copy_problems = 0
    relayed = 0
    cards_first = 0
    for asker, texts in record.sent.items():
        got = copies.get(asker, [])
        places = {(chat, thread) for chat, thread, _ in got}
        if [text for _, _, text in got] == texts and len(places) == 1:
            relayed += len(texts)
            (chat, thread) = places.pop()
            first = groups[chat].topic_messages(thread)[0]
            cards_first += (first.text or "") not in texts
        else:
            copy_problems += 1
    copy_problems += sum(1 for asker in copies if asker not in record.sent)
    answered = 0
    for asker in record.answers:
        arrived = [m for m in users[asker].messages if answer_text(asker) in (m.plain_text or "")]
        answered += len(arrived) == 1
    return {
        "participant_messages": sum(len(texts) for texts in record.sent.values()),
        "relayed": relayed,
        "copy_problems": copy_problems,
        "cards_first": cards_first,
        "answers": len(record.answers),
        "answered": answered,
        "answer_problems": len(record.answers) - answered + (len(users) - len(record.answers)),
    }


def reply_latencies(server: FakeTelegram, record: Record, speed: float) -> list[float]:
    """Unscaled seconds from each staff answer entering fakegram to its message arriving in the asker's chat."""
    arrived: dict[int, float] = {}
    for request in server.requests_for("sendMessage"):
        chat_id = request.params.get("chat_id")
        if request.ok and chat_id in record.answers and "Jawaban petugas" in str(request.params.get("text", "")):
            arrived.setdefault(chat_id, request.at)
    return sorted((arrived[asker] - at) * speed for asker, at in record.answers.items() if asker in arrived)


def group_figures(
    server: FakeTelegram, groups: Sequence[int], record: Record, speed: float, participants: int
) -> list[dict[str, Any]]:
    """Per group: what went into it, over the time from its first question to its last copy (unscaled)."""
    figures = []
    for position, chat_id in enumerate(groups):
        askers = [
            FIRST_PARTICIPANT + i for i in range(participants) if (FIRST_PARTICIPANT + i) % len(groups) == position
        ]
        first_question = min(record.sent_at[a][0] for a in askers if a in record.sent_at)
        into = [r for r in server.requests if r.ok and r.params.get("chat_id") == chat_id]
        limited = [r for r in into if r.method in LIMITED_INTO_GROUP]
        last_copy = max(r.at for r in limited if r.method.startswith("copy"))
        window_s = (last_copy - first_question) * speed
        per_min = len(limited) / (window_s / 60.0) if window_s > 0 else 0.0
        figures.append(
            {
                "chat_id": chat_id,
                "tickets": len(askers),
                "messages_in": len(limited),
                "topics": sum(1 for r in into if r.method == "createForumTopic"),
                "window_s": round(window_s, 1),
                "per_min": round(per_min, 2),
                "budget_share": round(per_min / TELEGRAM_GROUP_PER_MIN, 3),
                "last_copy_at": last_copy,
            }
        )
    return figures


# --------------------------------------------------------------------------------------------- one configuration


async def configuration(
    directory: Path, participants: int, staff_count: int, group_count: int, speed: float
) -> dict[str, Any]:
    db_path = directory / f"helpdesk-{group_count}.db"
    await prepare_database(db_path, participants)
    async with FakeTelegram() as server:
        staff = [server.user(FIRST_STAFF + i, first_name=STAFF_NAMES[i % len(STAFF_NAMES)]) for i in range(staff_count)]
        groups: dict[int, FakeGroup] = {}
        for n in range(group_count):
            group = server.group(FIRST_GROUP - n, f"Petugas Vokasi {n + 1}")
            group.set_bot_admin(can_manage_topics=True)
            for member in staff:
                group.add_member(member)
            groups[group.chat_id] = group
        users = {
            FIRST_PARTICIPANT + i: server.user(FIRST_PARTICIPANT + i, first_name="Peserta") for i in range(participants)
        }
        server.rate_limit(
            global_per_s=TELEGRAM_PER_S * speed,
            per_chat_per_s=TELEGRAM_CHAT_PER_S * speed,
            per_group_per_min=TELEGRAM_GROUP_PER_MIN * speed,
            retry_after=RETRY_AFTER_S,
        )
        settings = bench_settings(server, db_path, speed, [m.user_id for m in staff], list(groups))
        check_questions(settings, participants)
        app = build_application(settings, clock=OffsetClock(START))
        limits = pace_like_telegram(app, speed)
        record = Record()
        expected = sum(len(planned_messages(i)) for i in range(participants))
        progress = Progress(server, frozenset(groups), frozenset(users), expected)
        started = time.perf_counter()
        async with serving(app, server, settings):
            desk = asyncio.create_task(staff_desk(server, groups, staff, record))
            try:
                loop = asyncio.get_running_loop()
                start = loop.time()
                async with asyncio.TaskGroup() as people:
                    for index, user in enumerate(users.values()):
                        people.create_task(participant(user, index, start, speed, participants, record))
                await server.wait_until(progress.done, timeout=drain_timeout(participants, group_count, speed))
            finally:
                desk.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await desk
            seconds = time.perf_counter() - started
            await asyncio.sleep(0.2)  # the last rows' marks
        if progress.failed or server.internal_errors:
            raise BenchFailure(
                f"failed requests: {progress.failed[:5]!r}; fakegram errors: {server.internal_errors[:5]!r}"
            )
        checked = correctness(server, groups, users, record)
        latencies = reply_latencies(server, record, speed)
        per_group = group_figures(server, list(groups), record, speed, participants)
        last_sent = max(at for times in record.sent_at.values() for at in times)
        last_copy = max(g.pop("last_copy_at") for g in per_group)
        calls = {
            m: sum(1 for r in server.requests_for(m) if r.ok and r.params.get("chat_id") in groups)
            for m in ("copyMessage", "copyMessages")
        }
    outbox = check_outbox(db_path)
    p95 = round(percentile(latencies, 95), 3) if latencies else None
    shares = [g["budget_share"] for g in per_group]
    return {
        "bench": "helpdesk",
        "groups": group_count,
        "participants": participants,
        "staff": staff_count,
        "speed": speed,
        "limits": limits,
        "reply_p50_s": round(percentile(latencies, 50), 3) if latencies else None,
        "reply_p95_s": p95,
        "reply_max_s": round(latencies[-1], 3) if latencies else None,
        "reply_aim": f"p95 < {AIM_REPLY_P95_S:g} s",
        "reply_aim_met": p95 is not None and p95 < AIM_REPLY_P95_S,
        "drain_s": round((last_copy - last_sent) * speed, 1),
        "groups_detail": per_group,
        "share_aim": f"budget_share >= {AIM_BUDGET_SHARE:g} in every group",
        "share_aim_met": min(shares) >= AIM_BUDGET_SHARE,
        **checked,
        "copy_message_calls": calls["copyMessage"],
        "copy_messages_calls": calls["copyMessages"],
        "http_429": sum(1 for r in server.requests if r.status == 429),
        "outbox": outbox,
        "seconds": round(seconds, 1),
    }


# --------------------------------------------------------------------------------------------- results


async def run(
    participants: int = DEFAULT_PARTICIPANTS,
    staff: int = DEFAULT_STAFF,
    *,
    speed: float = DEFAULT_SPEED,
    group_counts: Sequence[int] = GROUP_COUNTS,
    workdir: Path | None = None,
) -> list[dict[str, Any]]:
    """One line per number of helpdesk groups, then the machine line; the JSON lines as dicts.

    The databases are kept in `workdir` when a directory is given (``helpdesk-<groups>.db``), else in a temporary
    one. Raises BenchFailure when a request failed (other than 429s), fakegram had an internal error, or the run did
    not finish.
    """
    if participants < 1 or staff < 1:
        raise ValueError("at least one participant and one staff member")
    if speed <= 0:
        raise ValueError("speed must be positive")
    if not group_counts or min(group_counts) < 1:
        raise ValueError("group counts must be at least 1")
    lines: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        directory = workdir if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for count in group_counts:
            lines.append(await configuration(directory, participants, staff, count, speed))
    return [*lines, {"bench": "helpdesk", "speed": speed, "machine": machine_info()}]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--participants", type=int, default=DEFAULT_PARTICIPANTS, help=f"askers (default {DEFAULT_PARTICIPANTS})"
    )
    parser.add_argument("--staff", type=int, default=DEFAULT_STAFF, help=f"staff members (default {DEFAULT_STAFF})")
    parser.add_argument(
        "--speed",
        type=float,
        default=DEFAULT_SPEED,
        help=f"time scale: limits x S, intervals / S; figures are unscaled (default {DEFAULT_SPEED:g})",
    )
    parser.add_argument(
        "--groups",
        type=int,
        action="append",
        help=f"helpdesk groups, repeatable (default {' '.join(map(str, GROUP_COUNTS))})",
    )
    args = parser.parse_args(argv)
    if args.participants < 1 or args.staff < 1:
        parser.error("--participants and --staff must be at least 1")
    if args.speed <= 0:
        parser.error("--speed must be positive")
    if args.groups and min(args.groups) < 1:
        parser.error("--groups must be at least 1")
    # PTB 22 warns unless durations such as retry_after are timedelta objects (the PTB 23 behaviour), as main.py.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return print_lines(
        run(args.participants, args.staff, speed=args.speed, group_counts=tuple(args.groups or GROUP_COUNTS))
    )


if __name__ == "__main__":
    sys.exit(main())
