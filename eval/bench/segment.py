"""Sentence segmenter benchmark: wrong and missed sentence ends per library, µs per call.

    python -m eval.bench.segment [--corpus ../shared/corpus] [--show 5]

Texts: the Swedish statutes (``sfs_sv/*.json``, one text per paragraf), MSB's method support
and more municipal documents (``msb_metodstod_sv/*.md``, ``kommun_sv_more/*.md``) and our
``policies/src/*.md``, loaded as ingestion loads them. Every candidate sees the same
paragraphs (``core.text.segment._blocks``) and only decides the sentence ends inside them.

A proposed end is *wrong* when the next sentence starts in lower case, when it follows a
Swedish abbreviation that does not end sentences (``t.ex.``, ``bl.a.``; ``kap.``, ``st.``,
``p.``, ``nr``, ``prop.`` before a number) or when it falls inside a reference ("6 kap. 2 §",
"artikel 6.1 e"). An end is *missed* when a lower-case word of three letters or more (not an
abbreviation) ends in ``.!?`` before a capital and no sentence ends there. Both are rules,
not a hand-labelled gold standard (the old regex misses nothing by construction).
Candidates: the old regex, sentencex and sentence-splitter (Moses non-breaking prefixes),
each raw and with the Swedish vetoes of :func:`core.text.segment.joined`; the last line is
``split_sentences`` itself.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import sentencex

from core import cli
from core.text.segment import _blocks, joined, split_sentences
from ingest.reading import load

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def words(text: str) -> set[str]:
    return set(text.split())


# Abbreviations the brief of issue 11 lists, as the judge of wrong ends (independent of
# the segmenter's own tables): never final / final only before a capital / before a number.
NEVER = words(
    "t.ex. t.ex bl.a. s.k. dvs. d.v.s. jfr jfr. enl. resp. inkl. exkl. fr.o.m. t.o.m. ca. ang. f.d."
)
MAYBE = words("m.m. m.fl. osv. o.s.v. o.d. etc.")
BEFORE_NUMBER = words("kap. st. p. art. nr. nr prop. s. sfs")
ALL = NEVER | MAYBE | BEFORE_NUMBER
REFERENCE = re.compile(
    r"\d+\s*[a-z]?\s*kap\.\s+\d+\s*[a-z]?\s*§|\b(?:artikel|art\.)\s+\d+(?:\.\d+)*(?:\s[a-z]\b)?",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[a-zåäö]{3}[.!?])\s+(?=[\"'„(]?[A-ZÅÄÖ])")
OLD_REGEX = re.compile(r"(?<=[.!?])\s+(?=[\"'„(A-ZÅÄÖ0-9])")

Cuts = Callable[[str], list[int]]


def texts(corpus: Path) -> Iterator[tuple[str, str]]:
    """(group, text) of every statute paragraf and Markdown document."""
    for path in sorted((corpus / "sfs_sv").glob("*.json")):
        for p in json.loads(path.read_text(encoding="utf-8")).get("provisions", []):
            if p.get("content"):
                yield "sfs_sv", p["content"]
    md = [(g, p) for g in ("msb_metodstod_sv", "kommun_sv_more") for p in (corpus / g).glob("*.md")]
    md += [("policies", p) for p in (ROOT / "policies" / "src").glob("*.md")]
    for group, path in sorted(md):
        if path.name not in ("PROVENANCE.md", "README.md"):
            yield group, load(path).text  # as ingested: Markdown rendered to text


def old_regex(block: str) -> list[int]:
    return [m.end() for m in OLD_REGEX.finditer(block)]


def sentencex_raw(block: str) -> list[int]:
    bounds = sentencex.get_sentence_boundaries("sv", block.replace("\n", " "))
    return [b["end_index"] for b in bounds[:-1]]


def moses_cuts() -> Cuts | None:
    """sentence-splitter's sentences mapped back onto the paragraph (it collapses spaces)."""
    try:
        from sentence_splitter import SentenceSplitter
    except ImportError:
        return None
    splitter = SentenceSplitter(language="sv")

    def cuts(block: str) -> list[int]:
        flat = block.replace("\n", " ")
        nonspace = [i for i, ch in enumerate(flat) if not ch.isspace()]
        out, k = [], 0
        for sentence in splitter.split(flat)[:-1]:
            k += sum(not ch.isspace() for ch in sentence)
            end = nonspace[k - 1] + 1
            while end < len(flat) and flat[end].isspace():
                end += 1
            out.append(end)
        return out

    return cuts


def vetoed(cuts: Cuts) -> Cuts:
    return lambda block: [c for c in cuts(block) if not joined(block, c)]


def verdict(block: str, cut: int) -> str | None:
    """Why the sentence end at ``cut`` is wrong, or None."""
    after = block[cut:].lstrip()
    if not after:
        return None
    token = (block[:cut].split() or [""])[-1].lstrip("(\"'„").lower()
    if any(m.start() < cut < m.end() for m in REFERENCE.finditer(block)):
        return "reference"
    if after[0].islower():
        return "lower-case start"
    if token in NEVER or (token in BEFORE_NUMBER and after[0].isdigit()):
        return "abbreviation"
    return None


def missed(block: str, cuts: list[int]) -> list[int]:
    found = set(cuts)
    out = []
    for m in SENTENCE_END.finditer(block):
        token = block[: m.start()].split()[-1].lower()
        if token not in ALL and m.end() not in found:
            out.append(m.end())
    return out


def evaluate(name: str, cuts: Cuts, blocks: list[tuple[str, str]], show: int) -> None:
    wrong: Counter[str] = Counter()
    by_group: Counter[str] = Counter()
    n_cuts = n_missed = 0
    examples: list[str] = []
    for group, block in blocks:
        found = cuts(block)
        n_cuts += len(found)
        for c in found:
            why = verdict(block, c)
            if why:
                wrong[why] += 1
                by_group[group] += 1
                if len(examples) < show:
                    examples.append(f"    {why}: …{block[max(0, c - 40) : c]}|{block[c : c + 30]}…")
        n_missed += len(missed(block, found))
    detail = ", ".join(f"{k} {v}" for k, v in sorted(wrong.items()))
    groups = ", ".join(f"{k} {v}" for k, v in sorted(by_group.items()))
    print(f"{name:34} ends {n_cuts:5}  wrong {sum(wrong.values()):4} ({detail or '-'})")
    print(f"{'':34} missed {n_missed:4}   wrong by corpus: {groups or '-'}")
    for line in examples:
        print(line)


def passages(all_texts: list[tuple[str, str]], size: int = 1200) -> list[str]:
    """Passage-sized pieces (≈ a chunk) of every text, cut at blank lines."""
    out: list[str] = []
    for _, text in all_texts:
        current = ""
        for para in text.split("\n\n"):
            if current and len(current) + len(para) > size:
                out.append(current)
                current = ""
            current = f"{current}\n\n{para}" if current else para
        if current.strip():
            out.append(current)
    return out


def timing(pieces: list[str], rounds: int) -> None:
    """µs per ``split_sentences`` call on passage-sized texts."""
    for p in pieces[:50]:
        split_sentences(p)  # warm-up
    times = []
    for _ in range(rounds):
        for p in pieces:
            t0 = time.perf_counter()
            split_sentences(p)
            times.append(time.perf_counter() - t0)
    q = statistics.quantiles(times, n=20)
    print(
        f"split_sentences: median {statistics.median(times) * 1e6:.0f} µs, "
        f"mean {statistics.fmean(times) * 1e6:.0f} µs, p95 {q[-1] * 1e6:.0f} µs per passage "
        f"(n={len(pieces)}, mean {statistics.fmean(map(len, pieces)):.0f} chars)"
    )


def build_parser() -> cli.Parser:
    parser = cli.Parser(prog="python -m eval.bench.segment", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--show", type=int, default=0, help="examples of wrong ends")
    parser.add_argument("--rounds", type=int, default=3)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    all_texts = list(texts(args.corpus))
    blocks = [(g, t[a:b]) for g, t in all_texts for a, b in _blocks(t) if t[a:b].strip()]
    chars = sum(len(t) for _, t in all_texts)
    print(f"{len(all_texts)} texts, {len(blocks)} paragraphs, {chars} chars")
    candidates: list[tuple[str, Cuts]] = [("old regex", old_regex), ("sentencex", sentencex_raw)]
    moses = moses_cuts()
    if moses is None:
        print("sentence-splitter is not installed: pip install sentence-splitter to compare")
    else:
        candidates.append(("sentence-splitter", moses))
    for name, cuts in list(candidates):
        candidates.append((f"{name} + Swedish vetoes", vetoed(cuts)))
    for name, cuts in candidates:
        evaluate(name, cuts, blocks, args.show)
    spans_cuts: Cuts = lambda block: [s.start for s in split_sentences(block)[1:]]  # noqa: E731
    evaluate("split_sentences", spans_cuts, blocks, args.show)

    pieces = passages(all_texts)
    for name, cuts in candidates[:3]:
        t0 = time.perf_counter()
        for p in pieces:
            for a, b in _blocks(p):
                cuts(p[a:b])
        us = (time.perf_counter() - t0) / len(pieces) * 1e6
        print(f"{name} raw: {us:.0f} µs per passage")
    timing(pieces, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
