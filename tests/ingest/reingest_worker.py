"""A real process for the kill tests (tests/ingest/test_atomic_replace.py).

``python -m tests.ingest.reingest_worker DATA FOLDER loop [START]``: re-ingests FOLDER in a
loop while changing its files (one document alternates between two versions with different
chunk counts, another is edited, a third comes and goes), printing ``ready``, ``round N``.

``… DATA FOLDER after-add|before-delete``: switches the password document to its other
version and ingests once, killing itself with SIGKILL right after the new chunks are written,
or at the first delete after they are written (with PA_KEEP_VERSIONS=0, so the replaced
version is deleted rather than kept as an earlier version).
"""

from __future__ import annotations

import os
import signal
import sys
from itertools import count
from pathlib import Path

from core.settings import Settings
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor

PASSWORD_SHORT = """# Rutin för lösenord

## 1 Krav

Lösenord ska ha minst 12 tecken och får inte återanvändas.

## 2 Byte

Lösenord byts direkt om det misstänks vara röjt.
"""
PASSWORD_LONG = """# Rutin för lösenord

## 1 Krav

Lösenord ska ha minst 16 tecken och får inte återanvändas.

## 2 Byte

Lösenord byts direkt om det misstänks vara röjt.

## 3 Lösenordshanterare

Lösenord sparas i kommunens godkända lösenordshanterare, aldrig i dokument eller e-post.

## 4 Tvåfaktorsinloggning

Konton med behörighet till personuppgifter kräver tvåfaktorsinloggning.
"""
BACKUP = """# Rutin för säkerhetskopiering

## 1 Omfattning

Rutinen gäller alla servrar i Höglandets gemensamma driftmiljö.

## 2 Frekvens

Säkerhetskopiering sker {when}. Återläsning testas en gång per kvartal.
"""
EXTRA = """# Rutin för skrivare

## 1 Utskrifter

Utskrifter med personuppgifter hämtas direkt vid skrivaren med passerkort.
"""
WHEN = ["varje natt", "två gånger per dygn", "varje timme"]


def write(path: Path, text: str) -> None:
    """Replace a file atomically (the folder never holds a half-written file)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def set_round(folder: Path, i: int) -> None:
    """The folder's content in round ``i``: the password rule changes every round, the backup
    routine every third, the printer routine comes and goes every fourth."""
    write(folder / "losenord.md", PASSWORD_LONG if i % 2 else PASSWORD_SHORT)
    write(folder / "backup.md", BACKUP.format(when=WHEN[(i // 3) % 3]))
    extra = folder / "skrivare.md"
    if (i // 4) % 2 == 0:
        write(extra, EXTRA)
    else:
        extra.unlink(missing_ok=True)


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> int:
    data, folder, mode = Path(argv[0]), Path(argv[1]), argv[2]
    keep = {"keep_versions": 0} if mode == "before-delete" else {}
    kb = KnowledgeBase(Settings(_env_file=None, data_dir=data, **keep))
    ingestor = Ingestor(kb)
    if mode in ("after-add", "before-delete"):
        client = type(kb.client)  # the engine's client class (Qdrant Edge or local mode)
        real_add, real_delete = type(kb).add, client.delete
        written = False

        def add(self, *args):  # type: ignore[no-untyped-def]
            nonlocal written
            real_add(self, *args)
            written = True
            if mode == "after-add":
                _die()

        def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if written:
                _die()
            return real_delete(self, *args, **kwargs)

        type(kb).add = add  # type: ignore[method-assign]
        client.delete = delete  # type: ignore[method-assign]
        text = (folder / "losenord.md").read_text(encoding="utf-8")
        write(folder / "losenord.md", PASSWORD_SHORT if "16" in text else PASSWORD_LONG)
        ingestor.ingest([folder])
        return 3  # not killed: the hook was never reached
    real_add, real_delete_document = type(kb).add, type(kb).delete_document

    def announced_add(self, *args):  # type: ignore[no-untyped-def]
        print("write", flush=True)  # lets the test aim some kills at the write window
        real_add(self, *args)

    def announced_delete(self, document_id):  # type: ignore[no-untyped-def]
        print("write", flush=True)
        real_delete_document(self, document_id)

    type(kb).add = announced_add  # type: ignore[method-assign]
    type(kb).delete_document = announced_delete  # type: ignore[method-assign]
    print("ready", flush=True)
    for i in count(int(argv[3]) if len(argv) > 3 else 0):
        set_round(folder, i)
        ingestor.ingest([folder])
        print(f"round {i}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
