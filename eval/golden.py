"""Load and validate the golden question sets in ``eval/golden/*.jsonl``, and split them
into a calibration half and a held-back half."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
KINDS = frozenset({"answerable", "refusal", "pii", "followup"})
STYLES = ("formal", "informal", "short", "misspelled", "english")
HALVES = ("calibration", "heldout")
VERDICTS = frozenset({"ja", "nej", "villkor"})  # what the document says to a yes/no question
ASKS = frozenset({"who", "time", "amount"})  # what kind of fact the question asks for
# A set with at least this many distinct expected documents is split by document (every item
# about a document in the same half), a smaller one by item.
DOCUMENT_SPLIT_MIN = 6


@dataclass(frozen=True)
class GoldenSet:
    """A golden set: its file ``eval/golden/<name>.jsonl`` and the corpus it is asked over
    (``policies``: policies/; ``shared``: the staged shared corpus; ``public3``:
    ``shared/corpus/sv_public_3``; see ``eval/corpus.py``). ``held_back``: every item is in
    the held-back half (never used for calibration)."""

    name: str
    corpus: str
    held_back: bool = False

    def path(self, golden_dir: Path = GOLDEN_DIR) -> Path:
        return golden_dir / f"{self.name}.jsonl"


REGISTRY: dict[str, GoldenSet] = {
    s.name: s
    for s in (
        GoldenSet("policies", "policies"),
        GoldenSet("everyday", "policies"),
        GoldenSet("shared", "shared"),
        GoldenSet("everyday_shared", "shared"),
        GoldenSet("public3", "public3", held_back=True),
    )
}
SETS: tuple[str, ...] = tuple(REGISTRY)
HELD_BACK_SETS = frozenset(name for name, s in REGISTRY.items() if s.held_back)


class GoldenError(ValueError):
    """A golden file does not follow the schema in ``eval/golden/README.md``."""


@dataclass(frozen=True)
class Expected:
    """One acceptable source; ``section`` is None when any section of the document counts."""

    document: str
    section: str | None = None

    def matches(self, document: str, section: str | None) -> bool:
        """True if a passage of ``document`` in ``section`` lies inside this source.

        A section covers its subsections (golden README): expected "4" accepts "4.2".
        """
        if document != self.document:
            return False
        if self.section is None:
            return True
        return section is not None and (
            section == self.section or section.startswith(self.section + ".")
        )


@dataclass(frozen=True)
class GoldenItem:
    """One golden question."""

    id: str
    kind: str
    question: str
    style: str
    expected: tuple[Expected, ...] = ()
    key_phrase: str | None = None
    pii_types: tuple[str, ...] = ()
    pii_values: tuple[str, ...] = ()
    history: tuple[tuple[str, str], ...] = ()  # (role, content)
    verdict: str | None = None  # "ja" | "nej" | "villkor"
    asks: str | None = None  # "who" | "time" | "amount"
    half: str | None = None  # assigned by load_set (see split)

    @property
    def should_refuse(self) -> bool:
        """Refusal items and PII items without a source (e.g. "who lives at …?")."""
        return not self.expected

    def is_relevant(self, document: str, section: str | None) -> bool:
        """True if the passage (document, section) is one of the expected sources."""
        return any(e.matches(document, section) for e in self.expected)


def parse_item(obj: dict, where: str = "") -> GoldenItem:
    """One JSON object → ``GoldenItem``; raises ``GoldenError`` on schema violations."""

    def fail(msg: str) -> GoldenError:
        return GoldenError(f"{where}{obj.get('id', '?')}: {msg}")

    for key in ("id", "kind", "question", "style"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise fail(f"missing or empty {key!r}")
    if obj["kind"] not in KINDS:
        raise fail(f"unknown kind {obj['kind']!r}")
    if obj["style"] not in STYLES:
        raise fail(f"unknown style {obj['style']!r}")
    expected = tuple(
        Expected(str(e["document"]), str(e["section"]) if e.get("section") else None)
        for e in obj.get("expected") or []
    )
    if obj["kind"] in ("answerable", "followup") and not expected:
        raise fail(f"{obj['kind']} item without 'expected'")
    if obj["kind"] == "refusal" and expected:
        raise fail("refusal item with 'expected'")
    history = tuple((str(t["role"]), str(t["content"])) for t in obj.get("history") or [])
    if obj["kind"] == "followup" and not history:
        raise fail("followup item without 'history'")
    if any(role not in ("user", "assistant") for role, _ in history):
        raise fail("history roles must be 'user' or 'assistant'")
    pii_values = tuple(obj.get("pii_values") or [])
    if obj["kind"] == "pii" and not (pii_values and obj.get("pii_types")):
        raise fail("pii item without 'pii_types'/'pii_values'")
    if any(v not in obj["question"] for v in pii_values):
        raise fail("a pii_value is not a substring of the question")
    verdict, asks = obj.get("verdict"), obj.get("asks")
    if verdict is not None and verdict not in VERDICTS:
        raise fail(f"unknown verdict {verdict!r} (choose from {', '.join(sorted(VERDICTS))})")
    if verdict is not None and not expected:
        raise fail("'verdict' on an item without 'expected' (no document answers it)")
    if asks is not None and asks not in ASKS:
        raise fail(f"unknown asks {asks!r} (choose from {', '.join(sorted(ASKS))})")
    return GoldenItem(
        id=obj["id"],
        kind=obj["kind"],
        question=obj["question"],
        style=obj["style"],
        expected=expected,
        key_phrase=obj.get("key_phrase") or None,
        pii_types=tuple(obj.get("pii_types") or []),
        pii_values=pii_values,
        history=history,
        verdict=verdict,
        asks=asks,
    )


def load(path: Path) -> list[GoldenItem]:
    """All items of a JSONL file, validated (unique ids)."""
    items: list[GoldenItem] = []
    seen: set[str] = set()
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldenError(f"{path.name}:{no}: invalid JSON ({exc.msg})") from None
        item = parse_item(obj, f"{path.name}:{no}: ")
        if item.id in seen:
            raise GoldenError(f"{path.name}:{no}: duplicate id {item.id}")
        seen.add(item.id)
        items.append(item)
    return items


def golden_set(name: str) -> GoldenSet:
    """The registered set ``name``; raises ``GoldenError`` for an unknown name."""
    if name not in REGISTRY:
        raise GoldenError(f"unknown set {name!r} (choose from {', '.join(SETS)})")
    return REGISTRY[name]


def missing_file(name: str, golden_dir: Path = GOLDEN_DIR) -> Path | None:
    """The set's file if it does not exist (the set is then skipped), else None."""
    path = golden_set(name).path(golden_dir)
    return None if path.is_file() else path


def load_set(name: str, golden_dir: Path = GOLDEN_DIR) -> list[GoldenItem]:
    """The items of a registered set, each with its ``half`` (:func:`split`)."""
    items = load(golden_set(name).path(golden_dir))
    how = split(name, items)
    return [replace(i, half=half(i, by_document=how == "document", held_back=how == "set"))
            for i in items]  # fmt: skip


def select(
    items: list[GoldenItem], kinds: set[str] | None = None, limit: int | None = None
) -> list[GoldenItem]:
    """Items of the given kinds; with ``limit``, that many spread evenly over the file.

    Deterministic, and a subset covers every document and kind rather than only the first
    (the file is grouped by document).
    """
    chosen = [i for i in items if not kinds or i.kind in kinds]
    if not limit or limit >= len(chosen):
        return chosen
    return [chosen[i * len(chosen) // limit] for i in range(limit)]


def documents(items: Iterable[GoldenItem]) -> set[str]:
    """The distinct expected documents of ``items``."""
    return {e.document for item in items for e in item.expected}


def split(name: str, items: list[GoldenItem]) -> str:
    """How a set is split: ``"set"`` (a held-back set: every item held back), ``"document"``
    (≥ ``DOCUMENT_SPLIT_MIN`` distinct documents: by the first expected document) or
    ``"item"`` (by item id)."""
    if golden_set(name).held_back:
        return "set"
    return "document" if len(documents(items)) >= DOCUMENT_SPLIT_MIN else "item"


def half(item: GoldenItem | str, by_document: bool = False, held_back: bool = False) -> str:
    """The half of an item (or of an item id), stable across runs and machines: CRC-32 mod 2
    of the id — or, ``by_document``, of the item's first expected document, so that every
    item about a document lands in the same half (items without one, refusals, by their id).
    ``held_back``: always ``"heldout"``. Thresholds are chosen on ``"calibration"`` and
    reported on ``"heldout"``."""
    if held_back:
        return "heldout"
    if isinstance(item, str):
        key = item
    else:
        key = item.expected[0].document if by_document and item.expected else item.id
    return HALVES[zlib.crc32(key.encode("utf-8")) % 2]


def split_sizes(items: list[GoldenItem]) -> dict[str, dict[str, int]]:
    """Items and distinct documents per half (items carry their ``half``; unassigned ones
    count by id)."""
    out = {}
    for name in HALVES:
        part = [i for i in items if (i.half or half(i)) == name]
        out[name] = {"items": len(part), "documents": len(documents(part))}
    return out
