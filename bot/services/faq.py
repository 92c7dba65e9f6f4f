"""The help desk's frequently asked questions: read from data/faq.yaml and checked once, at start-up.

Each entry has a stable key, its question and answer in every language the bot speaks, and per language the
keywords people type. `Faq.match` turns a participant's question into the entries it most likely asks about
("Mungkin ini jawabannya: ..."), best first. It runs on every question, so everything it needs is worked out
at load time: matching is a few dictionary look-ups per word of the question.

Matching, on text normalised the same way for keywords and questions (lowercase, no accents, punctuation as
spaces, repeated letters collapsed: "Kapannn??" reads "kapan"):
- a word keyword matches a whole word of the question, or the start of a longer word when the keyword has at
  least PREFIX_MIN letters ("sertifikat" matches "sertifikatnya"; "izin" does not match "izinkan");
- a phrase keyword matches its words in sequence, each word by the same rule;
- an entry scores the sum of its distinct matched keywords, each worth its number of words; keywords of the
  other languages count FALLBACK_WEIGHT as much (people mix languages);
- entries below MIN_SCORE, or below RELATIVE_CUT of the best entry, are left out; ties keep file order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

from bot.config import DATA_DIR

FAQ_FILE = DATA_DIR / "faq.yaml"
MAX_ANSWER_LENGTH = 400
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
FIELDS = ("key", "question", "answer", "keywords")
# A keyword word this long also matches longer words that start with it (Indonesian suffixes: -nya, -kan, -an).
PREFIX_MIN = 5
FALLBACK_WEIGHT = 0.5
# One keyword of the other language is enough; nothing matched scores 0.
MIN_SCORE = FALLBACK_WEIGHT
# Incidental matches next to a clearly better one are not worth the participant's attention.
RELATIVE_CUT = 0.5

_ACCENTS = re.compile(r"[\u0300-\u036f]+")
_SEPARATORS = re.compile(r"[\W_]+")
_REPEATS = re.compile(r"([^\W\d_])\1+")


class FaqDefinitionError(ValueError):
    """An FAQ file that cannot be used; the message names the file and every problem in it."""


def normalise(text: str) -> str:
    """Lowercase words separated by single spaces: no accents, punctuation or repeated letters."""
    text = _ACCENTS.sub("", unicodedata.normalize("NFKD", text)).casefold()
    return _REPEATS.sub(r"\1", _SEPARATORS.sub(" ", text)).strip()


@dataclass(frozen=True, slots=True)
class FaqEntry:
    key: str
    question: Mapping[str, str]
    answer: Mapping[str, str]
    keywords: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class _Keyword:
    """One keyword of one entry in a language's index, found through its first word."""

    ident: int
    entry: int
    rest: tuple[str, ...]
    weight: float


def _fits(word: str, token: str) -> bool:
    return token == word or (len(word) >= PREFIX_MIN and token.startswith(word))


class _Index:
    """The keywords to look for in questions of one language, by their first word."""

    __slots__ = ("longest", "prefix", "whole")

    def __init__(self, weighted: Mapping[tuple[int, tuple[str, ...]], float]) -> None:
        self.whole: dict[str, list[_Keyword]] = {}
        self.prefix: dict[str, list[_Keyword]] = {}
        for ident, ((entry, words), weight) in enumerate(weighted.items()):
            first = words[0]
            table = self.prefix if len(first) >= PREFIX_MIN else self.whole
            table.setdefault(first, []).append(_Keyword(ident, entry, words[1:], weight))
        self.longest = max(map(len, self.prefix), default=0)

    def candidates(self, token: str) -> Iterator[_Keyword]:
        yield from self.whole.get(token, ())
        for end in range(PREFIX_MIN, min(len(token), self.longest) + 1):
            yield from self.prefix.get(token[:end], ())


class Faq:
    """The FAQ entries in file order, and the matcher of questions against their keywords."""

    __slots__ = ("_by_key", "_entries", "_indexes", "_languages")

    def __init__(self, entries: Sequence[FaqEntry], languages: Sequence[str]) -> None:
        self._entries = tuple(entries)
        self._languages = tuple(languages)
        self._by_key = {entry.key: entry for entry in self._entries}
        self._indexes = {language: self._index(language) for language in self._languages}

    @classmethod
    def load(cls, path: Path, languages: Sequence[str]) -> Faq:
        """Read and check the file; raises FaqDefinitionError listing everything that is wrong."""
        languages = tuple(languages)
        if not languages:
            raise FaqDefinitionError(f"{path}: no languages to check the entries against")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise FaqDefinitionError(f"{path}: cannot be read: {error}") from None
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise FaqDefinitionError(f"{path}: not valid YAML: {error}") from None
        entries, problems = _read_entries(raw, languages)
        if problems:
            raise FaqDefinitionError(f"{path}:\n" + "\n".join(f"  {problem}" for problem in problems))
        return cls(entries, languages)

    @property
    def entries(self) -> tuple[FaqEntry, ...]:
        return self._entries

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self._by_key)

    def get(self, key: str) -> FaqEntry | None:
        return self._by_key.get(key)

    def match(self, text: str, language: str, limit: int = 3) -> list[FaqEntry]:
        """The entries the question most likely asks about, best first; [] when it shares no keyword."""
        if limit <= 0:
            return []
        tokens = normalise(text).split()
        index = self._indexes.get(language) or self._indexes[self._languages[0]]
        scores: dict[int, float] = {}
        found: set[int] = set()
        for position, token in enumerate(tokens):
            for keyword in index.candidates(token):
                if keyword.ident in found or not _follows(keyword.rest, tokens, position + 1):
                    continue
                found.add(keyword.ident)
                scores[keyword.entry] = scores.get(keyword.entry, 0.0) + keyword.weight
        if not scores:
            return []
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        floor = max(MIN_SCORE, ranked[0][1] * RELATIVE_CUT)
        return [self._entries[entry] for entry, score in ranked[:limit] if score >= floor]

    def _index(self, language: str) -> _Index:
        weighted: dict[tuple[int, tuple[str, ...]], float] = {}
        for entry_number, entry in enumerate(self._entries):
            for keyword_language, keywords in entry.keywords.items():
                factor = 1.0 if keyword_language == language else FALLBACK_WEIGHT
                for keyword in keywords:
                    words = tuple(normalise(keyword).split())
                    if words:
                        slot = (entry_number, words)
                        weighted[slot] = max(weighted.get(slot, 0.0), len(words) * factor)
        return _Index(weighted)


def _follows(words: tuple[str, ...], tokens: list[str], start: int) -> bool:
    if start + len(words) > len(tokens):
        return False
    return all(_fits(word, tokens[start + offset]) for offset, word in enumerate(words))


def _read_entries(raw: object, languages: tuple[str, ...]) -> tuple[list[FaqEntry], list[str]]:
    if not isinstance(raw, list) or not raw:
        return [], [f"expected a list of entries ({', '.join(FIELDS)})"]
    entries: list[FaqEntry] = []
    problems: list[str] = []
    first_use: dict[str, int] = {}
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(f"entry {number}: expected a mapping with {', '.join(FIELDS)}")
            continue
        key = item.get("key")
        where = f"entry {number} ({key})" if isinstance(key, str) and key else f"entry {number}"
        own: list[str] = []
        unknown = sorted(str(name) for name in item if name not in FIELDS)
        if unknown:
            own.append(f"unknown field {', '.join(repr(name) for name in unknown)}")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            own.append(f"key {key!r} must be lowercase letters, digits and '_', starting with a letter")
        elif key in first_use:
            own.append(f"duplicate key {key!r}, already used by entry {first_use[key]}")
        else:
            first_use[key] = number
        question = _texts(item.get("question"), "question", languages, None, own)
        answer = _texts(item.get("answer"), "answer", languages, MAX_ANSWER_LENGTH, own)
        keywords = _keywords(item.get("keywords"), languages, own)
        problems.extend(f"{where}: {problem}" for problem in own)
        if not own and isinstance(key, str):
            entries.append(FaqEntry(key, question, answer, keywords))
    return entries, problems


def _languages_of(value: object, field: str, languages: tuple[str, ...], problems: list[str]) -> dict[str, object]:
    if not isinstance(value, dict):
        problems.append(f"{field}: expected one per language ({', '.join(languages)})")
        return {}
    unknown = sorted(str(language) for language in value if language not in languages)
    if unknown:
        problems.append(f"{field}: unknown language {', '.join(repr(u) for u in unknown)}")
    return {str(language): item for language, item in value.items() if language in languages}


def _texts(
    value: object, field: str, languages: tuple[str, ...], max_length: int | None, problems: list[str]
) -> Mapping[str, str]:
    given = _languages_of(value, field, languages, problems)
    if not given and not isinstance(value, dict):
        return MappingProxyType({})
    texts: dict[str, str] = {}
    for language in languages:
        text = given.get(language)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{field}: missing the {language!r} text")
            continue
        text = " ".join(text.split())
        if max_length is not None and len(text) > max_length:
            problems.append(f"{field}: the {language!r} text is {len(text)} characters long (at most {max_length})")
        texts[language] = text
    return MappingProxyType(texts)


def _keywords(value: object, languages: tuple[str, ...], problems: list[str]) -> Mapping[str, tuple[str, ...]]:
    given = _languages_of(value, "keywords", languages, problems)
    if not given and not isinstance(value, dict):
        return MappingProxyType({})
    keywords: dict[str, tuple[str, ...]] = {}
    for language in languages:
        words = given.get(language)
        if not isinstance(words, list) or not words:
            problems.append(f"keywords: no {language!r} keywords (expected a list of words and phrases)")
            continue
        kept: list[str] = []
        for word in words:
            text = str(word).strip() if isinstance(word, str | int) else ""
            if not normalise(text):
                problems.append(f"keywords: empty or punctuation-only {language!r} keyword {word!r}")
            elif text != text.lower():
                problems.append(f"keywords: {language!r} keyword {text!r} is not lowercase")
            elif text in kept:
                problems.append(f"keywords: {language!r} keyword {text!r} is listed twice")
            else:
                kept.append(text)
        keywords[language] = tuple(kept)
    return MappingProxyType(keywords)
