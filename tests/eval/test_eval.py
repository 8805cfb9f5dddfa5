"""The evaluation suite: golden sets, metrics, the threshold gate — and that the gate bites.

The gate tests run the real ask path on the session-wide ingested policies (``policies_kb``)
twice: with the default settings, and with retrieval degraded through real settings (BM25
only, one passage per answer). The degraded run must fail ``--check``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.components import Components
from eval import golden, metrics, report, runner, thresholds
from eval.corpus import POLICIES_DIR, shared_files
from ingest.pipeline import document_id_for
from tests.conftest import make_settings

SUBSET = 40  # answerable policy questions in the gate tests


# --- thresholds ---------------------------------------------------------------------------


GATE = {"min": {"retrieval.hybrid.hit@5": 0.9, "refusal.f1": 0.85},
        "max": {"latency.total.p95": 2000.0}}  # fmt: skip


def test_check_passes_when_every_metric_meets_its_threshold():
    m = {"retrieval.hybrid.hit@5": 0.95, "refusal.f1": 0.85, "latency.total.p95": 800.0}
    assert thresholds.check(m, GATE) == []


def test_check_lists_every_violation():
    m = {"retrieval.hybrid.hit@5": 0.89, "refusal.f1": 0.5, "latency.total.p95": 2500.0}
    failures = thresholds.check(m, GATE)
    assert len(failures) == 3
    assert any(f.startswith("retrieval.hybrid.hit@5 = 0.890 < 0.900") for f in failures)
    assert any(f.startswith("refusal.f1 = 0.500 < 0.850") for f in failures)
    assert any(f.startswith("latency.total.p95 = 2500.0 > 2000.0") for f in failures)


def test_unmeasured_metric_fails_a_full_run_but_not_a_subset():
    m = {"retrieval.hybrid.hit@5": 0.95, "refusal.f1": None, "latency.total.p95": 100.0}
    assert thresholds.check(m, GATE) == ["refusal.f1: not measured (threshold min 0.850)"]
    assert thresholds.check(m, GATE, require_all=False) == []


def test_skipped_prefixes_are_not_checked():
    m = {"retrieval.hybrid.hit@5": 0.95, "refusal.f1": 0.9, "latency.total.p95": 9e9}
    assert thresholds.check(m, GATE, skip_prefixes=("latency.",)) == []


def test_check_all_prefixes_sections_and_ignores_sets_not_run():
    gates = {"policies": GATE, "shared": {"min": {"answer.key_phrase": 0.5}}}
    failures = thresholds.check_all({"policies": {"retrieval.hybrid.hit@5": 0.1}}, gates,
                                    require_all=False)  # fmt: skip
    assert failures == ["policies: retrieval.hybrid.hit@5 = 0.100 < 0.900 (min)"]


def test_hard_floors_cannot_be_lowered_and_are_added_when_missing():
    with pytest.raises(thresholds.ThresholdError, match="hard floor"):
        thresholds.parse({"policies": {"min": {"retrieval.hybrid.hit@5": 0.8}}})
    parsed = thresholds.parse({})
    assert parsed["policies"].min["retrieval.hybrid.hit@5"] == 0.9
    assert parsed["pii"].min["pii.recall.personnummer"] == 1.0
    with pytest.raises(thresholds.ThresholdError):
        thresholds.parse({"policies": {"minimum": {}}})
    with pytest.raises(thresholds.ThresholdError, match="not a number"):
        thresholds.parse({"shared": {"min": {"answer.key_phrase": "high"}}})


def test_the_thresholds_file_is_valid_and_has_a_section_per_set():
    gates = thresholds.load()
    assert {"policies", "shared", "pii"} <= set(gates)
    for name, floors in thresholds.HARD_FLOORS.items():
        for metric, floor in floors.items():
            assert gates[name].min[metric] >= floor


# --- golden sets and metrics ----------------------------------------------------------------


def test_golden_sets_load_and_name_ingested_documents():
    policies = golden.load_set("policies")
    shared = golden.load_set("shared")
    assert len(policies) == 380 and len(shared) == 54
    ids = {document_id_for(p.name) for p in POLICIES_DIR.iterdir() if p.is_file()}
    assert {e.document for i in policies for e in i.expected} <= ids
    assert all(i.should_refuse == (i.kind == "refusal" or not i.expected) for i in policies)


def test_shared_documents_are_staged_under_the_expected_ids(shared_corpus: Path):
    ids = {document_id_for(p.name) for p in shared_files(shared_corpus)}
    wanted = {e.document for i in golden.load_set("shared") for e in i.expected}
    assert wanted <= ids
    assert "provenance-md" not in ids


def test_golden_schema_violations_are_reported():
    base = {"id": "x-1", "kind": "answerable", "question": "Fråga?", "style": "formal"}
    with pytest.raises(golden.GoldenError, match="without 'expected'"):
        golden.parse_item(base)
    with pytest.raises(golden.GoldenError, match="unknown style"):
        golden.parse_item(base | {"style": "shouty"})
    with pytest.raises(golden.GoldenError, match="substring"):
        golden.parse_item(base | {"kind": "pii", "pii_types": ["namn"], "pii_values": ["Bo"]})


def test_a_section_covers_its_subsections_only():
    e = golden.Expected("doc", "4")
    assert e.matches("doc", "4") and e.matches("doc", "4.2")
    assert not e.matches("doc", "44") and not e.matches("other", "4") and not e.matches("doc", None)
    assert golden.Expected("doc").matches("doc", None)
    assert runner.section_from_path("8 Incidenter > 8.3 Anmälan till IMY") == "8.3"
    assert runner.section_from_path("Inledning") is None


def _record(**kw) -> dict:
    base = {"id": "x", "kind": "answerable", "style": "formal", "expected": [["d", "1"]],
            "key_phrase": None, "should_refuse": False, "refused": False, "error": None,
            "cited_relevant": [True], "key_phrase_hit": None, "sentences": [], "pii_types": [],
            "pii_leaked": [], "pii_partial_leaks": [], "pii_missing_types": [], "redactions": {},
            "timings": {"total": 100.0}, "retrieval": {}}  # fmt: skip
    return base | kw


def test_metrics_on_synthetic_records():
    def ret(rank):
        return {"hybrid": {"rank": rank, "recall": 1.0 if rank else 0.0, "hits": []}}

    results = [
        _record(retrieval=ret(1)),
        _record(retrieval=ret(4), cited_relevant=[False, True]),
        _record(retrieval=ret(None), refused=True, cited_relevant=[]),
        _record(kind="refusal", expected=[], should_refuse=True, refused=True, cited_relevant=[]),
        _record(kind="refusal", expected=[], should_refuse=True, refused=False,
                redactions={"namn": 1}, cited_relevant=[False]),
    ]  # fmt: skip
    m = metrics.compute(results, modes=("hybrid",), k=5)
    assert m["retrieval.hybrid.hit@1"] == pytest.approx(1 / 3)
    assert m["retrieval.hybrid.hit@5"] == pytest.approx(2 / 3)
    assert m["retrieval.hybrid.mrr"] == pytest.approx((1 + 0.25) / 3)
    assert m["refusal.precision"] == pytest.approx(0.5)  # 1 of 2 refusals was right
    assert m["refusal.recall"] == pytest.approx(0.5)
    assert m["refusal.f1"] == pytest.approx(0.5)
    assert m["answer.citation_recall"] == pytest.approx(2 / 3)
    assert m["answer.citation_precision"] == pytest.approx(2 / 3)
    assert m["pii.false_positive_rate"] == pytest.approx(1 / 5)
    assert m["pii.golden.leak_free"] is None  # no items with personal data


# --- the gate on the real pipeline ------------------------------------------------------------


@pytest.fixture(scope="module")
def subset() -> list[golden.GoldenItem]:
    return golden.select(golden.load_set("policies"), {"answerable"}, SUBSET)


def _evaluate(policies_kb, tmp_path_factory, items, **overrides) -> dict:
    settings = make_settings(tmp_path_factory.mktemp("eval-data"), **overrides)
    components = Components.build(settings, kb=policies_kb)  # shares the ingested store
    try:
        return runner.evaluate(items, components)
    finally:
        components.audit.close()  # not components.close(): the store belongs to the session


@pytest.fixture(scope="module")
def default_run(policies_kb, tmp_path_factory, subset) -> dict:
    return _evaluate(policies_kb, tmp_path_factory, subset)


@pytest.fixture(scope="module")
def degraded_run(policies_kb, tmp_path_factory, subset) -> dict:
    # BM25 only for the answers, and a single passage per answer and per retrieval
    return _evaluate(policies_kb, tmp_path_factory, subset, retrieval_mode="sparse", top_k=1)


def test_default_settings_pass_the_retrieval_gate(default_run):
    m = default_run["metrics"]
    assert m["n.items"] == SUBSET and m["n.errors"] == 0
    assert m["retrieval.hybrid.hit@5"] >= 0.9
    failures = thresholds.check(m, thresholds.load()["policies"], require_all=False)
    assert not [f for f in failures if f.startswith("retrieval.hybrid.")], failures


def test_degraded_retrieval_fails_the_gate(default_run, degraded_run):
    m = degraded_run["metrics"]
    assert m["retrieval.hybrid.hit@5"] < default_run["metrics"]["retrieval.hybrid.hit@5"]
    failures = thresholds.check_all(
        {"policies": m}, thresholds.load(), require_all=False
    )  # what `python -m eval --check` exits 1 on
    assert any(f.startswith("policies: retrieval.hybrid.hit@5") for f in failures), failures
    # the answers (BM25 only, one passage) are worse too
    assert m["answer.citation_recall"] < default_run["metrics"]["answer.citation_recall"]


def test_records_are_serialisable_and_the_report_is_written(default_run, tmp_path: Path):
    run = {
        "started": "test", "runtime_s": 1.0, "checked": True, "failures": [],
        "settings": make_settings(tmp_path).model_dump(include=set(
            ["answer_mode", "llm_base_url", "llm_model", "retrieval_mode", "fusion", "top_k",
             "fusion_dense_weight", "fusion_sparse_weight", "relevance_floor",
             "relevance_floor_en"])),
        "sets": {"policies": default_run | {"ingest": "session", "eval_s": 1.0, "k": 5}},
    }  # fmt: skip
    paths = report.write(run, tmp_path / "r.md", thresholds.load())
    text = paths[0].read_text(encoding="utf-8")
    assert "Retrieval by mode" in text and "| hybrid |" in text
    assert (tmp_path / "r-policies-retrieval.png").stat().st_size > 0
    lines = paths[1].read_text(encoding="utf-8").splitlines()
    assert len(lines) == SUBSET and json.loads(lines[0])["set"] == "policies"
