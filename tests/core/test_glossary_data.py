"""The default concept glossary (core/data/glossary.json) checked against the documents.

Each entry's ``note`` names where its concept is found: "policies/src/x.md 4.3, 4.4" (a file
of the project and section numbers in it) or "corpus/folder/file" (a file of the shared
corpus); several places are separated by "; ". The concept's BM25 terms (core.sparse.terms,
the stemmed words retrieval searches for) must all occur in the places its note names.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from core.concepts import Glossary, concepts, fold, parse
from core.sparse import terms

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "core" / "data" / "glossary.json"
SHARED = ROOT.parent / "shared" / "corpus"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that would fire on most questions, or that the documents use for everything.
FORBIDDEN = _words(
    """information informationen system systemet data regler regel får jag vi man kommun
    kommunen policy policyn säkerhet it arbete jobb jobbet personal uppgift uppgifter fråga hur
    vad när dokument dokumentet användare anställd medarbetare chef tjänst tjänsten"""
)
HEADING = re.compile(r"^(#{1,6})\s+(\d+(?:\.\d+)*)\.?\s", re.M)


@cache
def raw() -> dict:
    return json.loads(GLOSSARY.read_text(encoding="utf-8"))


def entries() -> list[dict]:
    return raw()["entries"]


def references(entry: dict) -> list[tuple[str, list[str]]]:
    """(path as written, section numbers) of each place the entry's note names."""
    out = []
    for part in entry["note"].split(";"):
        path, _, sections = part.strip().partition(" ")
        out.append((path, [s for s in re.split(r"[,/\s]+", sections) if s]))
    return out


def sections(text: str) -> dict[str, str]:
    """Numbered Markdown sections: "4.4" → its text with its subsections."""
    heads = list(HEADING.finditer(text))
    out = {}
    for i, head in enumerate(heads):
        number, end = head.group(2), len(text)
        for later in heads[i + 1 :]:
            if not later.group(2).startswith(number + "."):
                end = later.start()
                break
        out[number] = text[head.start() : end]
    return out


@cache
def document_text(path: str) -> str:
    """The text of a project file ("policies/…") or a shared corpus file ("corpus/…")."""
    if path.startswith("corpus/"):
        file = SHARED / path.removeprefix("corpus/")
        if file.suffix.lower() in (".md", ".txt"):
            return file.read_text(encoding="utf-8")
        from ingest.reading import load

        return load(file).text
    return (ROOT / path).read_text(encoding="utf-8")


def place_terms(path: str, numbers: list[str]) -> set[str]:
    text = document_text(path)
    if not numbers:
        return set(terms(text))
    found = sections(text)
    missing = [n for n in numbers if n not in found]
    assert not missing, f"{path} has no section {missing}"
    return {t for n in numbers for t in terms(found[n])}


def missing_terms(entry: dict, corpus: bool) -> list[str] | None:
    """The concept's terms not found in the entry's places of one kind (None: no such place)."""
    places = [(p, n) for p, n in references(entry) if p.startswith("corpus/") == corpus]
    if not places:
        return None
    have: set[str] = set()
    for path, numbers in places:
        have |= place_terms(path, numbers)
    return sorted(set(terms(entry["concept"])) - have)


# --- the file -----------------------------------------------------------------------------
def test_the_file_is_a_glossary_of_at_least_150_concepts() -> None:
    data = raw()
    assert set(data) == {"version", "language", "entries"}
    assert (data["version"], data["language"]) == (1, "sv")
    assert all(set(e) == {"concept", "words", "note"} for e in entries())
    assert len(parse(GLOSSARY.read_bytes()).entries) == len(entries()) >= 150


def test_no_concept_twice() -> None:
    seen = [fold(e["concept"]) for e in entries()]
    assert sorted({c for c in seen if seen.count(c) > 1}) == []


def test_words_are_lower_case_specific_and_well_formed() -> None:
    bad = []
    for e in entries():
        assert e["words"], e["concept"]
        for w in e["words"]:
            stem = w.rstrip("*")
            if (
                w != w.lower()
                or w != " ".join(w.split())
                or "*" in stem
                or len(stem) < 2
                or stem in FORBIDDEN
                or not terms(stem)
            ):
                bad.append((e["concept"], w))
    assert bad == []


def test_no_word_under_two_concepts() -> None:
    """Spelled alike once folded ("lösen" and "losen", "chat gpt" and "chat-gpt"), a word
    belongs to one concept."""
    owner: dict[str, set[str]] = {}
    for e in entries():
        for w in e["words"]:
            owner.setdefault(re.sub(r"[\s-]+", "", fold(w)), set()).add(e["concept"])
    assert {w: c for w, c in owner.items() if len(c) > 1} == {}


def test_each_word_reads_as_its_own_concept() -> None:
    """As the assistant reads a question: no word is caught by another concept's word
    ("mejl*" would take "mejlförfalskning"), and none is dead because it already contains its
    concept ("lösenordet" under "lösenord")."""
    glossary = Glossary(parse(GLOSSARY.read_bytes()).entries)
    wrong, dead = [], []
    for e in entries():
        for w in e["words"]:
            read = concepts(glossary.read(w.rstrip("*")))
            if not read:
                dead.append((e["concept"], w))
            elif read != [e["concept"]]:
                wrong.append((e["concept"], w, read))
    assert (wrong, dead) == ([], [])


def test_no_word_is_another_entrys_concept() -> None:
    """A one-word entry whose stem is another entry's concept would send questions there."""
    by_terms = {tuple(terms(e["concept"])): e["concept"] for e in entries()}
    clashes = []
    for e in entries():
        for w in e["words"]:
            other = by_terms.get(tuple(terms(w.rstrip("*")))) if " " not in w else None
            if other and other != e["concept"]:
                clashes.append((e["concept"], w, other))
    assert clashes == []


def test_staff_words_read_as_the_documents_concepts() -> None:
    glossary = Glossary(parse(GLOSSARY.read_bytes()).entries)
    cases = {
        "Får jag använda ChatGPT för att skriva ett beslut?": ["publik AI-tjänst"],
        "Jag har tappat jobbdatorn på tåget": [
            "förlorad eller stulen enhet",
            "bärbar dator",
            "allmänna platser",
        ],
        "Får jag mejla ett personnr?": ["e-post", "personnummer"],
        "Kan jag spara filer på en usb-sticka?": ["USB-minnen"],
        "Får jag jobba hemifrån via wifi?": ["arbete på distans", "trådlösa nät"],
        "Vad gäller om jag tar med laptopen på semester utomlands?": [
            "bärbar dator",
            "utlandsresor",
        ],
        "Jag klickade på länken i ett phishingmejl": ["klickat på en länk", "nätfiske"],
        "Kan vi lägga filerna i Dropbox eller Google Drive?": ["privata molnlagringstjänster"],
    }
    for question, expected in cases.items():
        assert concepts(glossary.read(question)) == expected, question


# --- the documents ------------------------------------------------------------------------
def test_every_note_names_existing_places() -> None:
    for e in entries():
        refs = references(e)
        assert refs, e["concept"]
        for path, _ in refs:
            assert path.startswith(("policies/", "corpus/")), (e["concept"], path)
            if path.startswith("policies/"):
                assert (ROOT / path).is_file(), path


def test_concepts_occur_where_their_notes_say_in_policies() -> None:
    """Always checked: every concept whose note points to policies/ is found there, in the
    sections named."""
    checked, bad = 0, {}
    for e in entries():
        missing = missing_terms(e, corpus=False)
        if missing is not None:
            checked += 1
            if missing:
                bad[e["concept"]] = missing
    assert bad == {}
    assert checked >= 150


def test_concepts_occur_where_their_notes_say_in_the_shared_corpus(shared_corpus: Path) -> None:
    bad = {}
    for e in entries():
        for path, _ in references(e):
            if path.startswith("corpus/"):
                assert (shared_corpus / path.removeprefix("corpus/")).is_file(), path
        missing = missing_terms(e, corpus=True)
        if missing:
            bad[e["concept"]] = missing
    assert bad == {}


def test_every_concept_is_found_in_a_document() -> None:
    """A concept with no place in policies/ must have one in the shared corpus (checked above
    when the corpus is present)."""
    only_corpus = [e["concept"] for e in entries() if missing_terms(e, corpus=False) is None]
    for concept in only_corpus:
        entry = next(e for e in entries() if e["concept"] == concept)
        assert any(p.startswith("corpus/") for p, _ in references(entry)), concept
    assert len(only_corpus) < len(entries()) / 5
