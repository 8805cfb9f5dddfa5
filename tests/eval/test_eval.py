"""The evaluation suite: golden sets, metrics, the threshold gate — and that the gate bites.

The gate tests run the real ask path on the session-wide ingested policies (``policies_kb``)
twice: with the default settings, and with retrieval degraded through real settings (BM25
only, one passage per answer). The degraded run must fail ``--check``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.components import Components
from assistant.schemas import AskResponse, Citation, SentenceOut
from eval import golden, metrics, pii_metrics, report, runner, thresholds
from eval.corpus import POLICIES_DIR, ROOT, stage_shared
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


def test_optional_metrics_are_not_required_when_unmeasured_but_checked_when_measured():
    gate = {"min": {"pii.recall.plusgiro": 0.97, "pii.recall.IBAN": 0.97}}
    optional = {"pii": ["pii.recall.plusgiro", "pii.recall.IBAN"]}
    assert thresholds.check_all({"pii": {"pii.recall.IBAN": 1.0}}, {"pii": gate},
                                optional=optional) == []  # fmt: skip
    failures = thresholds.check_all({"pii": {"pii.recall.IBAN": 0.5}}, {"pii": gate},
                                    optional=optional)  # fmt: skip
    assert failures == ["pii: pii.recall.IBAN = 0.500 < 0.970 (min)"]
    assert thresholds.check({}, gate) == [
        "pii.recall.IBAN: not measured (threshold min 0.970)",
        "pii.recall.plusgiro: not measured (threshold min 0.970)",
    ]
    assert thresholds.unmeasured({"pii.recall.IBAN": 1.0}, gate, optional["pii"]) == [
        "pii.recall.plusgiro"
    ]


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
    assert len(policies) == 380 and len(shared) == 142
    ids = {document_id_for(p.name) for p in POLICIES_DIR.iterdir() if p.is_file()}
    assert {e.document for i in policies for e in i.expected} <= ids
    assert all(i.should_refuse == (i.kind == "refusal" or not i.expected) for i in policies)


def test_shared_documents_are_staged_under_the_expected_ids(shared_corpus: Path, tmp_path: Path):
    ids = {document_id_for(p.name) for p in stage_shared(tmp_path, shared_corpus).iterdir()}
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
            "timings": {"total": 100.0}, "retrieval": {}, "mode": "extractive", "answer": "",
            "answer_words": 0, "fact_hit": None}  # fmt: skip
    if "band" not in kw:
        base["band"] = "refused" if kw.get("refused") else "answered"
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


def test_answer_fact_needs_a_confident_answer_whose_own_text_states_the_key_phrase():
    assert metrics.states_fact("Anmäl inom 72\n timmar [1].", "inom 72 TIMMAR")
    assert metrics.states_fact("minst 12 [2] tecken", "minst 12 tecken")  # markers ignored
    assert not metrics.states_fact("Se avsnitt 8 [1].", "72 timmar")
    kp = "72 timmar"
    results = [
        _record(key_phrase=kp, key_phrase_hit=True, fact_hit=True),
        _record(key_phrase=kp, key_phrase_hit=True, fact_hit=False),  # only in the cited quote
        _record(key_phrase=kp, refused=True, band="uncertain", fact_hit=True),  # not answered
        _record(key_phrase=None),  # no key phrase: not counted
        _record(kind="refusal", expected=[], should_refuse=True, key_phrase=kp, fact_hit=True),
    ]
    m = metrics.compute(results, modes=("hybrid",), k=5)
    assert m["answer.fact"] == pytest.approx(1 / 3)
    assert m["answer.key_phrase"] == pytest.approx(2 / 3)  # unchanged definition


def test_fragments_duplicates_and_answer_length():
    def st(text: str, end: bool | None = True) -> dict:
        return {"text": text, "supported": True, "sentence_end": end}

    same = ["Lösenord ska vara minst 12 tecken.", "Lösenordet ska vara minst 12 tecken [2]."]
    assert metrics.has_near_duplicates(same)
    contained = ["Loggar sparas i 12 månader.", "Enligt policyn: loggar sparas i 12 månader [1]."]
    assert metrics.has_near_duplicates(contained)
    assert not metrics.has_near_duplicates(["Ja.", "Jag vet inte vem som beslutar."])
    assert not metrics.has_near_duplicates(["Incidenter anmäls inom 72 timmar.",
                                            "Loggar sparas i tolv månader."])  # fmt: skip
    assert metrics.word_count("Lösenord ska vara minst 12 tecken [1][2]. – Se även 4.2 [3].") == 9
    results = [
        _record(sentences=[st(same[0]), st("Det gäller alla", end=False)], answer_words=10),
        _record(sentences=[st(same[0]), st(same[1])], answer_words=20),
        _record(sentences=[st("Avbruten mening", end=False)], refused=True, answer_words=99),
        _record(sentences=[st("x", end=None)], answer_words=30),  # no span: not counted
        _record(answer_words=40),
        _record(mode="openai", sentences=[st("Fritt formulerat", end=False)], answer_words=100),
    ]
    m = metrics.compute(results, modes=("hybrid",), k=5)
    assert m["answer.fragments"] == pytest.approx(1 / 4)  # extractive, answered, with a span
    assert m["answer.duplicates"] == pytest.approx(1 / 5)  # answered responses
    assert m["answer.words.p50"] == pytest.approx(30.0)
    assert m["answer.words.p90"] == pytest.approx(76.0)  # numpy's linear interpolation
    llm = metrics.compute([_record(mode="openai", sentences=[st("a", end=False)])])
    assert llm["answer.fragments"] is None


def _id_in(half: str, n: int) -> list[str]:
    """``n`` item ids that fall into ``half``."""
    ids = (f"item-{i}" for i in range(1000))
    return [i for i in ids if golden.half(i) == half][:n]


def test_halves_are_stable():
    """How each set is split: tests/eval/test_golden.py."""
    assert golden.half("policies-001") == golden.half("policies-001") in golden.HALVES
    items = golden.load_set("policies")
    assert [i.half for i in items] == [golden.half(i.id) for i in items]  # by item


def test_three_bands_and_the_held_out_half():
    h, c = _id_in("heldout", 2), _id_in("calibration", 4)
    refuse = {"kind": "refusal", "expected": [], "should_refuse": True}
    results = [
        _record(id=h[0]),  # answerable, answered
        _record(id=h[1], **refuse),  # to refuse, answered confidently
        _record(id=c[0], refused=True, band="uncertain"),
        _record(id=c[1], refused=True, band="refused"),
        _record(id=c[2]),
        _record(id=c[3], refused=True, **refuse),
    ]
    m = metrics.compute(results, modes=("hybrid",), k=5)
    assert (m["band.answered"], m["band.uncertain"], m["band.refused"]) == pytest.approx(
        (3 / 6, 1 / 6, 2 / 6)
    )
    assert m["band.unanswerable_answered"] == pytest.approx(1 / 2)
    assert m["band.answerable_refused"] == pytest.approx(1 / 4)
    assert m["band.answerable_uncertain"] == pytest.approx(1 / 4)
    # refusal.* counts uncertain as refused
    assert m["refusal.precision"] == pytest.approx(1 / 3)
    assert m["refusal.recall"] == pytest.approx(1 / 2)
    assert m["heldout.n.items"] == 2
    assert m["heldout.band.unanswerable_answered"] == 1.0
    assert m["heldout.band.answerable_refused"] == 0.0
    assert m["heldout.refusal.recall"] == 0.0
    assert m["heldout.refusal.f1"] == 0.0


def test_statement_spans_are_checked_against_the_segmenter():
    text = "Lösenord ska vara minst 12 tecken. De byts vid misstanke om röjning.\n\n- Aldrig delas."
    first = text.index(".") + 1
    assert runner.ends_at_sentence_end(text, first)
    assert runner.ends_at_sentence_end(text, len(text))
    assert not runner.ends_at_sentence_end(text, first - 8)
    citation = Citation(n=1, chunk_id="c", document_id="d", title="T", source="s", section="4",
                        quote=text[:first], start=0, end=first, score=1.0, text=text)  # fmt: skip

    def sentence(end: int | None) -> SentenceOut:
        span = {"quote_citation": 1, "quote_start": 0, "quote_end": end} if end else {}
        return SentenceOut(text=text[: end or first], citations=[1], supported=True, score=1.0,
                           **span)  # fmt: skip

    resp = AskResponse(id="a", answer="…", band="answered", refused=False, mode="extractive",
                       sentences=[sentence(first), sentence(first - 8), sentence(None)],
                       citations=[citation], redacted_query="q", standalone_query="q",
                       redactions=[], timings_ms={})  # fmt: skip
    assert [s["sentence_end"] for s in runner.statements(resp)] == [True, False, None]


def test_new_answer_metrics_are_gated_in_the_right_direction():
    measured = {"policies": {
        "answer.fact": 0.605, "answer.fragments": 0.0, "answer.duplicates": 0.02,
        "answer.words.p50": 40.0, "answer.words.p90": 80.0, "band.answered": 0.8,
        "heldout.band.unanswerable_answered": 0.1, "heldout.band.answerable_refused": 0.05,
        "heldout.band.answerable_uncertain": 0.07,
    }}  # fmt: skip
    import tomllib

    suggested = tomllib.loads(thresholds.suggest(measured))["policies"]
    assert set(suggested["min"]) == {"answer.fact", "retrieval.hybrid.hit@5"}
    assert suggested["min"]["answer.fact"] == pytest.approx(0.57)
    assert set(suggested["max"]) == set(measured["policies"]) - {"answer.fact", "band.answered"}
    assert suggested["max"]["answer.words.p90"] == 96.0
    assert suggested["max"]["answer.fragments"] == pytest.approx(0.01)
    # --check with them: a fragment fails
    gate = thresholds.Section(min={"answer.fact": 0.57}, max={"answer.fragments": 0.0})
    assert thresholds.check(measured["policies"] | {"answer.fragments": 0.1}, gate) == [
        "answer.fragments = 0.100 > 0.000 (max)"
    ]
    # the committed file gates them: a run that does not measure them fails
    missing = thresholds.check({}, thresholds.load()["policies"])
    for name in ("answer.fact", "answer.fragments", "heldout.band.unanswerable_answered"):
        assert any(f.startswith(f"{name}: not measured") for f in missing), name


# --- personal data without ../shared ---------------------------------------------------------


def test_a_hand_written_name_is_classified_by_the_faker_lists():
    assert pii_metrics.name_kind("Anna Svensson") == "namn (i Faker)"
    assert pii_metrics.name_kind("anna svensson") == "namn (i Faker)"
    assert pii_metrics.name_kind("Anna-Karin Lindqvist") == "namn (i Faker)"
    assert pii_metrics.name_kind("Torgny Vallmark") == "namn (ej i Faker)"
    assert pii_metrics.name_kind("Björn von Sydow") == "namn (ej i Faker)"
    first, last = pii_metrics.faker_sv_names()
    assert "anna" in first and "svensson" in last and "vallmark" not in last


def test_hand_written_cases_cover_every_gated_pii_kind():
    gated = [m.removeprefix("pii.recall.") for m in thresholds.load()["pii"].min
             if m.startswith("pii.recall.")]  # fmt: skip
    counts: dict[str, int] = {}
    for case in pii_metrics.tricky_cases():
        for e in case.entities:
            counts[e.kind] = counts.get(e.kind, 0) + 1
    assert set(gated) == set(pii_metrics.KINDS)
    assert {k: counts.get(k, 0) for k in gated if counts.get(k, 0) < 4} == {}
    assert runner.shared_only_pii_metrics() == []


def test_the_gate_passes_without_the_shared_corpus(tmp_path: Path):
    empty = tmp_path / "shared-corpus"  # like an uninitialised checkout of ../shared
    empty.mkdir()
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "eval", "--check", "--set", "shared", "--shared-corpus",
         str(empty), "--report", str(tmp_path / "r.md")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=os.environ | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )  # fmt: skip
    seconds = time.perf_counter() - started
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"[shared] skipped: {empty} is absent" in proc.stderr
    assert f"[pii] generated cases skipped: {empty / 'pii_sv'} is absent" in proc.stderr
    assert "not measured" not in proc.stdout + proc.stderr
    assert "**Gate: pass**" in (tmp_path / "r.md").read_text(encoding="utf-8")
    pii = json.loads((tmp_path / "r-metrics.json").read_text(encoding="utf-8"))["pii"]
    assert pii["pii.recall.plusgiro"] >= 0.97 and pii["pii.recall.namn (ej i Faker)"] >= 0.96
    assert seconds < 300


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
             "fusion_dense_weight", "fusion_sparse_weight", "answer_threshold",
             "uncertain_threshold"])),
        "sets": {"policies": default_run | {"ingest": "session", "eval_s": 1.0, "k": 5}},
    }  # fmt: skip
    paths = report.write(run, tmp_path / "r.md", thresholds.load())
    text = paths[0].read_text(encoding="utf-8")
    assert "Retrieval by mode" in text and "| hybrid |" in text
    assert (tmp_path / "r-policies-retrieval.png").stat().st_size > 0
    lines = paths[1].read_text(encoding="utf-8").splitlines()
    assert len(lines) == SUBSET and json.loads(lines[0])["set"] == "policies"
    # the golden schema's optional keys reach every record (None: the item has none)
    records = [json.loads(line) for line in lines]
    assert all({"verdict", "asks", "half"} <= set(r) for r in records)
    assert {r["half"] for r in records} == set(golden.HALVES)
