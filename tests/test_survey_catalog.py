"""Survey definitions (data/surveys/*.yaml): the shipped files load, and mistakes stop the bot at start-up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import DATA_DIR, Settings
from bot.services.survey_catalog import (
    EMPLOYMENT_FIELD,
    EMPLOYMENT_STATUSES,
    END,
    Survey,
    SurveyCatalog,
    SurveyDefinitionError,
    parse_survey,
)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = DATA_DIR / "surveys"
TRAINING_OPTION = """      - value: training
        label: {id: Mengikuti pelatihan lanjutan, en: In further training}
        next: further_training
"""
RECORDS_LINE = "    records: employment_status\n"


def texts(word: str) -> dict[str, str]:
    return {"id": word, "en": word}


def question(qid: str, qtype: str = "text", **fields: Any) -> dict[str, Any]:
    return {"id": qid, "type": qtype, "text": texts(qid), **fields}


def option(value: str, **fields: Any) -> dict[str, Any]:
    return {"value": value, "label": texts(value), **fields}


def survey_yaml(*questions: dict[str, Any], **fields: Any) -> str:
    header = {"title": texts("T"), "intro": texts("I"), "outro": texts("O")}
    return yaml.safe_dump({**header, **fields, "questions": list(questions)}, sort_keys=False)


def complete_paths(survey: Survey) -> list[list[str]]:
    """Every path through the survey, following each option of a single choice (and skipping when allowed)."""
    finished: list[list[str]] = []
    stack = [[survey.questions[0].id]]
    while stack:
        path = stack.pop()
        current = survey.question(path[-1])
        assert current is not None, f"{survey.id}: {path} leads to an unknown question"
        choices: list[str | None] = [o.value for o in current.options] if current.type == "single" else []
        if current.optional or not choices:
            choices.append(None)
        for chosen in choices:
            target = survey.after(current, chosen)
            if target == END:
                finished.append(path)
                continue
            # Strictly forward, so the walk (and every participant) terminates.
            assert survey.index(target) > survey.index(current.id), f"{survey.id}: {path} + {chosen} -> {target}"
            stack.append([*path, target])
    return finished


def test_shipped_surveys_load_with_every_text() -> None:
    catalog = SurveyCatalog.load(SHIPPED)
    assert {s.id for s in catalog} == {"satisfaction", "employment"}
    for survey in catalog:
        assert survey.title.get("en") and survey.intro.get("en") and survey.outro.get("en")
        for q in survey.questions:
            assert q.id and q.text.by_language["en"] and q.text.by_language["id"], (survey.id, q.id)


def test_shipped_employment_status_question_branches_as_written() -> None:
    employment = SurveyCatalog.load(SHIPPED)["employment"]
    status = employment.recording(EMPLOYMENT_FIELD)
    assert status is not None and not status.optional
    assert status.choices == list(EMPLOYMENT_STATUSES)
    targets = {value: employment.after(status, value) for value in EMPLOYMENT_STATUSES}
    assert len(set(targets.values())) == len(EMPLOYMENT_STATUSES)
    assert targets["new_employer"] == "employer"
    assert targets["not_working"] == "obstacle"
    assert targets["own_business"] == "business_kind"


@pytest.mark.parametrize("survey_id", ["satisfaction", "employment"])
def test_every_path_of_a_shipped_survey_ends_and_reaches_every_question(survey_id: str) -> None:
    survey = SurveyCatalog.load(SHIPPED)[survey_id]
    paths = complete_paths(survey)
    assert paths
    assert {qid for path in paths for qid in path} == {q.id for q in survey.questions}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(
            survey_yaml(question("q1", "single", options=[option("a", next="nowhere"), option("b")])),
            r"question 'q1' option 'a': branch target 'nowhere' is not a question",
            id="unknown-target",
        ),
        pytest.param(
            survey_yaml({"id": "q1", "type": "text", "text": {"id": "Apa?"}}),
            r"questions\[0\] \(q1\) > text: missing the 'en' text",
            id="missing-translation",
        ),
        pytest.param(
            survey_yaml(question("q1"), question("q2", next="q1")),
            r"question 'q2' next: branch target 'q1' does not come later",
            id="backwards",
        ),
        pytest.param(
            survey_yaml(question("q1", next="q1")),
            r"question 'q1' next: branch target 'q1' does not come later",
            id="to-itself",
        ),
        pytest.param(
            survey_yaml(question("q1"), question("q2"), question("q1")),
            r"two questions share the id 'q1'",
            id="duplicate-id",
        ),
        pytest.param(
            survey_yaml(question("q1", past_only=True)),
            r"question 'q1': past_only does not apply to a text question",
            id="misplaced-setting",
        ),
        pytest.param(
            survey_yaml(question("q1", "single", options=[option("a")])),
            r"questions\[0\] \(q1\): question 'q1': a single choice needs at least two options",
            id="one-option",
        ),
        pytest.param(
            survey_yaml(question("q1", options=[option("a"), option("b")])),
            r"question 'q1': only single and multiple choice questions have options",
            id="options-on-text",
        ),
        pytest.param(
            survey_yaml(question("q1"), question("q2", "number", min=10, max=1)),
            r"questions\[1\] \(q2\): question 'q2': min is larger than max",
            id="min-above-max",
        ),
        pytest.param(
            survey_yaml(question("q1", "rating", records="employment_status")),
            r"question 'q1': only a single choice can record employment_status",
            id="rating-records-status",
        ),
        pytest.param(
            survey_yaml(question("q1", "single", options=[option("yes"), option("maybe")], records="wants_vacancies")),
            r"question 'q1': recording wants_vacancies needs exactly the options yes and no",
            id="wants-vacancies-options",
        ),
        pytest.param(
            survey_yaml(
                question("q1", "single", options=[option("yes"), option("no")], records="wants_vacancies"),
                question("q2", "single", options=[option("yes"), option("no")], records="wants_vacancies"),
            ),
            r"only one question may record a field; q1, q2 do",
            id="wants-vacancies-twice",
        ),
        pytest.param("title: [unclosed\n", r"not valid YAML", id="yaml-syntax"),
        pytest.param(
            survey_yaml(question("q1"), id="other"),
            r"id 'other' differs from the file name 'demo'",
            id="id-not-file-name",
        ),
    ],
)
def test_a_wrong_file_is_rejected_naming_the_file_and_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match=problem) as error:
        SurveyCatalog.load(tmp_path)
    assert str(error.value).startswith(f"{path}:")


def test_parse_survey_names_the_given_source() -> None:
    text = survey_yaml(question("q1", "single", options=[option("a", next="nowhere"), option("b")]))
    with pytest.raises(SurveyDefinitionError, match=r"^surveys/demo\.yaml:\n.*'nowhere' is not a question"):
        parse_survey(text, "demo", "surveys/demo.yaml")


def test_a_folder_without_the_employment_survey_is_rejected(tmp_path: Path) -> None:
    shutil.copy(SHIPPED / "satisfaction.yaml", tmp_path)
    with pytest.raises(SurveyDefinitionError, match=r"needs the surveys employment\.yaml$") as error:
        SurveyCatalog.load(tmp_path)
    assert str(tmp_path) in str(error.value)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        pytest.param(
            TRAINING_OPTION,
            "",
            r"question 'status' must offer exactly the statuses .*; "
            r"it offers new_employer, not_working, own_business, previous_employer, recruiting$",
            id="status-missing",
        ),
        pytest.param(
            RECORDS_LINE,
            RECORDS_LINE + "    optional: true\n",
            r"question 'status' records the employment status and cannot be optional",
            id="status-optional",
        ),
        pytest.param(RECORDS_LINE, "", r"no question records employment_status", id="no-status-question"),
    ],
)
def test_the_employment_status_question_is_checked(tmp_path: Path, old: str, new: str, problem: str) -> None:
    shutil.copy(SHIPPED / "satisfaction.yaml", tmp_path)
    shipped = (SHIPPED / "employment.yaml").read_text(encoding="utf-8")
    assert shipped.count(old) == 1
    (tmp_path / "employment.yaml").write_text(shipped.replace(old, new), encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match=problem) as error:
        SurveyCatalog.load(tmp_path)
    assert str(error.value).startswith(f"{tmp_path / 'employment.yaml'}:")


def test_a_missing_folder_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(SurveyDefinitionError, match=r"missing: the survey folder does not exist"):
        SurveyCatalog.load(tmp_path / "missing")


def test_after_follows_defaults_then_question_then_option_next() -> None:
    survey = parse_survey(
        survey_yaml(
            question("q1"),
            question("q2", "single", optional=True, next="q4", options=[option("a", next="q3"), option("b")]),
            question("q3", next="end"),
            question("q4"),
            question("q5", "number"),
        ),
        "demo",
        "demo.yaml",
    )
    q1, q2, q3, q4, q5 = survey.questions
    assert survey.after(q1, None) == "q2"  # the following question
    assert survey.after(q2, "a") == "q3"  # the option's next wins over the question's
    assert survey.after(q2, "b") == "q4"  # an option without next: the question's next
    assert survey.after(q2, None) == "q4"  # skipped: the question's next
    assert survey.after(q3, None) == END
    assert survey.after(q4, None) == "q5"
    assert survey.after(q5, None) == END  # the last question


def test_run_stops_before_the_database_on_a_broken_survey(tmp_path: Path) -> None:
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    shutil.copy(SHIPPED / "satisfaction.yaml", surveys)
    broken = (SHIPPED / "employment.yaml").read_text(encoding="utf-8").replace("next: obstacle", "next: nowhere")
    (surveys / "employment.yaml").write_text(broken, encoding="utf-8")
    database = tmp_path / "x.db"
    settings = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in settings}
    env |= {
        "BOT_TOKEN": "123:abc",
        # Nothing listens there, so a bot that wrongly starts fails fast instead of reaching Telegram.
        "BOT_API_URL": "http://127.0.0.1:9/bot",
        "DATABASE_URL": f"sqlite:///{database}",
        "SURVEYS_DIR": str(surveys),
    }
    result = subprocess.run(
        [sys.executable, "main.py", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2, result.stderr
    assert "A survey definition is wrong" in result.stderr
    assert str(surveys / "employment.yaml") in result.stderr
    assert "question 'status' option 'not_working': branch target 'nowhere' is not a question" in result.stderr
    assert not database.exists()
