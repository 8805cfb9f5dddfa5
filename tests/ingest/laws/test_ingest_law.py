"""``Ingestor.ingest_law``: one downloaded law text as its own document, incremental."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import index
from ingest.laws import LAW_ORIGIN
from ingest.loaders import LoadError
from ingest.pipeline import Ingestor
from tests.ingest.test_reading import RIKSDAGEN


def test_new_unchanged_changed_and_dry_run(kb, tmp_path: Path):
    path = tmp_path / "sfs-2099-1.txt"
    path.write_text(RIKSDAGEN, encoding="utf-8")
    ingestor = Ingestor(kb)
    dry = ingestor.ingest_law(path, dry_run=True)
    assert (dry.document_id, dry.status) == ("law-sfs2099-1", "new")
    assert kb.document("law-sfs2099-1") is None
    first = ingestor.ingest_law(path)
    assert (first.source, first.status, first.chunks) == ("law-sfs2099:1", "new", dry.chunks)
    stored = kb.document("law-sfs2099-1")
    assert stored.origin == LAW_ORIGIN and stored.source == path.name
    payloads = [p.payload for p in kb.scroll()]
    assert {pl[index.ACT] for pl in payloads} == {"sfs2099:1"}
    assert ["sfs2099:1:1kap3§"] in [pl[index.UNIT_REFS] for pl in payloads]
    assert ingestor.ingest_law(path).status == "unchanged"
    path.write_text(RIKSDAGEN.replace("ett test", "ett skriftligt test"), encoding="utf-8")
    assert ingestor.ingest_law(path, act="sfs:2099:1").status == "changed"
    other = tmp_path / "policy.txt"
    other.write_text("Lösenord byts varje år.\n", encoding="utf-8")
    with pytest.raises(LoadError, match="not a recognised law text"):
        ingestor.ingest_law(other)
