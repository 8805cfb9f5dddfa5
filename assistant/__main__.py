"""``python -m assistant`` starts the API; ``python -m assistant ask "…" [--json]`` answers once."""

from __future__ import annotations

import argparse
import json
import sys

from assistant.logging_setup import setup_logging
from core.settings import get_settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from assistant.api import create_app

    settings = get_settings()
    setup_logging(settings.log_level)
    host = args.host or settings.api_host
    port = args.port or settings.api_port
    print(f"Policyassistentens API: http://{host}:{port}  (OpenAPI: http://{host}:{port}/docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)
    return 0


def _ask(args: argparse.Namespace) -> int:
    from assistant.access import unrestricted
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
        response = components.service.ask(request, unrestricted(settings))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="start the API (default)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    ask = sub.add_parser("ask", help="answer one question and exit")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--json", action="store_true", help="print the full API response as JSON")
    args = parser.parse_args(argv)
    if args.command == "ask":
        return _ask(args)
    if args.command is None:
        args.host, args.port = None, None
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
