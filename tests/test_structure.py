"""The structure stays what DESIGN.md says: modules of a readable size, import contracts that really bite, a lock
file that matches pyproject.toml.

`make lint` runs `lint-imports` on the tree as it is; these tests show that the contracts fail when the layers are
broken (a copy of the tree with one bad import added), so a contract that was loosened by mistake is noticed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "fakegram", "playground", "bench", "tests", "scripts")
# A module past this usually holds two ideas (HOUSE_STYLE.md); bench/ and tests/ are not held to it.
MAX_LINES = 400
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_no_module_of_the_bot_fakegram_or_playground_is_over_400_lines() -> None:
    oversized = {
        str(path.relative_to(ROOT)): lines
        for package in ("bot", "fakegram", "playground")
        for path in (ROOT / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert oversized == {}


def _tree_copy(tmp_path: Path) -> Path:
    """The project's packages and its import-linter configuration, in a folder of their own."""
    copy = tmp_path / "tree"
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: install the dev dependencies (make test does)")
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _add_import(module: Path, statement: str) -> None:
    """Put `statement` after the module's `from __future__` line, where an engineer would write it."""
    source = module.read_text(encoding="utf-8")
    future = "from __future__ import annotations\n"
    assert future in source, module
    module.write_text(source.replace(future, future + statement + "\n", 1), encoding="utf-8")


def test_the_contracts_hold_on_the_tree_as_it_is(tmp_path: Path) -> None:
    result = _lint_imports(_tree_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "statement", "complaint"),
    [
        (
            "bot/storage/outbox.py",
            "import bot.services.reminders  # noqa",
            "bot.storage.outbox -> bot.services.reminders",
        ),
        (
            "bot/services/enrollment.py",
            "import bot.handlers.common  # noqa",
            "bot.services.enrollment -> bot.handlers.common",
        ),
        (
            "bot/services/catalogue.py",
            "import telegram  # noqa",
            "bot.services.catalogue -> telegram",
        ),
        ("bot/i18n.py", "import bot.services.provinces  # noqa", "bot.i18n -> bot.services.provinces"),
        ("bot/app.py", "import fakegram  # noqa", "bot.app -> fakegram"),
        ("fakegram/models.py", "import bot.config  # noqa", "fakegram.models -> bot.config"),
        # One layer's modules importing each other both ways is a cycle even where the layers allow each import.
        ("bot/storage/db.py", "import bot.storage.outbox  # noqa", "No cycles are allowed in bot.storage"),
    ],
)
def test_a_broken_layer_fails_lint(tmp_path: Path, module: str, statement: str, complaint: str) -> None:
    tree = _tree_copy(tmp_path)
    _add_import(tree / module, statement)
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert complaint in " ".join(result.stdout.split()), result.stdout


def test_a_new_module_outside_every_layer_fails_lint(tmp_path: Path) -> None:
    tree = _tree_copy(tmp_path)
    (tree / "bot" / "helpers.py").write_text('"""Somewhere no layer names."""\n', encoding="utf-8")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "bot.helpers" in result.stdout


def _pins(lock: Path) -> dict[str, tuple[Version, int]]:
    """name -> (pinned version, number of hashes) of a pip-compile lock file."""
    pins: dict[str, tuple[Version, int]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", lock.read_text(encoding="utf-8")):
        match = re.match(r"([A-Za-z0-9._-]+)==(\S+)", entry)
        if match:
            pins[canonicalize_name(match[1])] = (Version(match[2]), entry.count("--hash=sha256:"))
    return pins


@pytest.mark.parametrize(("lock_name", "extras"), [("requirements.lock", ()), ("requirements-dev.lock", ("dev",))])
def test_the_lock_files_pin_every_dependency_within_its_range_with_hashes(
    lock_name: str, extras: tuple[str, ...]
) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [Requirement(text) for text in project["project"]["dependencies"]]
    for extra in extras:
        wanted += [Requirement(text) for text in project["project"]["optional-dependencies"][extra]]
    wanted += [Requirement(text) for text in project["build-system"]["requires"]]
    pins = _pins(ROOT / lock_name)
    assert pins, lock_name
    out_of_range = {
        str(requirement): pins.get(canonicalize_name(requirement.name))
        for requirement in wanted
        if canonicalize_name(requirement.name) not in pins
        or not requirement.specifier.contains(pins[canonicalize_name(requirement.name)][0], prereleases=True)
    }
    assert out_of_range == {}, f"run `make lock` after changing pyproject.toml ({lock_name})"
    assert {name for name, (_, hashes) in pins.items() if hashes == 0} == set()
