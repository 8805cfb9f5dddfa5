"""The one command-line style of the project's programs.

Every program (``python -m ingest``, ``python -m assistant``, ``python -m eval``,
``python -m eval.calibrate``, ``python -m eval.bench.*``) is plain argparse: a
``build_parser()`` that returns a :class:`Parser`, a ``main(argv: list[str] | None = None)
-> int`` and ``if __name__ == "__main__": raise SystemExit(main())``. A program with more
than one action has subcommands (:meth:`Parser.add_commands`); one of them may be the
default, taken when the first argument names no subcommand::

    python -m ingest policies/ --dry-run   ==  python -m ingest documents policies/ --dry-run
    python -m assistant                    ==  python -m assistant serve

``-h``/``--help`` as the first argument shows the overview of all subcommands. A folder
whose name is a subcommand's (``law``) is given as ``./law``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

HELP = frozenset({"-h", "--help"})


class Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose subcommands may have a default."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._commands: argparse._SubParsersAction | None = None
        self._default_command: str | None = None

    def add_commands(self, default: str | None = None, **kwargs) -> argparse._SubParsersAction:
        """The subcommands (``args.command`` is the chosen one's name; one is required).

        With ``default``, arguments that do not start with a subcommand's name (or ``-h``)
        are that subcommand's: ``prog ARGS`` = ``prog DEFAULT ARGS``, ``prog`` = ``prog
        DEFAULT``.
        """
        kwargs.setdefault("prog", self.prog)  # not the usage text, when one is given
        kwargs.setdefault("dest", "command")
        kwargs.setdefault("metavar", "COMMAND")
        self._commands = self.add_subparsers(required=True, **kwargs)
        self._default_command = default
        return self._commands

    def with_default_command(self, args: Sequence[str]) -> list[str]:
        """``args`` with the default subcommand inserted first when they name none."""
        args = list(args)
        if self._commands is None or self._default_command is None:
            return args
        if args and (args[0] in self._commands.choices or args[0] in HELP):
            return args
        return [self._default_command, *args]

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        args = sys.argv[1:] if args is None else args
        return super().parse_known_args(self.with_default_command(args), namespace)
