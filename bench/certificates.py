"""Certificates at the end of a big course day: 1,000 PDFs built the way the bot builds them when it sends them.

Run: ``python bench/certificates.py [--count N] [--concurrency C]``. Prints two JSON lines, both with
``"bench": "certificates"``: the figures, then the machine.

Each certificate is built by ``bot.delivery.certificates.build_file``, the function the outbox sender and
/sertifikat call: the texts in the holder's language (half Indonesian, half English), the layout of
``data/certificate.yaml``, the QR code of its verification link, the PDF made in a worker thread
(asyncio.to_thread). As the dispatcher sends a claimed batch concurrently, ``--concurrency`` (default 32, the
default DISPATCH_CONCURRENCY) certificates are in progress at once. Each has its own holder (an Indonesian name
with non-ASCII letters now and then), number and five to twelve sessions.

Figures: ``per_certificate_ms`` (wall time over the count: what a course's certificates cost), ``p50_ms`` /
``p95_ms`` of one certificate from start to PDF (waiting for a thread included), ``pdf_kb`` (mean size) and
``loop_stall_ms``, the longest the event loop could not run another task meanwhile (a ticker every 10 ms, as
bench/reports.py measures it): what a participant writing to the bot at that moment would wait on top of the
usual. The aim is ``loop_stall_ms`` < 250; ``met`` says whether it held. Every PDF must start with ``%PDF`` and
its file name carry its number, and the first and the last are read back with ``pdftotext`` (when poppler-utils is
installed) and must show their number; otherwise the script exits with status 1. Timings are not asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:  # run as a script: make `bot` importable
    sys.path.insert(0, _ROOT)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

from bench.common import BenchFailure, LoopStalls, machine_info, percentile, print_lines  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.delivery.certificates import CertificateFile, build_file  # noqa: E402
from bot.i18n import Translations  # noqa: E402
from bot.services.certificate_numbers import new_number  # noqa: E402
from bot.services.certificate_template import load_template  # noqa: E402
from bot.services.certificates import CertificateDocument  # noqa: E402
from bot.storage.catalogue import Course  # noqa: E402
from bot.storage.certificates import AttendedSession, Certificate  # noqa: E402

DEFAULT_COUNT = 1000
DEFAULT_CONCURRENCY = 32
AIM_LOOP_STALL_MS = 250
BOT_USERNAME = "vokasi_bench_bot"
FIRST = ["Siti", "Budi", "Dewi", "Agus", "Ni Luh", "I Made", "Nur", "Rahmat", "Yohanes", "Ayu", "Dédé", "Ña"]
LAST = ["Rahayu", "Santoso", "Lestari", "Hidayat", "Putri Ayuningsih", "Siregar", "Wanggai", "Nainggolan"]
TOPICS = ["Pengenalan crane", "K3 kelistrikan", "Praktik di pelabuhan Ciwandan", "Perawatan mesin", "Ujian praktik"]


def documents(count: int, seed: int = 19) -> list[CertificateDocument]:
    """`count` certificates of different holders and courses, as the bot reads them when it sends them."""
    rng = random.Random(seed)
    start = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 08:00 WIB
    found = []
    for index in range(count):
        sessions = tuple(
            AttendedSession(
                n + 1,
                rng.choice(TOPICS),
                start + timedelta(days=n),
                start + timedelta(days=n, hours=rng.choice((4, 8))),
            )
            for n in range(rng.randint(5, 12))
        )
        minutes = sum(int((s.ends_at - s.starts_at).total_seconds() // 60) for s in sessions)
        certificate = Certificate(
            id=index + 1, number=new_number(2026), enrollment_id=index + 1, participant_id=index + 1, course_id=1,
            issued_at=sessions[-1].ends_at + timedelta(hours=1), sessions_attended=len(sessions),
            sessions_total=len(sessions), minutes_attended=minutes, sessions=sessions,
            language="en" if index % 2 else "id", revoked_at=None, revoked_reason=None, revoked_by=None,
            participant_erased_at=None,
        )  # fmt: skip
        course = Course(
            id=1, code="CRANE-CLG-01", title="Operator Crane", category="Alat Berat", description="",
            institute_name="Kautsar Institute", institute_city="Kota Cilegon", institute_contact="",
            regency="Kota Cilegon", province_code="36", venue_address="Jl. Jenderal Sudirman No. 88",
            timezone="Asia/Jakarta", capacity=1000, registration_deadline=start, status="finished", enrolled=0,
            waitlisted=0, first_start=sessions[0].starts_at, last_end=sessions[-1].ends_at,
        )  # fmt: skip
        found.append(CertificateDocument(certificate, course, f"{rng.choice(FIRST)} {rng.choice(LAST)}"))
    return found


def read_back(built: CertificateFile, number: str) -> None:
    """The PDF's text holds its number (pdftotext, when poppler-utils is installed)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(built.content)
        handle.flush()
        text = subprocess.run([tool, handle.name, "-"], check=True, capture_output=True, text=True).stdout
    if number not in text:
        raise BenchFailure(f"certificate {number}: its number is not in the PDF's text")


async def run(count: int = DEFAULT_COUNT, concurrency: int = DEFAULT_CONCURRENCY) -> list[dict[str, Any]]:
    if count < 1 or concurrency < 1:
        raise ValueError("count and concurrency must be at least 1")
    template = load_template(Settings(_env_file=None).certificate_template)
    translations = Translations("id")
    pending = documents(count)
    latencies: list[float] = []
    results: list[CertificateFile | None] = [None] * count
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> None:
        async with gate:
            document = pending[index]
            began = time.perf_counter()
            t = translations.get(document.certificate.language)
            results[index] = await build_file(t, template, document, BOT_USERNAME)
            latencies.append(time.perf_counter() - began)

    await one(0)  # the first one loads the template's fonts from disk into the page cache: not what is measured
    latencies.clear()
    began = time.perf_counter()
    async with LoopStalls() as stalls:
        await asyncio.gather(*(one(index) for index in range(count)))
    elapsed = time.perf_counter() - began

    sizes = []
    for document, built in zip(pending, results, strict=True):
        if built is None or not built.content.startswith(b"%PDF"):
            raise BenchFailure(f"certificate {document.certificate.number}: no PDF")
        if document.certificate.number not in built.filename:
            raise BenchFailure(f"certificate {document.certificate.number}: file name {built.filename!r}")
        sizes.append(len(built.content))
    for index in {0, count - 1}:
        built = results[index]
        assert built is not None
        read_back(built, pending[index].certificate.number)
    ordered = sorted(latencies)
    stall_ms = round(stalls.longest_s * 1000, 1)
    return [
        {
            "bench": "certificates",
            "certificates": count,
            "concurrency": concurrency,
            "per_certificate_ms": round(elapsed * 1000 / count, 2),
            "p50_ms": round(percentile(ordered, 50) * 1000, 1),
            "p95_ms": round(percentile(ordered, 95) * 1000, 1),
            "pdf_kb": round(sum(sizes) / len(sizes) / 1024, 1),
            "loop_stall_ms": stall_ms,
            "aim_loop_stall_ms": AIM_LOOP_STALL_MS,
            "met": stall_ms < AIM_LOOP_STALL_MS,
            "total_s": round(elapsed, 2),
        },
        {"bench": "certificates", "machine": machine_info()},
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"certificates (default {DEFAULT_COUNT})")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"built at once, as the dispatcher sends a batch (default {DEFAULT_CONCURRENCY})",
    )
    args = parser.parse_args(argv)
    return print_lines(run(args.count, args.concurrency))


if __name__ == "__main__":
    sys.exit(main())
