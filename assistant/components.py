"""The one place the running assistant is assembled from its backends (by setting)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.audit import AuditLog
from assistant.llm import create_llm
from assistant.pii import PiiScrubber, get_scrubber
from assistant.service import AssistantService
from assistant.uploads import Uploads, recover_uploads
from core.settings import Settings
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor


@dataclass
class Components:
    settings: Settings
    kb: KnowledgeBase
    scrubber: PiiScrubber
    audit: AuditLog
    service: AssistantService
    ingestor: Ingestor
    uploads: Uploads

    @classmethod
    def build(cls, settings: Settings, kb: KnowledgeBase | None = None) -> Components:
        """Opening the store repairs half-replaced documents; uploads/ is then made to agree
        with the index (unless ``kb`` belongs to another data folder: tests, eval)."""
        own_uploads = kb is None or kb.settings.uploads_dir == settings.uploads_dir
        kb = kb or KnowledgeBase(settings)
        scrubber = get_scrubber(settings)
        audit = AuditLog(
            settings.audit_db, settings.audit_retention_days, settings.audit_max_answers
        )
        service = AssistantService(settings, kb, scrubber, create_llm(settings), audit)
        kb.embedder.get_query_embedding("uppvärmning")  # load the models before the first user
        scrubber.scrub("Uppvärmning")
        ingestor = Ingestor(kb, clean_title=lambda title: scrubber.scrub(title).text)
        if own_uploads:
            recover_uploads(kb, ingestor, settings.uploads_dir)
        uploads = Uploads(settings, kb, ingestor, scrubber)
        return cls(settings, kb, scrubber, audit, service, ingestor, uploads)

    def close(self) -> None:
        self.uploads.close()
        self.audit.close()
        self.kb.close()
