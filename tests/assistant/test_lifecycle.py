"""Status today and the notices an answer carries (assistant/lifecycle.py)."""

from __future__ import annotations

from datetime import date

from assistant.answer import Passage
from assistant.lifecycle import lifecycle_of, notices
from assistant.result import Source
from assistant.retrieval import Hit
from core import index

TODAY = date(2026, 12, 3)


def test_status_from_the_stated_dates():
    def status(**payload):
        return lifecycle_of(payload, TODAY).status

    assert status(valid_to="2022-12-31") == "expired"
    assert status(valid_to="2022-12-31", review_by="2027-01-01") == "expired"
    assert status(review_by="2026-12-02") == "review_overdue"
    assert status(review_by="2027-02-01") == "review_soon"
    assert status(review_by="2028-01-01") == "current"
    assert status(valid_to="2026-12-03") == "current", "valid through the stated day"
    assert status(adopted_by="Kommunfullmäktige") == "unstated"
    assert status(valid_to="inte ett datum") == "unstated"
    assert lifecycle_of({"valid_to": "2022-12-31"}, TODAY).status_sv == "utgången"


def _citation(n: int, doc: str, cited: bool, **life) -> Source:
    payload = {index.DOC_ID: doc, index.TITLE: f"Policy {doc}", index.SOURCE: f"{doc}.pdf",
               index.SECTION_PATH: "1", **life}  # fmt: skip
    hit = Hit(f"c{n}", 0.9, None, "text", payload)
    return Source(Passage(n, hit), lifecycle_of(payload, TODAY), cited=cited)


def test_one_notice_per_cited_document_that_is_expired_or_overdue():
    out = notices([
        _citation(1, "a", True, valid_to="2022-12-31"),
        _citation(2, "a", True, valid_to="2022-12-31"),
        _citation(3, "b", True, review_by="2026-03-12"),
        _citation(4, "c", False, valid_to="2020-01-01"),  # context only, not cited
        _citation(5, "d", True, review_by="2030-01-01"),
    ])  # fmt: skip
    assert [(n.document_id, n.kind) for n in out] == [("a", "expired"), ("b", "review_overdue")]
    assert "till och med 2022-12-31" in out[0].message and "«Policy a»" in out[0].message
    assert "reviderats senast 2026-03-12" in out[1].message
