"""The certificates benchmark runs end to end on a few certificates (structure and checks only; no timings)."""

from __future__ import annotations

import json

import pytest

from bench import certificates
from bench.common import BenchFailure
from bot.config import Settings
from bot.delivery.certificates import build_file
from bot.i18n import Translations
from bot.services.certificate_template import load_template

LINE_KEYS = [
    "bench",
    "certificates",
    "concurrency",
    "per_certificate_ms",
    "p50_ms",
    "p95_ms",
    "pdf_kb",
    "loop_stall_ms",
    "aim_loop_stall_ms",
    "met",
    "total_s",
]


async def test_certificates_benchmark_smoke() -> None:
    line, machine = await certificates.run(6, concurrency=3)
    assert list(line) == LINE_KEYS
    assert (line["bench"], line["certificates"], line["concurrency"], line["aim_loop_stall_ms"]) == (
        "certificates",
        6,
        3,
        250,
    )
    for key in ("per_certificate_ms", "p50_ms", "p95_ms", "pdf_kb", "loop_stall_ms", "total_s"):
        assert isinstance(line[key], float) and line[key] > 0
    assert line["p50_ms"] <= line["p95_ms"] and isinstance(line["met"], bool)
    assert machine["bench"] == "certificates" and set(machine["machine"]) >= {"platform", "python", "cpu_count"}
    for found in (line, machine):
        assert json.loads(json.dumps(found)) == found


def test_the_documents_differ_and_half_are_in_english() -> None:
    documents = certificates.documents(10)
    assert len({d.certificate.number for d in documents}) == 10
    assert [d.certificate.language for d in documents[:4]] == ["id", "en", "id", "en"]
    assert all(5 <= d.certificate.sessions_attended <= 12 for d in documents)


async def test_a_pdf_without_its_number_fails_the_run() -> None:
    if certificates.shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    first, second = certificates.documents(2)
    template = load_template(Settings(_env_file=None).certificate_template)
    built = await build_file(Translations("id").get("id"), template, first, certificates.BOT_USERNAME)
    certificates.read_back(built, first.certificate.number)
    with pytest.raises(BenchFailure, match="number"):
        certificates.read_back(built, second.certificate.number)


async def test_impossible_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await certificates.run(0)
