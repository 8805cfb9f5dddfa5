"""The index definition shared by ingest and assistant: collection, vectors, payload schema.

Both sides import the names below; nothing else in the code base spells a vector or
payload key as a string literal.
"""

from __future__ import annotations

from qdrant_client import QdrantClient
from qdrant_client import models as qm

from core.text.segment import split_sentences

DENSE = "dense"  # e5 (or sentence-transformers) embedding, cosine
SPARSE = "bm25"  # Swedish BM25 term weights; Qdrant applies IDF (Modifier.IDF)
# One vector per sentence of the chunk (core/text/segment.py, in order), embedded at ingest as
# ``sentence_texts``: the extractive answerer reads them instead of embedding at query time.
SENTENCES = "sentences"
# What the sentence vectors are, recorded on the collection next to the embedder; another
# value (or none: a collection made before them) means they are not used.
SENTENCE_SCHEMA = "heading: sentence/1"

# llama-index's QdrantVectorStore writes the node's ref_doc_id under these keys; ours is
# the document id. We read DOC_ID and never store anything else under it.
DOC_ID = "doc_id"

# Payload keys written for every chunk (flat metadata of the llama-index TextNode).
TITLE = "title"
DOC_TYPE = "doc_type"
SOURCE = "source"
VERSION = "version"
ADOPTED = "adopted"  # ISO date (YYYY-MM-DD) when the document states one
ADOPTED_BY = "adopted_by"  # "Kommunfullmäktige"
DECISION_REF = "decision_ref"  # "§ 98"
VALID_FROM = "valid_from"  # ISO date, or the stated text ("Lagakraftvunnet beslut")
VALID_TO = "valid_to"  # ISO date: the document's own "gäller till och med"
REVIEW_BY = "review_by"  # ISO date: "nästa revidering", "revideras senast"
OWNER = "owner"  # "Dokumentansvarig", "Dokumentägare", "Utgivare"
MUNICIPALITIES = "municipalities"  # the organisations the document names (its own text)
# Access (assistant/access.py): the organisations whose users may read the document (SHARED =
# every organisation) and its classification; stated at ingest or upload, never extracted.
# Chunks written before access existed have neither: read as shared, at the default level.
SCOPE = "scope"
SHARED = "alla"
CLASSIFICATION = "classification"
DIARY_NO = "diary_no"
# What a document states about its own life (ingest/metadata.py), shown with every citation.
LIFECYCLE = (ADOPTED_BY, DECISION_REF, VALID_FROM, VALID_TO, REVIEW_BY, OWNER, DIARY_NO)
CONTENT_HASH = "content_hash"  # sha256 of the source file: the unit of change
CHUNKER = "chunker"  # signature of the chunking settings the chunks were made with
ORIGIN = "origin"  # "folder" (python -m ingest) or "upload" (POST /v1/documents)
REVIEW = "review"  # "pending" (held as "ej granskad", not in answers) or "approved"
FLAGS = "flags"  # ingest/trust.py: "citation_markers", "instructions"
SECTION_PATH = "section_path"  # "4 Informationsklassning > 4.2 Skyddsnivåer"
SECTION_NUMBER = "section_number"  # "4.2"
TOP_SECTION = "top_section"  # "4 Informationsklassning"
HEADING = "heading"  # the short prefix embedded with the text (title > path)
REFS = "refs"  # canonical legal references in the chunk, e.g. "gdpr:art33"
PAGE_START = "page_start"
PAGE_END = "page_end"
START_CHAR = "start_char"  # offsets of the chunk text in the document's extracted text
END_CHAR = "end_char"
CHUNK_INDEX = "chunk_index"
CHUNK_COUNT = "chunk_count"
INGESTED_AT = "ingested_at"
# Law texts only (ingest/laws/): the act ("gdpr", "sfs2018:218") and the canonical ids of the
# unit (article, paragraph, recital, paragraf) the chunk belongs to; REFS also lists mentions.
ACT = "act"
UNIT_REFS = "unit_refs"
# Atomic replacement (schema 2): every chunk carries the generation it was written in; a
# document's current generation lives in the generations collection (one point per document,
# switched by one upsert). Readers see only current generations (core/store.py).
GENERATION = "generation"  # int, unique per write: time in ns (older chunks: a hash)
ROOT = "root"  # folder documents: the absolute folder they were ingested from (prune scope)
SCHEMA = 2  # recorded in the collection's metadata next to the embedder

PAYLOAD_INDEXES: dict[str, qm.PayloadSchemaType] = {
    DOC_ID: qm.PayloadSchemaType.KEYWORD,
    DOC_TYPE: qm.PayloadSchemaType.KEYWORD,
    SOURCE: qm.PayloadSchemaType.KEYWORD,
    MUNICIPALITIES: qm.PayloadSchemaType.KEYWORD,
    SCOPE: qm.PayloadSchemaType.KEYWORD,
    CLASSIFICATION: qm.PayloadSchemaType.KEYWORD,
    ADOPTED: qm.PayloadSchemaType.DATETIME,
    SECTION_NUMBER: qm.PayloadSchemaType.KEYWORD,
    TOP_SECTION: qm.PayloadSchemaType.KEYWORD,
    REFS: qm.PayloadSchemaType.KEYWORD,
    CHUNK_INDEX: qm.PayloadSchemaType.INTEGER,
    CONTENT_HASH: qm.PayloadSchemaType.KEYWORD,
    ACT: qm.PayloadSchemaType.KEYWORD,
    UNIT_REFS: qm.PayloadSchemaType.KEYWORD,
    REVIEW: qm.PayloadSchemaType.KEYWORD,
    FLAGS: qm.PayloadSchemaType.KEYWORD,
    GENERATION: qm.PayloadSchemaType.INTEGER,
}

# Keys that are never embedded; only HEADING is prepended to the text for embedding.
NOT_EMBEDDED = [
    TITLE, DOC_TYPE, SOURCE, VERSION, ADOPTED, MUNICIPALITIES, CONTENT_HASH,
    CHUNKER, ORIGIN, SECTION_PATH, SECTION_NUMBER, TOP_SECTION, REFS, PAGE_START, PAGE_END,
    START_CHAR, END_CHAR, CHUNK_INDEX, CHUNK_COUNT, INGESTED_AT, ACT, UNIT_REFS, REVIEW, FLAGS,
    GENERATION, ROOT, SCOPE, CLASSIFICATION, *LIFECYCLE,
]  # fmt: skip


def sentence_texts(heading: str, text: str) -> list[str]:
    """Every sentence of a chunk's text (core/text/segment.py, in order) as embedded: behind the
    chunk's heading (title > section path), which says what it is about
    ("IT-säkerhetspolicy > 6.2 Lösenord: Lösenord ska ha minst …")."""
    return [f"{heading}: {s.text}" for s in split_sentences(text)]


def has_sentence_vectors(client: QdrantClient, name: str) -> bool:
    """Whether the collection holds sentence vectors of the current schema."""
    info = client.get_collection(name).config
    vectors = info.params.vectors
    named = vectors if isinstance(vectors, dict) else {}
    return SENTENCES in named and (info.metadata or {}).get("sentences") == SENTENCE_SCHEMA


class EmbedderMismatchError(RuntimeError):
    """The collection was built with another embedder; it must be re-indexed."""


def generations_collection(name: str) -> str:
    """The tiny collection holding each document's current generation."""
    return f"{name}__generations"


def ensure_collection(
    client: QdrantClient, name: str, embedder_id: str, dim: int, payload_indexes: bool = True
) -> int | None:
    """Create the collection (and its generations collection) if missing; refuse one built
    with another embedder or a newer schema.

    Payload indexes are made on a Qdrant server and on Qdrant Edge (local mode has none).
    Returns None when the collection was created now, else its schema: 1 (before
    generations, or its generations collection is gone) means the caller must rebuild the
    generation records from the chunks (``KnowledgeBase._migrate``).
    """
    gens = generations_collection(name)
    if client.collection_exists(name):
        info = client.get_collection(name)
        meta = info.config.metadata or {}
        if meta.get("embedder") != embedder_id or int(meta.get("dim", -1)) != dim:
            raise EmbedderMismatchError(
                f"Collection '{name}' was built with embedder {meta.get('embedder')!r} "
                f"(dim {meta.get('dim')}), but the configured embedder is {embedder_id!r} "
                f"(dim {dim}). Re-index with `python -m ingest --rebuild PATH` or choose "
                "another collection (PA_COLLECTION)."
            )
        schema = int(meta.get("schema") or 1)
        if schema > SCHEMA:
            raise EmbedderMismatchError(
                f"Collection '{name}' has schema {schema}, newer than this version "
                f"({SCHEMA}); upgrade, or re-index with `python -m ingest --rebuild PATH`."
            )
        if payload_indexes:  # keys added since the collection was made (scope, classification)
            for key in PAYLOAD_INDEXES.keys() - (info.payload_schema or {}).keys():
                client.create_payload_index(name, field_name=key, field_schema=PAYLOAD_INDEXES[key])
        if not client.collection_exists(gens):
            client.create_collection(gens, vectors_config={})
            return 1
        return schema
    client.create_collection(
        name,
        vectors_config={
            DENSE: qm.VectorParams(size=dim, distance=qm.Distance.COSINE),
            SENTENCES: qm.VectorParams(  # read by chunk id, never searched: no HNSW graph
                size=dim,
                distance=qm.Distance.COSINE,
                hnsw_config=qm.HnswConfigDiff(m=0),
                multivector_config=qm.MultiVectorConfig(
                    comparator=qm.MultiVectorComparator.MAX_SIM
                ),
            ),
        },
        sparse_vectors_config={SPARSE: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
        metadata={
            "embedder": embedder_id,
            "dim": dim,
            "schema": SCHEMA,
            "sentences": SENTENCE_SCHEMA,
        },  # fmt: skip
    )
    if client.collection_exists(gens):  # left over from a collection dropped by hand
        client.delete_collection(gens)
    client.create_collection(gens, vectors_config={})
    if payload_indexes:
        for key, schema_type in PAYLOAD_INDEXES.items():
            client.create_payload_index(name, field_name=key, field_schema=schema_type)
    return None
