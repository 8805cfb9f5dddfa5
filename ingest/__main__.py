"""CLI: ``python -m ingest [documents] [PATH ...] [--collection NAME] [--rebuild] [--dry-run]
[--no-prune] [--scope ORG ...] [--classification LEVEL] [-q]`` (``documents`` is the default
subcommand: ``python -m ingest policies/`` is ``python -m ingest documents policies/``).

Pruning deletes only folder documents whose file lay under one of the PATH folders and is
gone; it prints them before deleting. Opening the store repairs interrupted writes.

Law texts: ``python -m ingest law PATH [--act gdpr|sfs:2018:218] [--lang sv|en]`` (docs/laws.md).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from core import cli, index
from core.index import EmbedderMismatchError
from core.settings import Settings, get_settings
from core.store import DocumentInfo, KnowledgeBase, StoreBusyError
from ingest import corrections
from ingest.loaders import LoadError
from ingest.pipeline import Ingestor, document_id_for


def _open(settings: Settings, collection: str | None) -> KnowledgeBase | None:
    """The knowledge base (with an optional collection override), or None after a clear error."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if collection:
        settings = settings.model_copy(update={"collection": collection})
    try:
        return KnowledgeBase(settings)
    except (StoreBusyError, EmbedderMismatchError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def build_parser(settings: Settings) -> cli.Parser:
    """``python -m ingest``: subcommands ``documents`` (the default) and ``law``."""
    parser = cli.Parser(
        prog="python -m ingest",
        usage="%(prog)s [documents] [PATH ...] [options]\n"
        "       %(prog)s law PATH [--act ACT] [--lang {sv,en}] [options]",
        description="Ingest policy documents (PDF, DOCX, HTML, Markdown, TXT) or a law text "
        "into Qdrant. Without a subcommand: documents (python -m ingest PATH ... = python -m "
        "ingest documents PATH ...).",
    )
    commands = parser.add_commands(default="documents")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--collection", help=f"default: {settings.collection}")
    docs = commands.add_parser(
        "documents",
        parents=[common],
        prog="python -m ingest [documents]",
        help="ingest files and folders of policy documents (the default)",
        description="Ingest policy documents (PDF, DOCX, HTML, Markdown, TXT) into Qdrant: "
        "incremental, only changed files are re-embedded.",
    )
    docs.add_argument("paths", nargs="*", type=Path, help=f"default: {settings.policies_dir}")
    docs.add_argument("--rebuild", action="store_true", help="drop and rebuild the collection")
    docs.add_argument("--dry-run", action="store_true", help="show what would change")
    docs.add_argument(
        "--no-prune",
        action="store_true",
        help="keep documents whose file is gone from the PATH folders (by default they are "
        "deleted; documents from other folders, uploads and law texts never are)",
    )
    docs.add_argument(
        "--scope",
        nargs="+",
        choices=[*settings.organisations, index.SHARED],
        help="organisations whose users may read these documents ('alla' = every one); kept "
        "for later ingests (default: as before; new documents are shared)",
    )
    docs.add_argument(
        "--classification",
        choices=settings.classifications,
        help=f"of these documents; kept for later ingests (default: as before; new documents "
        f"{settings.default_classification})",
    )
    docs.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    law = commands.add_parser(
        "law",
        parents=[common],
        help="ingest one downloaded law text (docs/laws.md)",
        description="Ingest a law text downloaded once: EUR-Lex HTML or Riksdagen SFS text/HTML "
        "(see docs/laws.md). The format is detected from the file.",
    )
    law.add_argument("path", type=Path)
    law.add_argument("--act", help="gdpr or sfs:YYYY:NNN (default: detected from the text)")
    law.add_argument("--lang", choices=["sv", "en"], help="default: detected from the text")
    law.add_argument("--dry-run", action="store_true", help="parse and embed, do not store")
    return parser


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    args = build_parser(settings).parse_args(argv)
    if args.command == "law":
        return law_main(args, settings)
    return documents_main(args, settings)


def documents_main(args: argparse.Namespace, settings: Settings) -> int:
    """``python -m ingest [documents] [PATH ...]``: files and folders of policy documents."""
    paths = args.paths or [settings.policies_dir]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    kb = _open(settings, args.collection)
    if kb is None:
        return 2

    def announce(docs: list[DocumentInfo]) -> None:
        verb = "Would remove" if args.dry_run else "Removing"
        folders = ", ".join(str(p) for p in paths if p.is_dir())
        print(f"{verb} {len(docs)} document(s) whose file is gone from {folders}:", flush=True)
        for d in docs:
            print(f"  - {Path(d.root or '', d.source)} ({d.document_id})", flush=True)

    try:
        ingestor = Ingestor(kb)
        if not args.dry_run:  # before the build, so a new chunk is never readable by more
            ids = [document_id_for(rel) for _, rel in ingestor.discover(paths)]
            corrections.state_access(kb, ids, args.scope, args.classification)
        report = ingestor.ingest(
            paths,
            rebuild=args.rebuild,
            dry_run=args.dry_run,
            prune=not args.no_prune,
            progress=not args.quiet,
            on_prune=announce,
        )
    finally:
        kb.close()
    if report.unscoped:
        print(
            f"note: kept {len(report.unscoped)} document(s) not in these folders that were "
            f"ingested before folders were recorded: {', '.join(report.unscoped)} (delete them "
            "through the API or re-ingest their folder once)",
            file=sys.stderr,
        )
    for r in report.results:
        if r.status == "failed":
            print(f"FAILED  {r.source}: {r.error}", file=sys.stderr)
        elif r.status != "unchanged":
            print(f"{r.status:<9} {r.source} ({r.chunks} chunks)")
    print(report.summary())
    return 0 if report.ok else 1


def law_main(args: argparse.Namespace, settings: Settings) -> int:
    """``python -m ingest law PATH [--act ACT] [--lang LANG]``: one downloaded law text."""
    if not args.path.is_file():
        print(f"error: no such file: {args.path}", file=sys.stderr)
        return 2
    kb = _open(settings, args.collection)
    if kb is None:
        return 2
    try:
        result = Ingestor(kb).ingest_law(args.path, args.act, args.lang, dry_run=args.dry_run)
    except (LoadError, ValueError, OSError) as exc:
        print(f"FAILED  {args.path}: {exc}", file=sys.stderr)
        return 1
    finally:
        kb.close()
    print(f"{result.status:<9} {result.source} ({result.chunks} chunks)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
