"""Earlier versions in the store: kept on a content change, hidden from normal reads, in force
by date, trimmed to PA_KEEP_VERSIONS, and surviving a restart's recovery."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from core import index
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor, document_id_for
from tests.conftest import make_settings

DOC = "# Rutin för loggning\n\n{adopted}## 1 Lagring\n\nLoggar sparas i {months} månader.\n"
DOC_ID = document_id_for("loggning.md")


def _write(root: Path, months: int, adopted: str | None = None) -> None:
    stated = f"Fastställd: {adopted}\n\n" if adopted else ""
    (root / "loggning.md").write_text(DOC.format(adopted=stated, months=months), "utf-8")


def _texts(kb: KnowledgeBase, as_of: date | None = None) -> list[str]:
    flt = kb.visible(None, as_of=as_of)
    return [p.payload["_node_content"] for p in kb.scroll(flt, current_only=False)]


def test_a_changed_document_keeps_its_earlier_version(tmp_path: Path, embedder):
    root = tmp_path / "docs"
    root.mkdir()
    settings = make_settings(tmp_path / "data", keep_versions=2)
    kb = KnowledgeBase(settings, embedder=embedder)
    _write(root, 6, "2021-02-01")
    Ingestor(kb).ingest([root])
    assert Ingestor(kb).ingest([root]).counts["unchanged"] == 1
    assert len(kb.versions(DOC_ID)) == 1  # the same content is no new version
    _write(root, 12)  # no stated date: applies from the day it was written
    Ingestor(kb).ingest([root])
    today = date.today().isoformat()
    versions = kb.versions(DOC_ID)
    assert [(v.applies_from, v.applies_until) for v in versions] == [
        ("2021-02-01", today), (today, None)
    ]  # fmt: skip
    now, then = " ".join(_texts(kb)), " ".join(_texts(kb, date(2022, 1, 1)))
    assert "12 månader" in now and "6 månader" not in now and kb.count() == len(_texts(kb))
    assert "6 månader" in then and "12 månader" not in then
    assert _texts(kb, date(2020, 1, 1)) == []
    old = kb.version_info(DOC_ID, versions[0].generation)
    assert old is not None and old.adopted == "2021-02-01" and old.complete

    kb.close()  # a restart's recovery keeps kept versions
    kb = KnowledgeBase(settings, embedder=embedder)
    assert kb.repaired == [] and kb.versions(DOC_ID) == versions
    for months in (18, 24):
        _write(root, months)
        Ingestor(kb).ingest([root])
    kept = kb.versions(DOC_ID)
    assert len(kept) == 3 and versions[0] not in kept  # two earlier ones, the oldest dropped
    generations = {p.payload[index.GENERATION] for p in kb.scroll(current_only=False)}
    assert generations == {v.generation for v in kept}
    kb.delete_document(DOC_ID)
    assert kb.versions(DOC_ID) == [] and kb.scroll(current_only=False) == []
    kb.close()


def test_no_history_when_keep_versions_is_zero(tmp_path: Path, embedder):
    root = tmp_path / "docs"
    root.mkdir()
    kb = KnowledgeBase(make_settings(tmp_path / "data", keep_versions=0), embedder=embedder)
    _write(root, 6)
    Ingestor(kb).ingest([root])
    _write(root, 12)
    Ingestor(kb).ingest([root])
    assert len(kb.versions(DOC_ID)) == 1
    assert "12 månader" in " ".join(_texts(kb, date.today()))
    assert _texts(kb, date(2000, 1, 1)) == []  # this content applies from the day it came
    assert len(kb.scroll(current_only=False)) == kb.count()
    kb.close()
