"""The golden set registry, the optional ``verdict``/``asks`` keys, and the calibration /
held-back split: by document for sets with many documents (every item about a document in
the same half), by item for the four-document policies sets, the whole ``public3`` set held
back — and python -m eval.calibrate never using a held-back set."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from eval import calibrate, golden, runner, thresholds
from eval.corpus import SHARED_CORPUS, present

EVAL = importlib.import_module("eval.__main__")


def item(id: str, *documents: str, kind: str = "answerable") -> golden.GoldenItem:
    obj = {"id": id, "kind": kind, "question": "Fråga?", "style": "formal",
           "expected": [{"document": d} for d in documents]}  # fmt: skip
    return golden.parse_item(obj)


def write_set(folder: Path, name: str, items: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(i, ensure_ascii=False) for i in items]
    (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def many_documents(n_docs: int = 8, per_doc: int = 5) -> list[dict]:
    out = [
        {"id": f"x-{d}-{i}", "kind": "answerable", "question": f"Fråga {d} {i}?",
         "style": "formal", "expected": [{"document": f"dok-{d}-md"}]}
        for d in range(n_docs) for i in range(per_doc)
    ]  # fmt: skip
    out += [{"id": f"ref-{i}", "kind": "refusal", "question": f"Nej {i}?", "style": "short"}
            for i in range(20)]  # fmt: skip
    return out


# --- the registry -----------------------------------------------------------------------------


def test_the_registry_names_every_set_and_its_corpus():
    assert golden.SETS == ("policies", "everyday", "shared", "everyday_shared", "public3")
    corpora = {name: s.corpus for name, s in golden.REGISTRY.items()}
    assert corpora == {"policies": "policies", "everyday": "policies", "shared": "shared",
                       "everyday_shared": "shared", "public3": "public3"}  # fmt: skip
    assert frozenset({"public3"}) == golden.HELD_BACK_SETS
    with pytest.raises(golden.GoldenError, match="unknown set"):
        golden.load_set("everything")
    args = EVAL.build_parser().parse_args(["--set", "everyday_shared"])
    assert args.set == "everyday_shared"


def test_a_missing_set_file_skips_the_set(tmp_path: Path):
    write_set(tmp_path, "policies", many_documents(2, 2))
    assert golden.missing_file("policies", tmp_path) is None
    assert golden.missing_file("everyday", tmp_path) == tmp_path / "everyday.jsonl"
    note = EVAL.skip_reason("everyday", SHARED_CORPUS, tmp_path)
    assert note == f"{tmp_path / 'everyday.jsonl'} does not exist"
    assert EVAL.skip_reason("policies", SHARED_CORPUS, tmp_path) is None


def test_sets_over_an_absent_corpus_are_skipped(tmp_path: Path):
    empty = tmp_path / "shared"
    empty.mkdir()
    for name in ("shared", "everyday_shared"):
        write_set(tmp_path, name, many_documents(1, 1))
        assert EVAL.skip_reason(name, empty, tmp_path) == f"{empty} is absent"
    write_set(tmp_path, "public3", many_documents(1, 1))
    (empty / "other").mkdir()  # ../shared is there, sv_public_3 is not
    assert EVAL.skip_reason("public3", empty, tmp_path) == f"{empty / 'sv_public_3'} is absent"


# --- verdict and asks ---------------------------------------------------------------------------


BASE = {"id": "x-1", "kind": "answerable", "question": "Får jag?", "style": "informal",
        "expected": [{"document": "d-md"}]}  # fmt: skip


def test_verdict_and_asks_are_parsed_and_validated():
    parsed = golden.parse_item(BASE | {"verdict": "villkor", "asks": "who"})
    assert (parsed.verdict, parsed.asks) == ("villkor", "who")
    assert golden.parse_item(BASE).verdict is None and golden.parse_item(BASE).asks is None
    with pytest.raises(golden.GoldenError, match="unknown verdict 'kanske'"):
        golden.parse_item(BASE | {"verdict": "kanske"})
    with pytest.raises(golden.GoldenError, match="unknown asks 'where'"):
        golden.parse_item(BASE | {"asks": "where"})
    refusal = {"id": "ref-1", "kind": "refusal", "question": "Får jag?", "style": "informal"}
    with pytest.raises(golden.GoldenError, match="'verdict' on an item without 'expected'"):
        golden.parse_item(refusal | {"verdict": "ja"})
    assert golden.parse_item(refusal | {"asks": "time"}).asks == "time"  # a refused when-question


def test_records_carry_verdict_asks_and_half(tmp_path: Path):
    write_set(tmp_path, "public3", [BASE | {"verdict": "ja", "asks": "who"}])
    (held,) = golden.load_set("public3", tmp_path)
    record = runner.item_record(held)
    assert (record["verdict"], record["asks"], record["half"]) == ("ja", "who", "heldout")
    plain = runner.item_record(golden.parse_item(BASE))
    assert plain["verdict"] is None and plain["asks"] is None
    assert plain["half"] == golden.half("x-1")  # loaded without its set: by id
    json.dumps(record)


# --- the split --------------------------------------------------------------------------------


def test_items_about_the_same_document_share_a_half(tmp_path: Path):
    write_set(tmp_path, "shared", many_documents())
    items = golden.load_set("shared", tmp_path)
    assert golden.split("shared", items) == "document"
    by_doc: dict[str, set[str]] = {}
    for i in items:
        if i.expected:
            by_doc.setdefault(i.expected[0].document, set()).add(i.half)
    assert all(len(halves) == 1 for halves in by_doc.values()), by_doc
    assert {h for halves in by_doc.values() for h in halves} == set(golden.HALVES)
    # the half follows the first document, not the id; refusals go by their id
    a, b = item("a-1", "dok-3-md", "dok-5-md"), item("zz-99", "dok-3-md")
    assert golden.half(a, by_document=True) == golden.half(b, by_document=True)
    assert golden.half(a, by_document=True) == golden.half("dok-3-md")
    refusal = item("ref-7", kind="refusal")
    assert golden.half(refusal, by_document=True) == golden.half("ref-7")
    sizes = golden.split_sizes(items)
    assert sum(s["items"] for s in sizes.values()) == len(items)
    assert sum(s["documents"] for s in sizes.values()) == 8


def test_a_set_with_few_documents_is_split_by_item(tmp_path: Path):
    write_set(tmp_path, "everyday", many_documents(4, 10))
    items = golden.load_set("everyday", tmp_path)
    assert golden.split("everyday", items) == "item"
    assert all(i.half == golden.half(i.id) for i in items)
    halves = {i.half for i in items if i.expected[:1] and i.expected[0].document == "dok-0-md"}
    assert halves == set(golden.HALVES)  # one document's items in both halves


def test_public3_is_held_back_as_a_whole(tmp_path: Path):
    write_set(tmp_path, "public3", many_documents())
    items = golden.load_set("public3", tmp_path)
    assert golden.split("public3", items) == "set"
    assert {i.half for i in items} == {"heldout"}
    assert golden.split_sizes(items)["calibration"] == {"items": 0, "documents": 0}


def test_the_golden_sets_are_split_as_documented():
    for name in golden.SETS:
        if golden.missing_file(name):
            continue
        items = golden.load_set(name)
        how = golden.split(name, items)
        assert how == {"policies": "item", "everyday": "item", "shared": "document",
                       "everyday_shared": "document", "public3": "set"}[name]  # fmt: skip
        share = sum(i.half == "heldout" for i in items) / len(items)
        if how == "set":
            assert share == 1.0
        elif how == "item":
            assert 0.4 <= share <= 0.6, (name, share)
        else:  # whole documents: less even, but both halves have several
            sizes = golden.split_sizes(items)
            assert min(s["documents"] for s in sizes.values()) >= 3, (name, sizes)
            assert 0.25 <= share <= 0.75, (name, share)


def test_heldout_metrics_follow_the_records_half():
    def rec(id: str, half: str, **kw) -> dict:
        base = {"id": id, "half": half, "kind": "answerable", "should_refuse": False,
                "refused": False, "band": "answered", "cited_relevant": [True],
                "key_phrase": None, "key_phrase_hit": None, "fact_hit": None, "sentences": [],
                "mode": "extractive", "answer_words": 5}  # fmt: skip
        return base | kw

    refuse = {"kind": "refusal", "should_refuse": True, "cited_relevant": []}
    # ids whose own CRC would put them in the other half: the record's half decides
    records = [rec(i, "heldout") for i in ("a", "b")] + [rec("c", "heldout", **refuse)]
    records += [rec("d", "calibration", refused=True, band="refused")]
    m = runner.with_heldout({"heldout.stale": 1.0, "n.items": 4.0}, records)
    assert "heldout.stale" not in m and m["n.items"] == 4.0
    assert m["heldout.n.items"] == 3
    assert m["heldout.band.unanswerable_answered"] == 1.0
    assert m["heldout.band.answerable_refused"] == 0.0
    assert runner.with_heldout({}, records[3:])["heldout.n.items"] == 0.0


# --- gates and calibration ------------------------------------------------------------------------


def test_a_set_without_a_table_is_reported_not_gated():
    gates = thresholds.load()
    assert not {"everyday", "everyday_shared", "public3"} & set(gates)
    results = {"policies": {"retrieval.hybrid.hit@5": 0.95}, "public3": {"answer.fact": 0.0},
               "everyday": {}}  # fmt: skip
    failures = thresholds.check_all(results, gates, require_all=True)
    assert not [f for f in failures if f.startswith(("public3", "everyday"))]
    assert thresholds.ungated(results, gates) == ["public3", "everyday"]


def test_calibration_skips_held_back_sets(tmp_path: Path, capsys):
    signals = {k: 0.5 for k in calibrate.FEATURES}

    def rec(set_name: str, i: int, half: str) -> str:
        signal = {k: v + i / 100 for k, v in signals.items()}
        return json.dumps({"set": set_name, "id": f"{set_name}-{i}", "half": half,
                           "should_refuse": i % 3 == 0, "answerability": signal})  # fmt: skip

    lines = [rec("public3", i, "heldout") for i in range(7)]
    lines += [rec("shared", i, ("calibration", "heldout")[i % 2]) for i in range(24)]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    held: dict[str, int] = {}
    rows = calibrate.load([path], held)
    assert held == {"public3": 7} and {r["set"] for r in rows} == {"shared"}
    assert calibrate.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "skipped 7 records of the held-back set public3 (never used for calibration)" in out


# --- public3.jsonl ------------------------------------------------------------------------------


PUBLIC3 = golden.REGISTRY["public3"].path()


@pytest.mark.skipif(not PUBLIC3.is_file(), reason="eval/golden/public3.jsonl not written yet")
def test_public3_follows_its_brief():
    items = golden.load_set("public3")
    answerable = [i for i in items if i.kind == "answerable"]
    refusals = [i for i in items if i.kind == "refusal"]
    assert len(items) >= 40 and len(answerable) >= 30 and len(refusals) >= 10
    per_doc: dict[str, int] = {}
    for i in answerable:
        assert i.id.startswith("p3-") and not i.id.startswith("p3-ref-"), i.id
        assert i.key_phrase and 1 <= len(i.key_phrase.split()) <= 4, i.id
        assert all(e.section is None for e in i.expected), i.id
        per_doc[i.expected[0].document] = per_doc.get(i.expected[0].document, 0) + 1
    assert all(i.id.startswith("p3-ref-") for i in refusals)
    assert len(per_doc) >= 10 and all(2 <= n <= 4 for n in per_doc.values()), per_doc
    assert {i.asks for i in answerable} >= {"who", "time"}
    assert sum(i.verdict is not None for i in answerable) >= 5
    assert {i.style for i in items} >= {"formal", "informal"}


@pytest.mark.slow
@pytest.mark.skipif(not PUBLIC3.is_file(), reason="eval/golden/public3.jsonl not written yet")
def test_public3_key_phrases_are_in_the_loaded_documents(tmp_path: Path):
    """Every expected document is one of the staged sv_public_3 files, and every key phrase
    is verbatim (case- and whitespace-insensitive) in the text ``ingest.reading.load`` gives."""
    from eval.corpus import PUBLIC3_DIR, stage_public3
    from ingest.pipeline import document_id_for
    from ingest.reading import load

    if not present(SHARED_CORPUS / PUBLIC3_DIR):
        pytest.skip("../shared/corpus/sv_public_3 is not available")
    staged = {document_id_for(p.name): p for p in stage_public3(tmp_path, SHARED_CORPUS).iterdir()}
    assert len(staged) == 14 and "provenance-md" not in staged and "readme-md" not in staged

    def norm(text: str) -> str:
        return " ".join(text.split()).casefold()

    texts: dict[str, str] = {}
    for i in golden.load_set("public3"):
        for e in i.expected:
            assert e.document in staged, (i.id, e.document)
            if e.document not in texts:
                texts[e.document] = norm(load(staged[e.document]).text)
        if i.key_phrase:
            assert any(norm(i.key_phrase) in texts[e.document] for e in i.expected), i.id
