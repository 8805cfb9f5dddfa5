"""CLI: ``python -m ingest [PATH ...] [--collection NAME] [--rebuild] [--dry-run] [--no-prune]``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ingest.index import EmbedderMismatchError
from ingest.pipeline import Ingestor
from ingest.settings import get_settings
from ingest.store import KnowledgeBase, StoreBusyError


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Ingest policy documents (PDF, DOCX, HTML, Markdown, TXT) into Qdrant.",
    )
    parser.add_argument("paths", nargs="*", type=Path, help=f"default: {settings.policies_dir}")
    parser.add_argument("--collection", help=f"default: {settings.collection}")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the collection")
    parser.add_argument("--dry-run", action="store_true", help="show what would change")
    parser.add_argument(
        "--no-prune", action="store_true", help="keep documents that are gone from the folders"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.collection:
        settings = settings.model_copy(update={"collection": args.collection})
    paths = args.paths or [settings.policies_dir]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        kb = KnowledgeBase(settings)
    except (StoreBusyError, EmbedderMismatchError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        report = Ingestor(kb).ingest(
            paths,
            rebuild=args.rebuild,
            dry_run=args.dry_run,
            prune=not args.no_prune,
            progress=not args.quiet,
        )
    finally:
        kb.close()
    for r in report.results:
        if r.status == "failed":
            print(f"FAILED  {r.source}: {r.error}", file=sys.stderr)
        elif r.status != "unchanged":
            print(f"{r.status:<9} {r.source} ({r.chunks} chunks)")
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
