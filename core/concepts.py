"""The concept glossary: the words staff use mapped to the concepts the documents use.

Staff ask about "ChatGPT", "jobbdatorn" or a "tappad telefon"; the documents speak of a
"publik AI-tjänst", a "bärbar dator" and a "förlorad eller stulen enhet". The glossary links
the two without a language model: a question is *read* (:meth:`Glossary.read`) into the
concepts its words stand for, which retrieval adds to the search text and answerability counts
as the question's terms being present.

The organisation owns its glossary: ``data_dir/glossary.json`` when it exists (edited through
``PUT /v1/glossary``), else the default shipped in ``core/data/glossary.json``. An entry's
``words`` are matched case-insensitively on whole words, å/ä/ö folded ("jobbdatorn" and
"jobbdatorn" alike); a trailing ``*`` allows any ending ("jobbdator*").
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "glossary.json"
FILE_NAME = "glossary.json"
MAX_ENTRIES = 2000
# One character for one: offsets of the folded text are the original's.
_FOLD = str.maketrans("åäöéèüÅÄÖÉÈÜ", "aaoeeuaaoeeu")


def fold(text: str) -> str:
    """Lower case, å/ä/ö folded, same length as ``text``."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text).translate(_FOLD)


class Entry(BaseModel):
    """One concept and the words people use for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    concept: str = Field(..., min_length=2, max_length=80,
                         description="the documents' word, e.g. 'publik AI-tjänst'")  # fmt: skip
    words: tuple[str, ...] = Field(
        ..., min_length=1, max_length=60,
        description="what people type, lower case; a trailing * allows any ending",
    )  # fmt: skip
    note: str = Field("", max_length=200, description="where the documents use the concept")

    @field_validator("concept", "note")
    @classmethod
    def _one_line(cls, value: str) -> str:
        value = " ".join(value.split())
        if any(not c.isprintable() for c in value):
            raise ValueError("control characters are not allowed")
        return value

    @field_validator("words")
    @classmethod
    def _words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for w in words:
            w = " ".join(w.split()).lower()
            if not 2 <= len(w.rstrip("*")) <= 60 or not re.search(r"\w", w):
                raise ValueError(f"a word must have 2-60 characters: {w!r}")
            if "*" in w[:-1] or any(not c.isprintable() for c in w):
                raise ValueError(f"'*' only at the end, no control characters: {w!r}")
            out.append(w)
        return tuple(dict.fromkeys(out))


class GlossaryFile(BaseModel):
    """The glossary as stored (and as the API reads and writes it)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    language: Literal["sv"] = "sv"
    entries: list[Entry] = Field(default_factory=list, max_length=MAX_ENTRIES)


@dataclass(frozen=True)
class Match:
    """A word of the question read as a concept."""

    word: str  # as typed
    concept: str
    start: int
    end: int


_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class _Phrase:
    tokens: tuple[str, ...]  # folded; with ``star`` the last one is a prefix
    star: bool
    concept: str

    def matches(self, words: list[str]) -> bool:
        n = len(self.tokens)
        if len(words) < n or words[: n - 1] != list(self.tokens[:-1]):
            return False
        last = words[n - 1]
        return last.startswith(self.tokens[-1]) if self.star else last == self.tokens[-1]


class Glossary:
    """The compiled glossary: reads questions into concepts (by token lookup, so its cost
    does not grow with the number of words)."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = list(entries)
        self._exact: dict[str, list[_Phrase]] = {}
        self._prefix: dict[str, list[_Phrase]] = {}  # one-token words with a '*'
        for e in self.entries:
            for w in e.words:
                star = w.endswith("*")
                tokens = tuple(_TOKEN.findall(fold(w.rstrip("*"))))
                if not tokens:
                    continue
                phrase = _Phrase(tokens, star, e.concept)
                table = self._prefix if star and len(tokens) == 1 else self._exact
                table.setdefault(tokens[0], []).append(phrase)
        for table in (self._exact, self._prefix):
            for phrases in table.values():
                phrases.sort(key=lambda p: (-len(p.tokens), -sum(map(len, p.tokens))))

    def _candidates(self, word: str) -> list[_Phrase]:
        out = list(self._exact.get(word, []))
        for k in range(1, len(word) + 1):
            out += self._prefix.get(word[:k], [])
        return sorted(out, key=lambda p: (-len(p.tokens), -sum(map(len, p.tokens))))

    def read(self, text: str) -> list[Match]:
        """The glossary words in ``text`` (longest first, not overlapping), in text order.
        A word whose concept the text already states is not a match."""
        folded = fold(text)
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(folded)]
        words = [folded[a:b] for a, b in spans]
        out, i = [], 0
        while i < len(words):
            found = next((p for p in self._candidates(words[i]) if p.matches(words[i:])), None)
            if found is None:
                i += 1
                continue
            start, end = spans[i][0], spans[i + len(found.tokens) - 1][1]
            if fold(found.concept) not in folded:
                out.append(Match(text[start:end], found.concept, start, end))
            i += len(found.tokens)
        return out

    def as_file(self) -> GlossaryFile:
        return GlossaryFile(entries=self.entries)


def concepts(matches: list[Match]) -> list[str]:
    """The distinct concepts of ``matches``, in order."""
    return list(dict.fromkeys(m.concept for m in matches))


def expanded(text: str, matches: list[Match]) -> str:
    """``text`` with the concepts it was read as appended: what retrieval searches for."""
    found = concepts(matches)
    return f"{text} ({'; '.join(found)})" if found else text


def path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def parse(raw: str | bytes) -> GlossaryFile:
    """A glossary file's content, validated (``pydantic.ValidationError`` if not)."""
    return GlossaryFile.model_validate_json(raw)


def load(data_dir: Path) -> Glossary:
    """The organisation's glossary, else the shipped default."""
    own = path(data_dir)
    source = own if own.is_file() else DEFAULT_FILE
    return Glossary(parse(source.read_bytes()).entries)


def save(data_dir: Path, glossary: GlossaryFile) -> None:
    """Write the organisation's glossary atomically (a reader never sees half a file)."""
    target = path(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".glossary-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(glossary.model_dump(), f, ensure_ascii=False, indent=1)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
