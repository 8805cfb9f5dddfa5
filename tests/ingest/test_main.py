"""``python -m ingest``: every documented invocation parses (README.md, docs/, scripts/run.sh,
compose.yaml, eval/bench/load.py, the tests), help and errors are argparse's, and one real
run in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings
from core.store import KnowledgeBase
from eval import corpus
from ingest.__main__ import build_parser, main
from tests.conftest import POLICIES, ROOT, make_settings


@pytest.fixture(scope="module")
def parser():
    return build_parser(Settings(_env_file=None))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["policies/"], {"paths": [Path("policies")]}),
        ([], {"paths": []}),
        (["~/styrdokument", "--dry-run"], {"paths": [Path("~/styrdokument")], "dry_run": True}),
        (["policies/", "--rebuild"], {"paths": [Path("policies")], "rebuild": True}),
        (["--rebuild", "policies/"], {"paths": [Path("policies")], "rebuild": True}),
        (["--dry-run", "policies/"], {"paths": [Path("policies")], "dry_run": True}),
        (["/policies", "--dry-run"], {"paths": [Path("/policies")], "dry_run": True}),
        (["policies/", "-q"], {"paths": [Path("policies")], "quiet": True}),  # scripts/run.sh
        (["/policies", "-q"], {"paths": [Path("/policies")], "quiet": True}),  # compose.yaml
        (["-q", "a", "b"], {"paths": [Path("a"), Path("b")], "quiet": True}),  # tests
        (["--quiet", "a"], {"paths": [Path("a")], "quiet": True}),
        (["policies/", "--no-prune"], {"no_prune": True}),
        (
            ["PATH", "--scope", "Eksjö", "--classification", "intern"],
            {"paths": [Path("PATH")], "scope": ["Eksjö"], "classification": "intern"},
        ),
        (["a", "--scope", "Aneby", "Eksjö"], {"scope": ["Aneby", "Eksjö"]}),
        (["a", "--scope", "alla"], {"scope": ["alla"]}),
        (["--collection", "other", "a"], {"collection": "other", "paths": [Path("a")]}),
        (["documents", "policies/", "--dry-run"], {"paths": [Path("policies")], "dry_run": True}),
        (["./law"], {"paths": [Path("law")]}),  # a folder named like the subcommand
    ],
)
def test_documents_invocations(parser, argv, expected):
    args = parser.parse_args(argv)
    assert args.command == "documents"
    for key, value in expected.items():
        assert getattr(args, key) == value, key
    defaults = {"rebuild": False, "dry_run": False, "no_prune": False, "quiet": False,
                "scope": None, "classification": None, "collection": None}  # fmt: skip
    for key, value in defaults.items():
        if key not in expected:
            assert getattr(args, key) == value, key


@pytest.mark.parametrize(
    ("argv", "path", "act", "lang"),
    [
        (["law", "~/Hämtat/CELEX_32016R0679_SV.html", "--act", "gdpr", "--lang", "sv"],
         "~/Hämtat/CELEX_32016R0679_SV.html", "gdpr", "sv"),
        (["law", "~/Hämtat/dataskyddslagen.txt", "--act", "sfs:2018:218"],
         "~/Hämtat/dataskyddslagen.txt", "sfs:2018:218", None),
        (["law", "gdpr-en.html", "--act", "gdpr", "--lang", "en"], "gdpr-en.html", "gdpr", "en"),
        (["law", "/laws/gdpr-sv.html", "--act", "gdpr", "--lang", "sv"],
         "/laws/gdpr-sv.html", "gdpr", "sv"),
        (["law", "lag.txt"], "lag.txt", None, None),
    ],
)  # fmt: skip
def test_law_invocations(parser, argv, path, act, lang):
    args = parser.parse_args(argv)
    assert (args.command, args.path, args.act, args.lang) == ("law", Path(path), act, lang)
    assert (args.dry_run, args.collection) == (False, None)


def test_law_options_shared_with_documents(parser):
    args = parser.parse_args(["law", "x.html", "--dry-run", "--collection", "c"])
    assert (args.dry_run, args.collection) == (True, "c")


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["documents", "--help"], ["law", "-h"]])
def test_help_exits_0(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m ingest")
    if argv[0] != "law":
        assert "--dry-run" in out or "law" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--bogus"], "python -m ingest: error: unrecognized arguments: --bogus"),
        (["policies/", "--bogus"], "unrecognized arguments: --bogus"),
        (["law", "x.html", "--bogus"], "unrecognized arguments: --bogus"),
        (["law"], "python -m ingest law: error: the following arguments are required: path"),
        (["law", "x.html", "--lang", "de"], "argument --lang: invalid choice: 'de'"),
        (["a", "--scope", "Jönköping"], "argument --scope: invalid choice: 'Jönköping'"),
        (["a", "--classification", "hemlig"], "argument --classification: invalid choice"),
    ],
)
def test_unknown_options_and_bad_values_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def _run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    env.update(PA_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_a_missing_path_is_a_clear_error(tmp_path: Path, capsys):
    assert main([str(tmp_path / "nowhere"), "-q"]) == 2
    assert f"error: no such file or folder: {tmp_path / 'nowhere'}" in capsys.readouterr().err
    assert main(["law", str(tmp_path / "lag.txt")]) == 2
    assert f"error: no such file: {tmp_path / 'lag.txt'}" in capsys.readouterr().err


def test_dry_run_of_the_policies_as_a_subprocess(policies_kb, embedder, tmp_path: Path):
    """``python -m ingest --dry-run policies/`` (option first: the default subcommand) on a
    temporary PA_DATA_DIR holding a copy of the session's store ingested from the same
    folder: every file is unchanged and nothing is rewritten (what the store cache relies
    on)."""
    data = tmp_path / "data"
    store = policies_kb.settings.qdrant_location
    cached = corpus.cached_store(corpus.store_cache(), POLICIES, policies_kb.settings)
    corpus.copy_store(cached or store, data / store.name)
    done = _run(["--dry-run", "policies/"], data)
    assert done.returncode == 0, done.stderr
    docs = policies_kb.documents()
    summary = f"Dry run — would ingest: 0 new, 0 changed, {len(docs)} unchanged, 0 removed"
    assert summary in done.stdout
    kb = KnowledgeBase(make_settings(data), embedder=embedder)
    try:
        after = kb.documents()
    finally:
        kb.close()
    assert {k: (d.generation, d.content_hash, d.root) for k, d in after.items()} == {
        k: (d.generation, d.content_hash, d.root) for k, d in docs.items()
    }
