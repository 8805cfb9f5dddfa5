"""Ingestion benchmark: chunks/s for the whole pipeline vs the embedder alone on the same chunks.

    python -m eval.bench.ingest [PATH ...]      (default: policies/)

The pipeline run goes into a fresh embedded store in a temporary folder (load, chunk, embed,
BM25, upsert, sentence vectors); the embedder-only runs embed exactly the texts the pipeline
embedded: the chunks, then their sentences.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from llama_index.core.schema import MetadataMode
from llama_index.core.vector_stores.utils import metadata_dict_to_node

from core import cli, index
from core.embeddings import create_embedder
from core.settings import Settings
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor


def build_parser() -> cli.Parser:
    parser = cli.Parser(prog="python -m eval.bench.ingest", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[Path("policies")])
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp))
        embedder = create_embedder(settings)
        kb = KnowledgeBase(settings, embedder=embedder)
        ingestor = Ingestor(kb)
        started = time.perf_counter()
        report = ingestor.ingest(args.paths)
        pipeline_s = time.perf_counter() - started
        chunks = sum(r.chunks for r in report.results)
        # the exact strings the pipeline embedded, rebuilt from the stored llama-index nodes
        nodes = [metadata_dict_to_node(p.payload) for p in kb.scroll()]
        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        sentences = [
            t for n in nodes for t in index.sentence_texts(str(n.metadata[index.HEADING]), n.text)
        ]
        kb.close()
    started = time.perf_counter()
    embedder.get_text_embedding_batch(texts)
    embed_s = time.perf_counter() - started
    started = time.perf_counter()
    embedder.get_text_embedding_batch(sentences)
    sentences_s = time.perf_counter() - started
    print(f"documents: {len(report.results)}  chunks: {chunks}  ({report.summary()})")
    print(f"pipeline:       {pipeline_s:7.2f} s  {chunks / pipeline_s:7.2f} chunks/s")
    print(f"embedder alone: {embed_s:7.2f} s  {len(texts) / embed_s:7.2f} chunks/s")
    print(f"  + sentences:  {sentences_s:7.2f} s  {len(sentences)} sentences")
    print(f"pipeline / embedding the chunks alone: {pipeline_s / embed_s:.2f}")
    print(f"pipeline / embedding chunks and sentences: {pipeline_s / (embed_s + sentences_s):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
