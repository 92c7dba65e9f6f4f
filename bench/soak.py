"""Soak: minutes of mixed traffic through fakegram with Telegram's rate limits on, watching latency, errors and memory.

Run: ``python bench/soak.py [--seconds S] [--users N] [--seed K] [--workdir DIR]``. Prints two JSON lines: the
figures (``"bench": "soak"``, see below) and the machine. About S + 10 seconds (default S = 180).

Set-up (not timed): a fresh, migrated SQLite file (``<workdir>/soak.db``, else a temporary one) with the sample
catalogue (``data/sample_courses.csv``, ten courses in five provinces, 213 seats) imported through
``CatalogueService.import_file``, and three quarters of the N simulated participants (default 200) registered
straight through the storage layer, spread over the catalogue's provinces (WIB, WITA and WIT). The real Application
(``bot.app.build_application``, production settings: the bot's limiter at 30 messages/s overall and 1/s per chat)
runs with ``bot.runner.serve`` and long-polls a fresh ``fakegram.FakeTelegram`` on 127.0.0.1 whose own rate limit is
on as Telegram's: 30 messages/s overall and 1 message/s per chat, beyond which it answers 429 (``retry_after`` 1 s).
The clock is a ``ManualClock``.

Traffic, for S seconds, every participant on their own (``asyncio`` tasks), each one sequential (send an update, wait
for the bot's answer, check it, think 1-3 s, next step). Between sessions a participant is idle for 1 s plus an
exponential time with mean 90 s, cut short by a notification (a reminder or a survey question is looked at 1-8 s
after it arrives); first sessions start within the first half of the run (at most 90 s). With 200 participants this
is about 12 updates a second, their answers about 40 % of Telegram's 30 messages/s:

* the other quarter register through the dialog, as in bench/registration.py (its ``plan``: 13 or 14 updates with
  one wrong answer each), then behave as the others;
* registered participants without a course browse ``/pelatihan`` (pages, course details) and enrol ("Daftar",
  confirm), or join the waitlist of a full course half the time; those with a course browse, open ``/jadwal``
  (sometimes asking for the .ics file, or to cancel: kept, or cancelled, which passes the seat to the waitlist);
* reminders come due as the clock moves and the dispatcher sends them; most are answered (attend / not);
* staff complete a course an hour after its last session (``CompletionService.complete_course``): its participants
  get the satisfaction survey and answer it (ratings, a multiple choice, a comment typed or skipped);
* halfway, at the first moment between 08:00 and 18:00 WIB, one announcement to everyone (``BroadcastService``
  start, attach and send, on a text message the staff member sent to the bot): its copies are bulk traffic
  competing with the replies.

The clock moves every 0.5 s towards a schedule: Thursday 26 November 2026 09:00 WIB (registration open everywhere),
Thursday 3 December 12:00 at 35 % of the run (the first deadlines passed), Monday 7 December 10:00 at 50 % (the first
reminders went out the evening before) and Wednesday 23 December 12:00 at the end (December's courses run, two of
them end); at most 3 hours per step, and not while more than 45 due messages wait to be sent (compressed evenings
would otherwise expire reminders the bot could not send in time, which is not what is measured;
``clock_held_steps`` counts those waits, ``clock_end`` says where the clock got). After each step the survey tick
runs (``SurveyService.tick``, the bot's minute job) and the dispatcher is woken, as its alarm would in real time.
Registered participants come from the catalogue's provinces, each as often as it has courses, and mostly pick a
course near the top of the list (their own province's first).

Figures: ``interactions`` is every update a participant sent and waited for (the staff member's not counted), and
``p50_ms``/``p95_ms``/``p99_ms`` their latency, from just before sending to the arrival of the last message the
update must lead to (or of the answer to the button, for a refusal shown as an alert), seen by the simulated user
at the fake server. ``errors`` counts: answers that are not a valid answer to the update (every reply's text and
buttons are checked, allowing for what may legitimately change meanwhile, e.g. a deadline passing), the bot's
apology (``err-internal``), replies missing after 30 s, bot messages nobody expected, failed Bot API requests other
than 429s, fakegram's internal errors, log records at level ERROR, outbox rows that failed, announcement copies not
received, and exceptions in the simulation; ``error_kinds`` says which. ``sent`` is the outbox rows sent (reminders,
announcement copies, survey questions, waitlist promotions...), ``sent_by_kind`` by kind; ``http_429`` the 429
answers of the fake server. ``rss_start_mb`` is the resident set size when the traffic starts (after set-up and
start-up), ``rss_end_mb`` when it ends (before shutdown), read from /proc/self/status (VmRSS; elsewhere the peak
from ``getrusage``); ``rss_growth_pct`` compares those two. ``rss_after_warmup_mb`` is read at 10 % of the run (the
first few seconds load what every code path needs once: growth after it is what a long run would keep adding),
``rss_peak_mb`` is the highest value seen, ``cpu_s`` the process's CPU time during the traffic. Bot, fake server and
simulated users share one process and one event loop, so latencies include the fake server's work and the RSS is all
of theirs; the simulated users forget the messages they are done with and the server's request log is read and
cleared as the run goes, so that their state does not grow with the run. ``met`` says whether each aim of the issue
was met: 0 errors, p95 under 250 ms, RSS growth (start to end) under 10 %.

The script exits with status 1 (and prints no figures) when the figures would be meaningless: no interaction, nothing
sent, the announcement found nobody, or the bot stopped. Timings are never asserted.

The parts: the set-up in bench/soak_setup.py; the simulated participants in bench/soak_chat.py (their chat
with the bot: one update sent and its answer checked), bench/soak_participant.py (a life: sessions, idle time,
registering), bench/soak_courses.py (catalogue, enrolment, schedule) and bench/soak_followups.py (reminders,
surveys); the clock and the staff in bench/soak_conductor.py; the run in bench/soak_run.py; collecting and
computing the figures in bench/soak_report.py. This module is the command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # run as a script: make `bot` and `fakegram` importable
    sys.path.insert(0, _ROOT)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from typing import Any  # noqa: E402

from bench.common import print_lines  # noqa: E402
from bench.soak_report import machine  # noqa: E402
from bench.soak_run import soak  # noqa: E402
from bench.soak_setup import NEWCOMER_SHARE, prepare  # noqa: E402

DEFAULT_SECONDS = 180.0
DEFAULT_USERS = 200
DEFAULT_SEED = 0
DB_NAME = "soak.db"


async def run(
    seconds: float = DEFAULT_SECONDS,
    users: int = DEFAULT_USERS,
    workdir: Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
) -> list[dict[str, Any]]:
    """The soak, then the machine line; the JSON lines as dicts.

    The database is ``workdir/soak.db`` when a directory is given (it is kept), else a temporary file. Raises
    BenchFailure when the figures would be meaningless (nothing measured, nothing sent, no announcement).
    """
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    if users < 1:
        raise ValueError("at least one user")
    with contextlib.ExitStack() as stack:
        directory = workdir if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        db_path = directory / DB_NAME
        newcomers = round(users * NEWCOMER_SHARE) if users > 1 else 0
        courses = await prepare(db_path, users - newcomers)
        line = await soak(db_path, courses, seconds, users, seed)
    return [line, machine()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seconds", type=float, default=DEFAULT_SECONDS, help=f"traffic duration (default {DEFAULT_SECONDS:g})"
    )
    parser.add_argument(
        "--users", type=int, default=DEFAULT_USERS, help=f"simulated participants (default {DEFAULT_USERS})"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="workload seed (default %(default)s)")
    parser.add_argument("--workdir", type=Path, help="keep the database here (default: a temporary directory)")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    if args.users < 1:
        parser.error("--users must be at least 1")
    # PTB 22 warns unless durations such as retry_after are timedelta objects (the PTB 23 behaviour), as main.py.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return print_lines(run(args.seconds, args.users, args.workdir, seed=args.seed))


if __name__ == "__main__":
    sys.exit(main())
