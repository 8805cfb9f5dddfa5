"""Structure-aware chunking: one section at a time, never across section boundaries.

A chunk is a contiguous slice ``doc.text[start:end]`` of whole paragraphs from one section
(long paragraphs are cut at sentence ends). It carries the section path
("4 Informationsklassning > 4.2 Skyddsnivåer"), the section number, its pages, the legal
references it contains, and a short heading prefix (title > path) that is embedded with it.
Sizes are in the embedder's own tokens so a chunk plus its prefix fits e5's 512 tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from core.references import parse_references
from core.text.headings import SEPARATOR, section_number
from core.text.segment import split_sentences
from ingest.loaders import Block, LoadedDocument


@dataclass
class Chunk:
    text: str
    start: int
    end: int
    section_path: str
    section_number: str | None
    top_section: str | None
    heading: str
    page_start: int | None
    page_end: int | None
    refs: list[str] = field(default_factory=list)


@dataclass
class _Section:
    path: list[str]
    units: list[Block]  # heading block (if any) first, then paragraphs


def _title_level(doc: LoadedDocument) -> int | None:
    """Level of the document-title heading: a leading heading whose level no other shares."""
    first = next((b for b in doc.blocks[:3] if b.kind == "heading"), None)
    if first is None:
        return None
    same = [b for b in doc.blocks if b.kind == "heading" and b.level <= first.level]
    return first.level if len(same) == 1 else None


def _sections(doc: LoadedDocument) -> list[_Section]:
    title_level = _title_level(doc)
    stack: list[Block] = []
    sections = [_Section([], [])]
    for block in doc.blocks:
        if block.kind == "heading" and block.level == title_level:
            continue
        if block.kind == "heading":
            while stack and stack[-1].level >= block.level:
                stack.pop()
            stack.append(block)
            sections.append(_Section([h.text for h in stack], [block]))
        else:
            sections[-1].units.append(block)
    return [s for s in sections if any(u.kind == "text" for u in s.units)]


def _pieces(block: Block, budget: int, count: Callable[[str], int]) -> list[Block]:
    """A paragraph, cut at the segmenter's sentence ends (or words, as a last resort) to fit
    ``budget``."""
    if count(block.text) <= budget:
        return [block]
    starts = [s.start for s in split_sentences(block.text)[1:]]
    cuts = [0, *starts, len(block.text)]
    spans: list[tuple[int, int]] = []
    begin = 0
    for prev, cut in zip(cuts, cuts[1:], strict=False):
        if cut <= begin:
            continue
        if prev > begin and count(block.text[begin:cut]) > budget:
            spans.append((begin, prev))
            begin = prev
    spans.append((begin, len(block.text)))
    out: list[Block] = []
    for a, b in spans:
        text = block.text[a:b].rstrip()
        if count(text) > budget:  # one huge sentence: cut between words
            words = [m.span() for m in re.finditer(r"\S+", text)]
            start = 0
            for i in range(1, len(words) + 1):
                if i == len(words) or count(text[start : words[i][1]]) > budget:
                    end = words[i - 1][1]
                    out.append(_sub(block, a + start, a + end))
                    if i < len(words):
                        start = words[i][0]
        else:
            out.append(_sub(block, a, a + len(text)))
    return out


def _sub(block: Block, a: int, b: int) -> Block:
    text = block.text[a:b]
    lead = len(text) - len(text.lstrip())
    return Block(block.kind, text.strip(), block.level, block.page,
                 block.start + a + lead, block.start + a + lead + len(text.strip()))  # fmt: skip


def chunk_document(
    doc: LoadedDocument,
    title: str,
    count_tokens: Callable[[str], int],
    max_tokens: int = 380,
    min_tokens: int = 40,
) -> list[Chunk]:
    """Chunks of ``doc``, in document order."""
    chunks: list[Chunk] = []
    for section in _sections(doc):
        path = SEPARATOR.join(section.path)
        heading = SEPARATOR.join([title, *section.path]) if path else title
        budget = max(32, max_tokens - count_tokens(heading) - 4)
        groups: list[list[Block]] = [[]]
        used = 0
        for unit in section.units:
            for piece in _pieces(unit, budget, count_tokens):
                size = count_tokens(piece.text) + 1
                if groups[-1] and used + size > budget:
                    groups.append([])
                    used = 0
                groups[-1].append(piece)
                used += size
        if len(groups) > 1:
            tail = sum(count_tokens(p.text) + 1 for p in groups[-1])
            head = sum(count_tokens(p.text) + 1 for p in groups[-2])
            if tail < min_tokens and head + tail <= budget:
                groups[-2].extend(groups.pop())
        for group in groups:
            if not group or all(p.kind == "heading" for p in group):
                continue
            start, end = group[0].start, group[-1].end
            text = doc.text[start:end]
            pages = [p.page for p in group if p.page is not None]
            chunks.append(
                Chunk(
                    text=text,
                    start=start,
                    end=end,
                    section_path=path,
                    section_number=section_number(section.path[-1]) if section.path else None,
                    top_section=section.path[0] if section.path else None,
                    heading=heading,
                    page_start=min(pages) if pages else None,
                    page_end=max(pages) if pages else None,
                    refs=parse_references(f"{path}\n{text}"),
                )
            )
    return chunks
