"""Load and validate the golden question sets in ``eval/golden/*.jsonl``."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
SETS: tuple[str, ...] = ("policies", "shared")
KINDS = frozenset({"answerable", "refusal", "pii", "followup"})
STYLES = ("formal", "informal", "short", "misspelled", "english")
HALVES = ("calibration", "heldout")


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


def load_set(name: str, golden_dir: Path = GOLDEN_DIR) -> list[GoldenItem]:
    """The set ``policies`` or ``shared``."""
    if name not in SETS:
        raise GoldenError(f"unknown set {name!r} (choose from {', '.join(SETS)})")
    return load(golden_dir / f"{name}.jsonl")


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


def half(item_id: str) -> str:
    """The item's half, stable across runs and machines (CRC-32 of the id, mod 2):
    thresholds are chosen on ``"calibration"`` and reported on ``"heldout"``."""
    return HALVES[zlib.crc32(item_id.encode("utf-8")) % 2]
