"""Retrieval prefers a current document over an expired one of the same kind and organisation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assistant.retrieval import Filters, Retriever, current_first
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor, document_id_for
from tests.conftest import EVERYONE

DOC = """# {title}

Dokumenttyp: Riktlinje

Gäller för: {org}

{validity}

## 1 Lösenord

Lösenord till e-posten ska ha minst {n} tecken och får aldrig lämnas ut till någon annan.
"""


def _write(root: Path, name: str, title: str, org: str, validity: str, n: int) -> None:
    text = DOC.format(title=title, org=org, validity=validity, n=n)
    (root / name).write_text(text, encoding="utf-8")


def test_an_expired_document_goes_after_its_current_counterpart(kb: KnowledgeBase, tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    # the expired one repeats the question's words, so it would rank first on its own
    _write(root, "gammal.md", "Lösenord till e-posten: gammal riktlinje", "Eksjö kommun",
           "Gäller till och med: 2020-12-31", 8)  # fmt: skip
    _write(root, "ny.md", "Riktlinje för konton", "Eksjö kommun", "Fastställd: 2024-01-10", 14)
    _write(root, "annan.md", "Lösenord till e-posten i Vetlanda", "Vetlanda kommun",
           "Gäller till och med: 2020-12-31", 10)  # fmt: skip
    assert Ingestor(kb).ingest([root]).ok
    retriever = Retriever(kb, kb.settings)
    question = "Hur många tecken ska lösenord till e-posten ha?"
    old, new, other = (document_id_for(n) for n in ("gammal.md", "ny.md", "annan.md"))
    docs = [h.document_id for h in retriever.search(question, top_k=10, user=EVERYONE).hits]
    assert docs.index(new) < docs.index(old)
    hits = retriever.search(question, top_k=10, user=EVERYONE).hits
    old_first = sorted(hits, key=lambda h: h.document_id != old)  # whatever the ranking
    order = [h.document_id for h in current_first(old_first, date.today())]
    assert order.index(new) < order.index(old)
    # the other organisation's expired document has no current counterpart: not moved
    assert [h.id for h in current_first(hits, date.today()) if h.document_id == other] == [
        h.id for h in hits if h.document_id == other
    ]
    assert [h.id for h in current_first(old_first, date(2020, 6, 1))] == [
        h.id for h in old_first
    ]  # before 2021 nothing had expired
    in_2020 = Filters(as_of=date(2020, 6, 1))
    then = {h.document_id for h in retriever.search(
        question, top_k=10, filters=in_2020, user=EVERYONE).hits}  # fmt: skip
    assert old in then and new not in then  # the new one was adopted in 2024
