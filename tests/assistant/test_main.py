"""``python -m assistant``: every documented invocation parses (README.md, docs/,
scripts/run.sh, compose.yaml, Dockerfile, the tests), ``serve`` is the default, help and
errors are argparse's."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant.__main__ import build_parser, main
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("argv", "host", "port"),
    [
        ([], None, None),  # python -m assistant
        (["serve"], None, None),
        (["serve", "--port", "8501"], None, 8501),  # scripts/run.sh
        (["serve", "--host", "0.0.0.0", "--port", "8000"], "0.0.0.0", 8000),  # compose, Docker
        (["serve", "--host", "127.0.0.1", "--port", "9000"], "127.0.0.1", 9000),  # tests
        (["--port", "8001"], None, 8001),  # the default subcommand's options alone
    ],
)
def test_serve_invocations(argv, host, port):
    args = build_parser().parse_args(argv)
    assert (args.command, args.host, args.port) == ("serve", host, port)


@pytest.mark.parametrize(
    ("argv", "question", "as_json"),
    [
        (["ask", "Hur snabbt ska en personuppgiftsincident anmälas till IMY?"],
         ["Hur snabbt ska en personuppgiftsincident anmälas till IMY?"], False),
        (["ask", "--json", "Hur långt måste ett lösenord vara?"],
         ["Hur långt måste ett lösenord vara?"], True),
        (["ask", "Hur", "långt?", "--json"], ["Hur", "långt?"], True),
    ],
)  # fmt: skip
def test_ask_invocations(argv, question, as_json):
    args = build_parser().parse_args(argv)
    assert (args.command, args.question, args.json) == ("ask", question, as_json)


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["serve", "--help"], ["ask", "-h"]])
def test_help_exits_0(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("usage: python -m assistant")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--bogus"], "python -m assistant: error: unrecognized arguments: --bogus"),
        (["serve", "--workers", "2"], "unrecognized arguments: --workers 2"),
        (["ask", "--yaml", "fråga"], "unrecognized arguments: --yaml"),
        (["ask"], "python -m assistant ask: error: the following arguments are required"),
        (["serve", "--port", "http"], "argument --port: invalid int value: 'http'"),
    ],
)
def test_unknown_options_and_bad_values_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_help_and_errors_from_the_command_line():
    run = [sys.executable, "-m", "assistant"]
    done = subprocess.run([*run, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "serve" in done.stdout and "ask" in done.stdout
    done = subprocess.run([*run, "--bogus"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unrecognized arguments: --bogus" in done.stderr
