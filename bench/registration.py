"""Registration under load: many participants register at once through fakegram, against an echo-bot baseline.

Run: ``python bench/registration.py [--users N] [--seed S]``. Prints JSON lines (see ``run``).

The real Application from ``bot.app.build_application`` (production update processor, ``PerUserUpdateProcessor``)
is started with ``bot.runner.serve`` and long-polls a fresh ``fakegram.FakeTelegram`` on 127.0.0.1, as in the
tests; the database is a fresh SQLite file. The clock is fixed (Monday 23 November 2026, 10:00 WIB) so that
NIK ages and lay-off dates validate the same way on every run. Every simulated participant works sequentially:
send one update, wait for exactly the bot messages (new or edited) that update yields, check the last of them is
the expected question, record the latency (just before sending -> expected reply arrived), go on. All
participants run at once (``asyncio.gather``).

Step mix of one participant (updates -> bot messages each):

 1. ``/start`` -> 1 (consent notice)
 2. press "Saya setuju" -> 2 (notice edited to show the choice + name question)
 3. type the name -> 1
 4. type the NIK -> 1 (16 digits, written plain, with dashes or with spaces)
 5. KPJ: every other pair of participants types 11 digits -> 1; the others press "Saya tidak tahu" -> 2
 6. phone: typed ``0812...`` or shared as the own contact (chosen by the seed) -> 1
 7. province: even participants type its name -> 1; odd ones press the region (keyboard edited) -> 1, then the
    province -> 2
 8. type the regency -> 1
 9. type the last employer -> 1
10. type the lay-off date (``DD-MM-YYYY``) -> 1
11. press the education level -> 2 (question edited + summary)
12. press "Benar, daftarkan" -> 2 (summary edited + welcome)

plus exactly one wrong answer per participant, answered with the error and the question again (1 message),
rotating by participant: an 8-digit NIK before step 4, ``12345`` as the phone before step 6, or ``kemarin sore``
as the lay-off date before step 10. So a participant sends 13 updates (typed province) or 14 (region buttons).

NIKs follow tests/flows.py: ``32 01 01``, DDMMYY birth date (+40 to the day for women, every other participant),
serial 0001-9999; birth date and serial both vary per participant, and every NIK and phone number is unique.

Baseline ``"system": "echo"``: a minimal PTB bot, as PTB builds it (its httpx client), on the same harness (fresh
FakeTelegram, same long polling, same ``PerUserUpdateProcessor``) that echoes every message with two inline buttons,
and answers a button press by answering the query and editing the message ("1": keeps the buttons, like the
region keyboard) or editing it and sending a new message ("2", like an answered question). Its participants send
the same kinds of update (text, contact, button) in the same order and wait for the same number of messages, so
both bots do equivalent Telegram I/O per update; ``ratio`` is vokasi / echo throughput. ``"echo-same-client"`` is
the same echo bot on the bot's own HTTP client (``bot.delivery.http.AiohttpRequest``), and ``ratio_same_client``
vokasi / that: the cost of the bot's own work alone, HTTP clients aside.

At the end of the vokasi run the database must hold every participant exactly once (and no dialog left), and the
fake server must have seen no failed request; otherwise the script exits with status 1. Timings are not asserted.
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
import random  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from typing import Any, Literal  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bench.common import VAULT, BenchFailure, machine_info, percentile, print_lines, serving  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.concurrency import PerUserUpdateProcessor  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.delivery.http import AiohttpRequest  # noqa: E402
from bot.i18n import Translations, Translator  # noqa: E402
from bot.services.education import EDUCATION_LEVELS  # noqa: E402
from bot.services.provinces import Province, ProvinceCatalog  # noqa: E402
from fakegram import FakeTelegram, FakeUser  # noqa: E402

DEFAULT_USERS = 100
DEFAULT_SEED = 0
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
REPLY_TIMEOUT = 60.0  # a reply slower than this is a failure, not a measurement
FIRST_USER_ID = 50_000_000

# NIK birth dates: consecutive days from here (everyone is over 30 on NOW); the serial varies too.
FIRST_BIRTH_DATE = date(1966, 1, 1)
BIRTH_SPAN_DAYS = 30 * 365
# Lay-off dates: inside the eligibility window (1-24 months before NOW), so every welcome is the plain one.
FIRST_PHK_DATE = date(2025, 3, 1)
PHK_SPAN_DAYS = (date(2026, 9, 30) - FIRST_PHK_DATE).days

Kind = Literal["text", "press", "contact"]
Mistake = Literal["nik", "phone", "phk_date"]
MISTAKES: tuple[Mistake, ...] = ("nik", "phone", "phk_date")

FIRST_NAMES = ("Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Putri", "Eko", "Wati", "Hendra", "Ayu", "Rudi")
LAST_NAMES = ("Nurhaliza", "Santoso", "Lestari", "Wijaya", "Pratama", "Saputra", "Hidayat", "Kusuma", "Rahmawati")
EMPLOYERS = (
    "PT Maju Jaya Sentosa",
    "CV Sinar Abadi",
    "PT Tekstil Nusantara",
    "PT Sepatu Bintang Timur",
    "PT Garmen Sejahtera",
    "CV Karya Mandiri",
)
REGENCIES = ("Kota Bandung", "Kabupaten Bogor", "Kota Surabaya", "Kabupaten Sleman", "Kota Medan", "Kota Makassar")

ECHO_KEEP = "1"  # echo bot button: edit the message, keep the buttons (1 message)
ECHO_NEXT = "2"  # echo bot button: edit the message and send a new one (2 messages)
ECHO_NEXT_TEXT = "next question"

log = logging.getLogger("bench.registration")


@dataclass(frozen=True, slots=True)
class Action:
    """One update a participant sends, and what it must lead to."""

    kind: Kind
    value: str  # the text typed, the button's visible text, or the phone number shared as a contact
    replies: int  # bot messages (new or edited) this update yields
    expect: str  # found in the text, or among the buttons, of the last of those messages


@dataclass(frozen=True, slots=True)
class Applicant:
    user_id: int
    name: str
    nik: str
    actions: tuple[Action, ...]


# --------------------------------------------------------------------------------------------- the workload


def nik_for(index: int) -> str:
    """A valid, unique NIK: 32 01 01, birth date DDMMYY (day + 40 for women), serial 0001-9999."""
    days = index % BIRTH_SPAN_DAYS
    born = FIRST_BIRTH_DATE + timedelta(days=days)
    # Same birth date <=> same `days`; the serial then differs by index // BIRTH_SPAN_DAYS.
    serial = (days * 7 + index // BIRTH_SPAN_DAYS) % 9999 + 1
    day = born.day + (40 if index % 2 else 0)
    return f"320101{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def phone_for(index: int) -> str:
    """A unique Indonesian mobile number, 0812 + 8 digits (7919 is coprime to 10**8)."""
    return f"0812{(index * 7919 + 1_234_567) % 10**8:08d}"


def plan(count: int, seed: int, t: Translator, provinces: ProvinceCatalog) -> list[Applicant]:
    """What each participant sends, in order (the same workload for the same count and seed)."""
    if count < 1:
        raise ValueError("at least one user")
    rng = random.Random(seed)
    # Provinces whose typed name matches only themselves (a typed ambiguous name would get a choice of buttons).
    typeable = [p for p in provinces.all() if provinces.match(p.name) == (p,)]
    applicants = []
    for index in range(count):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        nik = nik_for(index)
        phone = phone_for(index)
        province: Province = rng.choice(typeable)
        mistake = MISTAKES[index % len(MISTAKES)]
        nik_typed = rng.choice(
            (nik, f"{nik[:4]}-{nik[4:8]}-{nik[8:12]}-{nik[12:]}", f"{nik[:6]} {nik[6:12]} {nik[12:]}")
        )
        phk = FIRST_PHK_DATE + timedelta(days=rng.randrange(PHK_SPAN_DAYS))
        education = rng.choice(EDUCATION_LEVELS)

        actions = [
            Action("text", "/start", 1, t("consent-notice")),
            Action("press", t("btn-consent-yes"), 2, t("ask-name")),
            Action("text", name, 1, t("ask-nik")),
        ]
        if mistake == "nik":
            actions.append(Action("text", nik[:8], 1, t("err-nik-format")))
        actions.append(Action("text", nik_typed, 1, t("ask-kpj")))
        if (index // 2) % 2 == 0:
            actions.append(Action("text", f"{(index * 104_729 + 17) % 10**11:011d}", 1, t("ask-phone")))
        else:
            actions.append(Action("press", t("btn-kpj-unknown"), 2, t("ask-phone")))
        if mistake == "phone":
            actions.append(Action("text", "12345", 1, t("err-phone-format")))
        if rng.random() < 0.5:
            actions.append(Action("text", phone, 1, t("ask-province")))
        else:
            actions.append(Action("contact", "62" + phone[1:], 1, t("ask-province")))
        regency_question = t("ask-regency", province=province.name)
        if index % 2 == 0:
            actions.append(Action("text", province.name, 1, regency_question))
        else:
            actions.append(Action("press", t(f"region-{province.region}"), 1, province.name))
            actions.append(Action("press", province.name, 2, regency_question))
        actions += [
            Action("text", rng.choice(REGENCIES), 1, t("ask-employer")),
            Action("text", rng.choice(EMPLOYERS), 1, t("ask-phk-date")),
        ]
        if mistake == "phk_date":
            actions.append(Action("text", "kemarin sore", 1, t("err-date-format")))
        actions += [
            Action("text", phk.strftime("%d-%m-%Y"), 1, t("ask-education")),
            Action("press", t(f"edu-{education}"), 2, t("btn-confirm")),
            Action("press", t("btn-confirm"), 2, t("welcome", name=name)),
        ]
        applicants.append(Applicant(FIRST_USER_ID + index, name, nik, tuple(actions)))
    return applicants


def echo_actions(actions: Sequence[Action]) -> tuple[Action, ...]:
    """The same kinds of update, in the same order and with the same number of replies, for the echo bot."""
    echoed = []
    for action in actions:
        if action.kind == "press":
            if action.replies == 1:
                echoed.append(Action("press", ECHO_KEEP, 1, f"✓ {ECHO_KEEP}"))
            else:
                echoed.append(Action("press", ECHO_NEXT, action.replies, ECHO_NEXT_TEXT))
        else:
            echoed.append(Action(action.kind, action.value, action.replies, action.value))
    return tuple(echoed)


# --------------------------------------------------------------------------------------------- driving users


async def drive(user: FakeUser, actions: Sequence[Action], latencies: list[float]) -> None:
    """One participant: each update, then exactly its replies; latency from just before sending."""
    for step, action in enumerate(actions, start=1):
        started = time.perf_counter()
        if action.kind == "text":
            await user.send_text(action.value)
        elif action.kind == "press":
            await user.press(action.value)
        else:
            await user.send_contact(action.value)
        replies = await user.wait_messages(action.replies, timeout=REPLY_TIMEOUT)
        latencies.append(time.perf_counter() - started)
        last = replies[-1]
        if action.expect not in (last.text or "") and action.expect not in last.button_texts():
            raise BenchFailure(
                f"user {user.user_id}, step {step} ({action.kind} {action.value!r}): expected {action.expect!r}, "
                f"got {last.text!r} with buttons {last.button_texts()!r}"
            )


async def drive_all(
    server: FakeTelegram, workloads: Sequence[tuple[int, Sequence[Action]]]
) -> tuple[float, list[float]]:
    """Everyone at once; returns the wall time in seconds and every update's latency in seconds."""
    users = [(server.user(user_id, first_name="Peserta"), actions) for user_id, actions in workloads]
    latencies: list[float] = []
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(drive(user, actions, latencies) for user, actions in users), return_exceptions=True
    )
    elapsed = time.perf_counter() - started
    failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    if failures:
        raise BenchFailure(f"{len(failures)} of {len(users)} users failed; first: {failures[0]!r}") from failures[0]
    leftovers = {user.user_id: len(left) for user, _ in users if (left := user.new_messages())}
    if leftovers:
        raise BenchFailure(f"unexpected extra bot messages (user id -> count): {leftovers}")
    failed = [r for r in server.requests if not r.ok]
    if failed or server.internal_errors:
        raise BenchFailure(f"failed Bot API requests: {failed[:5]!r}; fakegram errors: {server.internal_errors[:5]!r}")
    return elapsed, latencies


# --------------------------------------------------------------------------------------------- the two systems


async def run_vokasi(applicants: Sequence[Applicant], db_path: Path) -> tuple[float, list[float]]:
    async with FakeTelegram() as server:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
            bot_token=server.token,
            bot_api_url=server.base_url,
            bot_file_url=server.base_file_url,
            database_url=f"sqlite:///{db_path}",
            # The rate limiter stays in the path (its cost is the bot's), but with Telegram's pacing lifted: this
            # measures the bot's own ceiling, as the unlimited echo bot's is measured.
            telegram_messages_per_s=100_000,
            telegram_chat_messages_per_s=100_000,
        )
        app = build_application(settings, clock=ManualClock(NOW))
        async with serving(app, server):
            measured = await drive_all(server, [(a.user_id, a.actions) for a in applicants])
    check_registered(db_path, applicants)
    return measured


def check_registered(db_path: Path, applicants: Sequence[Applicant]) -> None:
    """Every participant registered exactly once, with their own NIK (found by its blind index, as the bot finds
    it), and no dialog left open."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("SELECT telegram_user_id, nik_index FROM participants").fetchall()
        dialogs = conn.execute("SELECT COUNT(*) FROM dialogs").fetchone()[0]
    expected = {a.user_id: VAULT.index(a.nik, "nik") for a in applicants}
    registered = dict(rows)
    if len(rows) != len(applicants) or registered != expected or dialogs:
        missing = sorted(set(expected) - set(registered))[:10]
        raise BenchFailure(
            f"{len(rows)} participant rows for {len(applicants)} users ({len(registered)} distinct); "
            f"missing: {missing}; wrong NIK: {sum(1 for k, v in registered.items() if expected.get(k) != v)}; "
            f"open dialogs: {dialogs}"
        )


async def _echo_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    text = message.text or (message.contact.phone_number if message.contact else "?")
    await context.bot.send_message(message.chat_id, text, reply_markup=_echo_keyboard())


async def _echo_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    await query.answer()
    text = getattr(query.message, "text", None) or ""
    if query.data == ECHO_NEXT:
        await query.edit_message_text(f"{text}\n\n✓ {query.data}", reply_markup=None)
        await context.bot.send_message(query.message.chat.id, ECHO_NEXT_TEXT, reply_markup=_echo_keyboard())
    else:
        await query.edit_message_text(f"{text}\n\n✓ {query.data}", reply_markup=_echo_keyboard())


def _echo_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(ECHO_KEEP, callback_data=ECHO_KEEP),
                InlineKeyboardButton(ECHO_NEXT, callback_data=ECHO_NEXT),
            ]
        ]
    )


async def run_echo(applicants: Sequence[Applicant], *, same_client: bool = False) -> tuple[float, list[float]]:
    """The echo bot as PTB builds it (httpx), or with the bot's own HTTP client (bot/delivery/http.py)."""
    async with FakeTelegram() as server:
        builder = (
            ApplicationBuilder()
            .token(server.token)
            .base_url(server.base_url)
            .base_file_url(server.base_file_url)
            .concurrent_updates(PerUserUpdateProcessor())
        )
        if same_client:
            builder = builder.request(AiohttpRequest(PerUserUpdateProcessor().max_concurrent_updates))
            builder = builder.get_updates_request(AiohttpRequest())
        app = builder.build()
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, _echo_message))
        app.add_handler(CallbackQueryHandler(_echo_button))
        async with serving(app, server):
            return await drive_all(server, [(a.user_id, echo_actions(a.actions)) for a in applicants])


# --------------------------------------------------------------------------------------------- results


def summary(system: str, users: int, elapsed: float, latencies: Sequence[float]) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "bench": "registration",
        "system": system,
        "users": users,
        "updates": len(ordered),
        "updates_per_s": round(len(ordered) / elapsed, 1),
        "p50_ms": round(percentile(ordered, 50) * 1000, 1),
        "p95_ms": round(percentile(ordered, 95) * 1000, 1),
        "p99_ms": round(percentile(ordered, 99) * 1000, 1),
        "seconds": round(elapsed, 3),
    }


def machine() -> dict[str, Any]:
    return {
        "bench": "registration",
        "machine": machine_info(),
    }


async def run(
    users: int = DEFAULT_USERS, seed: int = DEFAULT_SEED, workdir: Path | None = None
) -> list[dict[str, Any]]:
    """Both systems, one after the other; the JSON lines as dicts: vokasi, echo (PTB as built), echo on the
    bot's HTTP client, ratio, machine.

    The vokasi database is ``workdir/bench.db`` when a directory is given (it is kept), else a temporary file.
    Raises BenchFailure when a reply was wrong or missing, or not every user ended up registered exactly once.
    """
    t = Translations("id").get("id")
    applicants = plan(users, seed, t, ProvinceCatalog.load())
    with contextlib.ExitStack() as stack:
        directory = workdir if workdir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        vokasi = summary("vokasi", users, *await run_vokasi(applicants, directory / "bench.db"))
    echo = summary("echo", users, *await run_echo(applicants))
    same = summary("echo-same-client", users, *await run_echo(applicants, same_client=True))
    for baseline in (echo, same):
        if vokasi["updates"] != baseline["updates"]:
            handled = f"vokasi handled {vokasi['updates']} updates, {baseline['system']} {baseline['updates']}"
            raise BenchFailure(handled)
    ratio = {
        "bench": "registration",
        "ratio": round(vokasi["updates_per_s"] / echo["updates_per_s"], 3),
        "ratio_same_client": round(vokasi["updates_per_s"] / same["updates_per_s"], 3),
    }
    return [vokasi, echo, same, ratio, machine()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--users", type=int, default=DEFAULT_USERS, help=f"simulated participants (default {DEFAULT_USERS})"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="workload seed (default %(default)s)")
    args = parser.parse_args(argv)
    if args.users < 1:
        parser.error("--users must be at least 1")
    # PTB 22 warns unless durations such as retry_after are timedelta objects (the PTB 23 behaviour), as main.py.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return print_lines(run(args.users, args.seed))


if __name__ == "__main__":
    sys.exit(main())
