"""Definitions the documents state themselves, as glossary entries for reading questions.

"Med publik AI-tjänst avses … t.ex. ChatGPT", "Bring Your Own Device (BYOD)": what a document
says a word stands for is read from its stored chunks (``core/text/definitions.py``) once per
document version and joins the organisation's glossary (``core/concepts.py``). Only documents
that every user may read count, and never an upload awaiting review: a definition changes
how every question is searched, and "Tolkat som: …" must not reveal a restricted document.
"""

from __future__ import annotations

import threading

from qdrant_client import models as qm

from assistant.access import Principal, readable
from assistant.retrieval import access_conditions, hit_text
from core import concepts, index, review
from core.settings import Settings
from core.store import KnowledgeBase, doc_filter
from core.text.definitions import definitions


def _everyone(settings: Settings) -> Principal:
    """The reach of a user of no organisation with the least role: shared documents at the
    levels every role may read."""
    roles = ("handläggare",)
    return Principal("alla", roles, (), readable(roles, settings))


class DocumentDefinitions:
    """Glossary entries from the current documents' own definitions (cached per version)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._lock = threading.Lock()
        self._by_version: dict[tuple[str, int], list[concepts.Entry]] = {}
        self._key: tuple[tuple[str, int], ...] | None = None
        self._entries: list[concepts.Entry] = []

    def _read(self, document_id: str) -> list[concepts.Entry]:
        must = [*access_conditions(_everyone(self.kb.settings), self.kb.settings),
                *(doc_filter(document_id).must or [])]  # fmt: skip
        flt = qm.Filter(must=must, must_not=review.answer_filter_conditions())
        fields = ["_node_content", "_node_type", index.CHUNK_INDEX, index.TITLE]
        points = sorted(self.kb.scroll(flt, fields=fields),
                        key=lambda p: p.payload.get(index.CHUNK_INDEX, 0))  # fmt: skip
        if not points:
            return []
        title = str(points[0].payload.get(index.TITLE) or document_id)[:120]
        text = "\n\n".join(hit_text(p.payload) for p in points)
        out = []
        for d in definitions(text):
            words = tuple(w for w in (x.lower() for x in d.words) if 2 <= len(w) <= 60)
            if words and 2 <= len(d.concept) <= 80:
                out.append(concepts.Entry(concept=d.concept, words=words[:60],
                                          note=f"definieras i {title}"))  # fmt: skip
        return out

    def entries(self) -> list[concepts.Entry]:
        """The entries of every current document (recomputed only for changed versions)."""
        key = tuple(sorted(self.kb.current_generations().items()))
        with self._lock:
            if key != self._key:
                cached = {v: self._by_version.get(v) for v in key}
                for version, found in cached.items():
                    if found is None:
                        cached[version] = self._read(version[0])
                self._by_version = {v: e or [] for v, e in cached.items()}
                self._entries = [e for v in key for e in self._by_version[v]]
                self._key = key
            return self._entries
