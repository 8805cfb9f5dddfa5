"""The documents each golden set is asked against, and their ingestion into a fresh store."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

from core.settings import Settings
from core.store import KnowledgeBase
from eval.golden import GoldenItem
from ingest.pipeline import Ingestor, IngestReport

ROOT = Path(__file__).resolve().parents[1]
POLICIES_DIR = ROOT / "policies"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
# The shared set covers MSB's method support (all chapters; PROVENANCE.md is corpus metadata,
# not a text), Karlshamn's IT and information security policy, Sunet's IT security policy,
# acceptable-use policy, processor-agreement page and security handbook article, Falkenberg's
# DPIA of an AI knowledge portal, Digg's open-source security checklist and Kungsbacka's AI
# annotation project document (the off-topic PDFs, the malformed eduID page and the Sambruk
# DOCX of kommun_sv_more/ are left out), plus dataskyddslagen (SHARED_STATUTES).
SHARED_GLOBS = (
    "msb_metodstod_sv/*.md",
    "kommun_sv/karlshamn_7.54-IT-och-*.pdf",
    "kommun_sv_more/sunet_it_sakerhetspolicy_2008.md",
    "kommun_sv_more/sunet_policy_tillaten_anvandning_etiska_regler_2010.md",
    "kommun_sv_more/sunet_behandling_av_personuppgifter_sunets_tjanster.md",
    "kommun_sv_more/sunet_handbok_informations_och_it_sakerhet_2017.pdf",
    "kommun_sv_more/falkenberg_kunskapsportal_dpia.md",
    "kommun_sv_more/digg_opensource_checklista_sakerhet.md",
    "kommun_sv_more/kungsbacka_ai_bygglovshandlingar_annoteringsverktyget.docx",
)
SHARED_EXCLUDE = frozenset({"PROVENANCE.md"})
# Statutes of the shared set: the corpus has them as JSON (one object per paragraf); they are
# staged as Riksdagen's plain-text layout, which the statute loader reads (ingest/statutes.py),
# under a fixed name, so the document id is stable ("dataskyddslagen-txt").
SHARED_STATUTES = {"sfs_sv/dataskyddslagen.json": "dataskyddslagen.txt"}
_NOTE_THEN_HEADING = re.compile(r"((?:Lag|Förordning) \(\d{4}:\d{1,4}\)\.) (\S.*)$")
_GLUED_TRANSITIONAL = re.compile(r"\s+Övergångsbestämmelser\s.*$")


def shared_files(corpus: Path = SHARED_CORPUS) -> list[Path]:
    """The shared-corpus files of the shared set (sorted)."""
    files = {p for pattern in SHARED_GLOBS for p in corpus.glob(pattern) if p.is_file()}
    return sorted(p for p in files if p.name not in SHARED_EXCLUDE)


def riksdagen_text(data: dict) -> str:
    """A statute JSON of ``sfs_sv/`` (dataskyddslagen) in Riksdagen's plain-text layout:
    header, "N kap.", "N §   text", group headings on their own line, transitional provisions
    at the end."""
    issued = data.get("issued_date") or "2018-04-19"
    lines = [data["title"], "", f"SFS nr: {data['id']}", f"Utfärdad: {issued}", ""]
    chapter = None
    for p in data["provisions"]:
        if p["chapter"] != chapter:
            chapter = p["chapter"]
            lines += [f"{chapter} kap.", ""]
        # the JSON glues the transitional provisions to the last paragraf (written below)
        content, heading = _GLUED_TRANSITIONAL.sub("", p["content"]), None
        m = _NOTE_THEN_HEADING.search(content)
        if m:  # the JSON glues the next group heading after the amendment note
            content, heading = content[: m.end(1)], m.group(2)
        lines += [f"{p['section']} §   {content}", ""]
        if heading:
            lines += [heading, ""]
    lines += ["Övergångsbestämmelser", "", "2018:218", "1. Denna lag träder i kraft den 25 maj "
              "2018.", "2. Genom lagen upphävs personuppgiftslagen (1998:204)."]  # fmt: skip
    return "\n".join(lines) + "\n"


def stage_shared(target: Path, corpus: Path = SHARED_CORPUS) -> Path:
    """Copy the shared-set files flat into ``target``: document id = id of the file name;
    statutes are written as Riksdagen text under their ``SHARED_STATUTES`` name."""
    target.mkdir(parents=True, exist_ok=True)
    for path in shared_files(corpus):
        shutil.copy2(path, target / path.name)
    for source, name in SHARED_STATUTES.items():
        data = json.loads((corpus / source).read_text(encoding="utf-8"))
        (target / name).write_text(riksdagen_text(data), encoding="utf-8")
    return target


def present(folder: Path) -> bool:
    """True if ``folder`` exists and is not empty (an uninitialised checkout of ../shared is
    an empty folder: absent as well)."""
    return folder.is_dir() and any(folder.iterdir())


def corpus_folder(set_name: str, workdir: Path, shared: Path = SHARED_CORPUS) -> Path:
    """The folder to ingest for a set (the shared corpus ``shared`` is staged under
    ``workdir``)."""
    if set_name == "policies":
        return POLICIES_DIR
    if not present(shared):
        raise FileNotFoundError(shared)
    return stage_shared(workdir / "shared-corpus", shared)


def ingest(kb: KnowledgeBase, folder: Path) -> IngestReport:
    """Ingest ``folder``; raises RuntimeError if a file failed."""
    report = Ingestor(kb).ingest([folder])
    if not report.ok:
        failed = [f"{r.source}: {r.error}" for r in report.results if r.status == "failed"]
        raise RuntimeError("ingestion failed: " + "; ".join(failed))
    return report


def missing_documents(items: list[GoldenItem], kb: KnowledgeBase) -> list[str]:
    """Expected document ids that are not in the knowledge base (a renamed file, say)."""
    have = set(kb.documents())
    wanted = {e.document for item in items for e in item.expected}
    return sorted(wanted - have)


def ingest_into(data_dir: Path, folder: Path, overrides: dict) -> tuple[str, float]:
    """Ingest ``folder`` into a fresh store at ``data_dir`` and close it (run in a worker
    process, so that a second set is ingested while the first is evaluated).

    Returns the ingestion summary and its duration in seconds.
    """
    started = time.perf_counter()
    kb = KnowledgeBase(Settings(_env_file=None, data_dir=data_dir, **overrides))
    try:
        return ingest(kb, folder).summary(), time.perf_counter() - started
    finally:
        kb.close()
