"""``python -m assistant [serve] [--host H] [--port N]`` starts the API (``serve`` is the
default subcommand); ``python -m assistant ask [--json] "…"`` answers once."""

from __future__ import annotations

import argparse
import json
import sys

from assistant.logging_setup import setup_logging
from core import cli
from core.settings import get_settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from assistant.api import create_app, server

    settings = get_settings()
    setup_logging(settings.log_level, settings.log_libraries, settings.log_file)
    host = args.host or settings.api_host
    port = args.port or settings.api_port
    print(f"Policyassistentens API: http://{host}:{port}  (OpenAPI: http://{host}:{port}/docs)")
    uvicorn.Server(server.config(create_app(settings), settings, host, port)).run()
    return 0


def _ask(args: argparse.Namespace) -> int:
    from assistant.access import unrestricted
    from assistant.api import present
    from assistant.components import Components
    from assistant.llm import LLMUnavailableError
    from assistant.schemas import AskRequest
    from core.index import EmbedderMismatchError
    from core.store import StoreBusyError

    settings = get_settings()
    setup_logging("WARNING")
    try:
        components = Components.build(settings)
    except (StoreBusyError, EmbedderMismatchError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        request = AskRequest(question=" ".join(args.question))
        response = present.ask(components.service, request, unrestricted(settings))
    except LLMUnavailableError:
        print("error: the language model is not responding", file=sys.stderr)
        return 3
    finally:
        components.close()
    if args.json:
        print(json.dumps(response.model_dump(), ensure_ascii=False, indent=2))
        return 0
    print(response.answer)
    if response.redactions:
        print("\nBorttaget ur frågan: " + ", ".join(r.type for r in response.redactions))
    cited = [c for c in response.citations if c.cited]
    if cited:
        print("\nKällor:")
    for c in cited:
        page = f", s. {c.page}" if c.page else ""
        print(f"[{c.n}] {c.title} – {c.section or 'inledning'}{page}")
        print(f"    »{c.quote}«")
    return 0


def build_parser() -> cli.Parser:
    """``python -m assistant``: subcommands ``serve`` (the default) and ``ask``."""
    parser = cli.Parser(
        prog="python -m assistant",
        usage="%(prog)s [serve] [--host HOST] [--port PORT]\n"
        '       %(prog)s ask [--json] "QUESTION"',
        description="The policy assistant: the API (serve, the default) or one answer (ask).",
    )
    commands = parser.add_commands(default="serve")
    serve = commands.add_parser(
        "serve", prog="python -m assistant [serve]", help="start the API (the default)"
    )
    serve.add_argument("--host", help="default: PA_API_HOST (127.0.0.1)")
    serve.add_argument("--port", type=int, help="default: PA_API_PORT (8000)")
    ask = commands.add_parser("ask", help="answer one question and exit")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--json", action="store_true", help="print the full API response as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return _ask(args) if args.command == "ask" else _serve(args)


if __name__ == "__main__":
    raise SystemExit(main())
