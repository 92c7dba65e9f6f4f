"""The help desk's FAQ (data/faq.yaml): the shipped file loads, real questions find their answer, mistakes in
the file stop the bot at start-up with a message that names them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import LANGUAGES
from bot.handlers.commands import COMMANDS
from bot.services.faq import FAQ_FILE, MAX_ANSWER_LENGTH, Faq, FaqDefinitionError, FaqEntry, normalise


@cache
def shipped() -> Faq:
    return Faq.load(FAQ_FILE, LANGUAGES)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def entry(key: str, id_keywords: str = "[kata]", en_keywords: str = "[word]", answer: str = "Jawaban.") -> str:
    return f"""- key: {key}
  question:
    id: "Pertanyaan {key}?"
    en: "Question {key}?"
  answer:
    id: {answer}
    en: Answer.
  keywords:
    id: {id_keywords}
    en: {en_keywords}
"""


def keys(found: list[FaqEntry]) -> list[str]:
    return [e.key for e in found]


def test_the_shipped_file_has_every_entry_in_both_languages() -> None:
    faq = shipped()
    assert 12 <= len(faq.entries) <= 16
    assert len(set(faq.keys)) == len(faq.keys) == len(faq.entries)
    for item in faq.entries:
        assert faq.get(item.key) is item
        for language in LANGUAGES:
            assert item.question[language].strip()
            assert 0 < len(item.answer[language]) <= MAX_ANSWER_LENGTH
            assert item.keywords[language]
    assert faq.get("nonexistent") is None


def test_the_shipped_answers_point_only_to_commands_the_bot_has() -> None:
    commands = {name for name, _ in COMMANDS["id"]}
    for item in shipped().entries:
        for text in item.answer.values():
            used = {word.strip(".,;:()").removeprefix("/") for word in text.split() if word.startswith("/")}
            assert used <= commands, (item.key, used - commands)


@pytest.mark.parametrize(
    ("question", "language", "key"),
    [
        ("uang transport kapan cair?", "id", "transport"),
        ("saya sakit boleh izin?", "id", "izin_sakit"),
        ("sertifikat saya mana", "id", "sertifikat"),
        ("kpn jadwalnya", "id", "jadwal"),
        ("when is the transport money paid", "en", "transport"),
        ("UANG TRANSPORTNYA KAPANNN CAIRRR???", "id", "transport"),
        ("udah di tf belum ya", "id", "transport"),
        ("pelatihannya bayar ga?", "id", "biaya"),
        ("lupa no kpj", "id", "lupa_kpj"),
        ("gmn cara hapus data saya", "id", "hapus_data"),
        ("how do I delete my data", "en", "hapus_data"),
        ("tempatnya dimana ya", "id", "lokasi"),
        ("kelasnya penuh", "id", "kuota_penuh"),
        ("mau ganti kursus", "id", "ganti_kursus"),
        ("saya kena phk bisa ikut?", "id", "syarat"),
        ("sertifikat saya di mana", "id", "sertifikat"),
        # Mixed languages: the other language's keywords are a fallback.
        ("certificate saya mana", "id", "sertifikat"),
        ("my sertifikat?", "en", "sertifikat"),
        # A language the file does not have reads as the default one.
        ("kpn jadwalnya", "fr", "jadwal"),
    ],
)
def test_real_questions_find_their_answer_first(question: str, language: str, key: str) -> None:
    found = shipped().match(question, language)
    assert found, question
    assert found[0].key == key


@pytest.mark.parametrize("question", ["halo", "saya mau tanya", "terima kasih", "selamat pagi pak", "", "?!", "🙏"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_question_sharing_no_keyword_matches_nothing(question: str, language: str) -> None:
    assert shipped().match(question, language) == []


def test_normalising_lowercases_and_drops_punctuation_accents_and_repeated_letters() -> None:
    assert normalise("  Kapannn   CAIR?!  ") == "kapan cair"
    assert normalise("café—déjà_vu") == "cafe deja vu"
    assert normalise("tahun 2000") == "tahun 2000"


def test_phrases_match_as_phrases_and_long_words_as_prefixes(tmp_path: Path) -> None:
    text = entry("saku", "[uang saku]") + entry("serti", "[sertifikat]") + entry("izin", "[izin]")
    faq = Faq.load(write(tmp_path, text), LANGUAGES)
    assert keys(faq.match("uang saku-nya kapan?", "id")) == ["saku"]
    assert faq.match("saku saya, uang saya", "id") == []
    assert keys(faq.match("Sertifikatnya mana", "id")) == ["serti"]
    assert faq.match("serti", "id") == []  # a keyword is never matched by a shorter word
    assert keys(faq.match("izin", "id")) == ["izin"]
    assert faq.match("izinkan saya", "id") == []  # shorter than 5 letters: whole words only


def test_scores_rank_longer_phrases_first_ties_in_file_order_and_fallbacks_lower(tmp_path: Path) -> None:
    text = (
        entry("first", "[ongkos]")
        + entry("second", "[ongkos]")
        + entry("phrase", "[ongkos bensin]")
        + entry("english", "[lain]", "[fee]")
        + entry("indonesian", "[fee]")
    )
    faq = Faq.load(write(tmp_path, text), LANGUAGES)
    assert keys(faq.match("ongkos", "id")) == ["first", "second"]
    assert keys(faq.match("ongkos bensin", "id")) == ["phrase", "first", "second"]
    assert keys(faq.match("ongkos bensin", "id", limit=1)) == ["phrase"]
    assert faq.match("ongkos", "id", limit=0) == []
    assert keys(faq.match("fee", "id")) == ["indonesian", "english"]
    assert keys(faq.match("fee", "en")) == ["english", "indonesian"]


def test_an_incidental_match_next_to_a_much_better_one_is_left_out(tmp_path: Path) -> None:
    text = entry("strong", "[uang transport kapan cair, transport, cair]") + entry("weak", "[kapan]")
    faq = Faq.load(write(tmp_path, text), LANGUAGES)
    assert keys(faq.match("uang transport kapan cair", "id")) == ["strong"]
    assert keys(faq.match("kapan", "id")) == ["weak"]


@pytest.mark.parametrize(
    ("text", "complaints"),
    [
        ("key: transport\n", ["expected a list of entries"]),
        ("- [transport\n", ["not valid YAML"]),
        (entry("a") + entry("a"), ["entry 2 (a)", "duplicate key 'a', already used by entry 1"]),
        (entry("Transport!"), ["entry 1 (Transport!)", "key 'Transport!' must be lowercase"]),
        (entry("a", "[]"), ["entry 1 (a)", "no 'id' keywords"]),
        (entry("a", "[kata, '?!']"), ["empty or punctuation-only 'id' keyword '?!'"]),
        (entry("a", "[Kata]"), ["'id' keyword 'Kata' is not lowercase"]),
        (entry("a", "[kata, kata]"), ["'id' keyword 'kata' is listed twice"]),
        (entry("a", answer="x" * 401), ["entry 1 (a)", "answer: the 'id' text is 401 characters long (at most 400)"]),
        (entry("a").replace("en: Answer.", "fr: Réponse."), ["answer: unknown language 'fr'", "missing the 'en'"]),
        (
            entry("a").replace('  question:\n    id: "Pertanyaan a?"\n    en: "Question a?"\n', ""),
            ["question: expected one"],
        ),
        (entry("a") + "  extra: 1\n", ["unknown field 'extra'"]),
        ("- just a string\n", ["entry 1: expected a mapping"]),
    ],
)
def test_a_broken_file_fails_naming_the_file_the_entry_and_the_problem(
    tmp_path: Path, text: str, complaints: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FaqDefinitionError) as failure:
        Faq.load(path, LANGUAGES)
    message = str(failure.value)
    assert str(path) in message
    for complaint in complaints:
        assert complaint in message


def test_every_problem_of_a_file_is_listed_at_once(tmp_path: Path) -> None:
    text = entry("a", "[]") + entry("b", answer="x" * 500) + entry("a")
    with pytest.raises(FaqDefinitionError) as failure:
        Faq.load(write(tmp_path, text), LANGUAGES)
    lines = str(failure.value).splitlines()
    assert len(lines) == 4, lines
    assert "entry 1 (a)" in lines[1]
    assert "entry 2 (b)" in lines[2]
    assert "entry 3 (a)" in lines[3]


def test_a_missing_file_fails_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(FaqDefinitionError, match=r"missing\.yaml: cannot be read"):
        Faq.load(tmp_path / "missing.yaml", LANGUAGES)


@given(text=st.text(max_size=300), language=st.sampled_from([*LANGUAGES, "xx"]), limit=st.integers(-1, 20))
def test_match_never_raises_and_returns_at_most_limit_distinct_entries(text: str, language: str, limit: int) -> None:
    found = shipped().match(text, language, limit)
    assert len(found) <= max(limit, 0)
    assert len({e.key for e in found}) == len(found)


@given(words=st.lists(st.sampled_from([w for e in shipped().entries for w in e.keywords["id"]]), max_size=8))
def test_questions_made_of_keywords_always_match_something(words: list[str]) -> None:
    found = shipped().match(" ".join(words), "id")
    assert bool(found) == bool(words)
