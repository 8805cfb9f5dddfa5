"""The shared command-line helper: subcommands with a default (core/cli.py)."""

from __future__ import annotations

import pytest

from core import cli


def _parser(default: str | None = "run") -> cli.Parser:
    parser = cli.Parser(prog="prog")
    commands = parser.add_commands(default=default)
    run = commands.add_parser("run", help="run it (the default)")
    run.add_argument("paths", nargs="*")
    run.add_argument("--fast", action="store_true")
    other = commands.add_parser("other", help="the other one")
    other.add_argument("path")
    return parser


@pytest.mark.parametrize(
    ("argv", "command", "paths"),
    [
        ([], "run", []),
        (["a", "b"], "run", ["a", "b"]),
        (["--fast", "a"], "run", ["a"]),
        (["run", "a"], "run", ["a"]),
        (["./other"], "run", ["./other"]),  # a folder named like a subcommand
    ],
)
def test_arguments_without_a_subcommand_are_the_default_ones(argv, command, paths):
    args = _parser().parse_args(argv)
    assert (args.command, args.paths) == (command, paths)


def test_a_named_subcommand_is_taken():
    args = _parser().parse_args(["other", "x"])
    assert (args.command, args.path) == ("other", "x")


def test_parse_known_args_inserts_the_default_too():
    args, rest = _parser().parse_known_args(["a", "--later"])
    assert (args.command, args.paths, rest) == ("run", ["a"], ["--later"])


def test_help_shows_the_overview_not_the_default_subcommand(capsys):
    with pytest.raises(SystemExit) as exc:
        _parser().parse_args(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "usage: prog" in out and "run it (the default)" in out and "the other one" in out
    with pytest.raises(SystemExit) as exc:
        _parser().parse_args(["run", "-h"])
    assert exc.value.code == 0
    assert "--fast" in capsys.readouterr().out


def test_an_unknown_option_is_argparse_s_error(capsys):
    with pytest.raises(SystemExit) as exc:
        _parser().parse_args(["--nope"])
    assert exc.value.code == 2
    assert "prog: error: unrecognized arguments: --nope" in capsys.readouterr().err


def test_without_a_default_a_subcommand_is_required(capsys):
    parser = _parser(default=None)
    with pytest.raises(SystemExit) as exc:
        parser.parse_args([])
    assert exc.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err
    assert parser.parse_args(["run"]).command == "run"


def test_a_parser_without_subcommands_is_plain_argparse(capsys):
    parser = cli.Parser(prog="single")
    parser.add_argument("--n", type=int, default=3)
    assert parser.parse_args([]).n == 3
    assert parser.with_default_command(["x"]) == ["x"]
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["--n", "x"])
    assert exc.value.code == 2
    assert "invalid int value" in capsys.readouterr().err


def test_subcommands_are_named_after_the_program_even_with_a_usage_text(capsys):
    parser = cli.Parser(prog="prog", usage="%(prog)s [run] ...\n       %(prog)s other PATH")
    commands = parser.add_commands(default="run")
    commands.add_parser("run")
    commands.add_parser("other").add_argument("path")
    with pytest.raises(SystemExit):
        parser.parse_args(["other"])
    assert "prog other: error: the following arguments are required: path" in (
        capsys.readouterr().err
    )
