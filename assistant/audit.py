"""The audit trail: redacted questions, answers, citations and timings; user feedback; and
who uploaded, corrected, approved or deleted which document.

Users appear only as keyed pseudonyms with their role and organisations
(assistant/access.py), never by name. Only already-scrubbed text is ever passed in (the
service scrubs first). Rows older than the retention setting are deleted on every write;
with retention 0 nothing is kept. The number of answers kept is capped too (~4 kB each):
beyond ``max_answers`` the oldest go, with their feedback, so a flood of questions cannot
fill the disk within the retention period.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.access import Principal
from assistant.result import Answer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY, ts TEXT NOT NULL, redacted_query TEXT NOT NULL,
    standalone_query TEXT NOT NULL, redactions TEXT NOT NULL, answer TEXT NOT NULL,
    refused INTEGER NOT NULL, mode TEXT NOT NULL, citations TEXT NOT NULL,
    sentences TEXT NOT NULL, timings TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, answer_id TEXT NOT NULL,
    rating TEXT NOT NULL, comment TEXT NOT NULL, redactions TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, user TEXT NOT NULL,
    role TEXT NOT NULL, action TEXT NOT NULL, document_id TEXT NOT NULL, detail TEXT NOT NULL);
"""
# added to answers after the first schema: who asked (pseudonym, role, organisations)
_ANSWER_USER = {"user": "TEXT NOT NULL DEFAULT ''", "role": "TEXT NOT NULL DEFAULT ''",
                "organisations": "TEXT NOT NULL DEFAULT '[]'"}  # fmt: skip
_ANSWER_COLUMNS = ("id, ts, user, role, organisations, redacted_query, standalone_query, "
                   "redactions, answer, refused, mode, citations, sentences, timings")  # fmt: skip


class UnknownAnswerError(KeyError):
    """Feedback refers to an answer id that is not (or no longer) in the audit trail."""


class AuditLog:
    def __init__(self, path: Path, retention_days: int, max_answers: int = 200_000) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.retention, self.max_answers = retention_days, max_answers
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.executescript(_SCHEMA)
        have = {row[1] for row in self._db.execute("PRAGMA table_info(answers)")}
        with self._db:
            for name, kind in _ANSWER_USER.items():
                if name not in have:
                    self._db.execute(f"ALTER TABLE answers ADD COLUMN {name} {kind}")

    def _purge(self, room: int = 0) -> None:
        """Drop rows past retention and answers past the cap (``room`` = rows about to come)."""
        cutoff = (datetime.now(UTC) - timedelta(days=self.retention)).isoformat()
        self._db.execute("DELETE FROM answers WHERE ts < ?", (cutoff,))
        self._db.execute("DELETE FROM feedback WHERE ts < ?", (cutoff,))
        self._db.execute("DELETE FROM events WHERE ts < ?", (cutoff,))
        excess = "SELECT id FROM answers ORDER BY ts DESC, rowid DESC LIMIT -1 OFFSET ?"
        keep = max(self.max_answers - room, 0)
        self._db.execute(f"DELETE FROM feedback WHERE answer_id IN ({excess})", (keep,))
        self._db.execute(f"DELETE FROM answers WHERE id IN ({excess})", (keep,))

    def record_answer(self, answer: Answer, user: Principal) -> None:
        """An answer as the API shows it (``as_dict`` records; citations without the chunk
        text), with who asked as a pseudonym."""
        citations = [{k: v for k, v in c.as_dict().items() if k != "text"} for c in answer.sources]
        with self._lock, self._db:
            self._purge(room=1)
            if self.retention == 0:
                return
            self._db.execute(
                f"INSERT INTO answers ({_ANSWER_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    answer.id, datetime.now(UTC).isoformat(), user.subject, user.role,
                    json.dumps(list(user.organisations), ensure_ascii=False),
                    answer.redacted, answer.standalone,
                    json.dumps([asdict(r) for r in answer.redactions]), answer.text,
                    int(answer.refused), answer.mode, json.dumps(citations),
                    json.dumps([s.as_dict() for s in answer.statements]),
                    json.dumps(answer.timings),
                ),
            )  # fmt: skip

    def record_feedback(
        self, answer_id: str, rating: str, comment: str, redactions: list[dict]
    ) -> None:
        with self._lock, self._db:
            self._purge()
            known = self._db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone()
            if not known:
                raise UnknownAnswerError(answer_id)
            self._db.execute(
                "INSERT INTO feedback (ts, answer_id, rating, comment, redactions) "
                "VALUES (?,?,?,?,?)",
                (datetime.now(UTC).isoformat(), answer_id, rating, comment, json.dumps(redactions)),
            )

    def record_event(
        self, user: Principal, action: str, document_id: str, detail: str = ""
    ) -> None:
        """Who did what to a document (upload, correct, approve, delete)."""
        with self._lock, self._db:
            self._purge()
            if self.retention == 0:
                return
            self._db.execute(
                "INSERT INTO events (ts, user, role, action, document_id, detail) "
                "VALUES (?,?,?,?,?,?)",
                (datetime.now(UTC).isoformat(), user.subject, user.role, action, document_id,
                 detail),
            )  # fmt: skip

    def answers(self, organisations: list[str] | None, limit: int = 100) -> list[dict[str, Any]]:
        """The latest answers with their feedback, newest first; ``organisations``: only
        answers to users all of whose organisations are among them (None: all)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ANSWER_COLUMNS} FROM answers ORDER BY ts DESC, rowid DESC"
            ).fetchall()
            feedback = self._db.execute(
                "SELECT answer_id, ts, rating, comment FROM feedback ORDER BY id"
            ).fetchall()
        by_answer: dict[str, list[dict[str, str]]] = {}
        for answer_id, ts, rating, comment in feedback:
            by_answer.setdefault(answer_id, []).append(
                {"ts": ts, "rating": rating, "comment": comment}
            )
        names = [c.strip() for c in _ANSWER_COLUMNS.split(",")]
        out = []
        for row in rows:
            item = dict(zip(names, row, strict=True))
            orgs = json.loads(item["organisations"])
            if organisations is not None and not (orgs and set(orgs) <= set(organisations)):
                continue
            for key in ("organisations", "redactions", "citations", "sentences", "timings"):
                item[key] = json.loads(item[key])
            item["refused"] = bool(item["refused"])
            item["feedback"] = by_answer.get(item["id"], [])
            out.append(item)
            if len(out) >= limit:
                break
        return out

    def events(self) -> list[dict[str, str]]:
        """Every document event, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT ts, user, role, action, document_id, detail FROM events ORDER BY id"
            ).fetchall()
        keys = ("ts", "user", "role", "action", "document_id", "detail")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def dump(self) -> str:
        """Every stored row as text (used by tests to prove no raw personal data is kept)."""
        with self._lock:
            rows = [
                *self._db.execute("SELECT * FROM answers"),
                *self._db.execute("SELECT * FROM feedback"),
                *self._db.execute("SELECT * FROM events"),
            ]
        return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)

    def close(self) -> None:
        with self._lock:
            self._db.close()
