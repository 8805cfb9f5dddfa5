"""The evaluation programs' command lines: ``python -m eval``, ``python -m eval.calibrate``
and ``python -m eval.bench.*`` parse every documented invocation (eval/README.md, README.md,
docs/deployment.md, scripts/test.sh, the modules' docstrings); help exits 0, an unknown
option exits 2."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from eval import corpus, thresholds

EVAL = importlib.import_module("eval.__main__")
BENCH = ("engines", "ingest", "load", "memory", "pii", "query", "segment")
PROGRAMS = {"eval": "eval.__main__", "eval.calibrate": "eval.calibrate"} | {
    f"eval.bench.{name}": f"eval.bench.{name}" for name in BENCH
}


def parse(module: str, argv: list[str]):
    return importlib.import_module(module).build_parser().parse_args(argv)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {"set": "all", "check": False, "limit": None, "kinds": None}),
        (["--check"], {"check": True, "set": "all"}),  # scripts/test.sh
        (["--check", "--set", "policies"], {"check": True, "set": "policies"}),
        (["--set", "policies", "--limit", "60"], {"set": "policies", "limit": 60}),
        (["--set", "shared", "--report", "/tmp/shared.md"],
         {"set": "shared", "report": Path("/tmp/shared.md")}),
        (["--kinds", "refusal,pii"], {"kinds": "refusal,pii"}),
        (["--report", "/tmp/e/report.md"], {"report": Path("/tmp/e/report.md")}),
        (["--mode", "openai", "--base-url", "http://localhost:11434/v1", "--model",
          "qwen2.5:7b-instruct"],
         {"mode": "openai", "base_url": "http://localhost:11434/v1",
          "model": "qwen2.5:7b-instruct"}),
        (["--mode", "ollama", "--base-url", "http://localhost:11434", "--model", "m"],
         {"mode": "ollama", "base_url": "http://localhost:11434"}),
        (["--check", "--set", "shared", "--shared-corpus", "/tmp/empty"],
         {"shared_corpus": Path("/tmp/empty")}),
        (["--thresholds", "llm.toml"], {"thresholds": Path("llm.toml")}),
        (["--store-cache", ".cache/stores"], {"store_cache": Path(".cache/stores")}),
    ],
)  # fmt: skip
def test_eval_invocations(argv, expected):
    args = parse("eval.__main__", argv)
    for key, value in expected.items():
        assert getattr(args, key) == value, key


def test_eval_defaults(monkeypatch):
    monkeypatch.delenv(corpus.CACHE_ENV, raising=False)
    args = parse("eval.__main__", [])
    assert args.report == EVAL.DEFAULT_REPORT
    assert args.thresholds == thresholds.THRESHOLDS_FILE
    assert args.shared_corpus == corpus.SHARED_CORPUS
    assert args.store_cache is None  # no cache: ingest every time
    monkeypatch.setenv(corpus.CACHE_ENV, "/tmp/stores")
    assert parse("eval.__main__", []).store_cache == Path("/tmp/stores")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["eval/out/report.jsonl"], {"records": [Path("eval/out/report.jsonl")],
                                     "answerable_answered": None}),
        (["/tmp/e/report.jsonl", "--answerable-answered", "0.88"],
         {"answerable_answered": 0.88}),
        (["a.jsonl", "b.jsonl", "--unanswerable-answered", "0.1", "--answerable-refused", "0.05"],
         {"records": [Path("a.jsonl"), Path("b.jsonl")], "unanswerable_answered": 0.1,
          "answerable_refused": 0.05}),
    ],
)  # fmt: skip
def test_calibrate_invocations(argv, expected):
    args = parse("eval.calibrate", argv)
    for key, value in expected.items():
        assert getattr(args, key) == value, key


@pytest.mark.parametrize(
    ("module", "argv", "expected"),
    [
        ("engines", [], {"questions": 400}),
        ("engines", ["--questions", "50"], {"questions": 50}),
        ("ingest", [], {"paths": [Path("policies")]}),
        ("ingest", ["a", "b"], {"paths": [Path("a"), Path("b")]}),
        ("load", [], {"concurrency": 20, "requests": 200, "duration": 120.0, "url": None}),
        ("load", ["--concurrency", "20", "--requests", "200", "--duration", "120"],
         {"concurrency": 20}),
        ("load", ["--url", "http://127.0.0.1:8000", "--pid", "42"],
         {"url": "http://127.0.0.1:8000", "pid": 42}),
        ("memory", [], {"chunks": 10_000}),
        ("memory", ["--chunks", "10000"], {"chunks": 10_000}),
        ("pii", ["--n", "300", "--rounds", "3"], {"n": 300, "rounds": 3}),
        ("query", [], {"questions": 60, "chunks": 10_000}),
        ("query", ["--questions", "60", "--chunks", "10000"], {"questions": 60}),
        ("segment", ["--corpus", "../shared/corpus", "--show", "5"],
         {"corpus": Path("../shared/corpus"), "show": 5}),
    ],
)  # fmt: skip
def test_bench_invocations(module, argv, expected):
    args = parse(f"eval.bench.{module}", argv)
    for key, value in expected.items():
        assert getattr(args, key) == value, key


@pytest.mark.parametrize("program", list(PROGRAMS))
def test_help_exits_0(program, capsys):
    module = importlib.import_module(PROGRAMS[program])
    with pytest.raises(SystemExit) as exc:
        module.main(["--help"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: python -m {program}")


@pytest.mark.parametrize("program", list(PROGRAMS))
def test_an_unknown_option_exits_2(program, capsys):
    module = importlib.import_module(PROGRAMS[program])
    argv = ["--no-such-option"] + (["r.jsonl"] if program == "eval.calibrate" else [])
    with pytest.raises(SystemExit) as exc:
        module.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"python -m {program}: error: unrecognized arguments: --no-such-option" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "everything"], "argument --set: invalid choice: 'everything'"),
        (["--limit", "some"], "argument --limit: invalid int value: 'some'"),
        (["--mode", "gpt"], "argument --mode: invalid choice: 'gpt'"),
    ],
)
def test_eval_bad_values_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        EVAL.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_load_refuses_non_positive_limits(capsys):
    with pytest.raises(SystemExit) as exc:
        importlib.import_module("eval.bench.load").main(["--requests", "0"])
    assert exc.value.code == 2
    assert "must be positive" in capsys.readouterr().err
