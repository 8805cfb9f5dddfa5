"""The audit trail: redacted questions, answers, citations and timings; plus user feedback.

Only already-scrubbed text is ever passed in (the service scrubs first). Rows older than the
retention setting are deleted on every write; with retention 0 nothing is kept. The number of
answers kept is capped too (~4 kB each): beyond ``max_answers`` the oldest go, with their
feedback, so a flood of questions cannot fill the disk within the retention period.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.schemas import AskResponse

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY, ts TEXT NOT NULL, redacted_query TEXT NOT NULL,
    standalone_query TEXT NOT NULL, redactions TEXT NOT NULL, answer TEXT NOT NULL,
    refused INTEGER NOT NULL, mode TEXT NOT NULL, citations TEXT NOT NULL,
    sentences TEXT NOT NULL, timings TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, answer_id TEXT NOT NULL,
    rating TEXT NOT NULL, comment TEXT NOT NULL, redactions TEXT NOT NULL);
"""


class UnknownAnswerError(KeyError):
    """Feedback refers to an answer id that is not (or no longer) in the audit trail."""


class AuditLog:
    def __init__(self, path: Path, retention_days: int, max_answers: int = 200_000) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.retention, self.max_answers = retention_days, max_answers
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.executescript(_SCHEMA)

    def _purge(self, room: int = 0) -> None:
        """Drop rows past retention and answers past the cap (``room`` = rows about to come)."""
        cutoff = (datetime.now(UTC) - timedelta(days=self.retention)).isoformat()
        self._db.execute("DELETE FROM answers WHERE ts < ?", (cutoff,))
        self._db.execute("DELETE FROM feedback WHERE ts < ?", (cutoff,))
        excess = "SELECT id FROM answers ORDER BY ts DESC, rowid DESC LIMIT -1 OFFSET ?"
        keep = max(self.max_answers - room, 0)
        self._db.execute(f"DELETE FROM feedback WHERE answer_id IN ({excess})", (keep,))
        self._db.execute(f"DELETE FROM answers WHERE id IN ({excess})", (keep,))

    def record_answer(self, r: AskResponse) -> None:
        with self._lock, self._db:
            self._purge(room=1)
            if self.retention == 0:
                return
            self._db.execute(
                "INSERT INTO answers VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    r.id, datetime.now(UTC).isoformat(), r.redacted_query, r.standalone_query,
                    json.dumps([x.model_dump() for x in r.redactions]), r.answer, int(r.refused),
                    r.mode, json.dumps([c.model_dump(exclude={"text"}) for c in r.citations]),
                    json.dumps([s.model_dump() for s in r.sentences]), json.dumps(r.timings_ms),
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

    def dump(self) -> str:
        """Every stored row as text (used by tests to prove no raw personal data is kept)."""
        with self._lock:
            rows = [
                *self._db.execute("SELECT * FROM answers"),
                *self._db.execute("SELECT * FROM feedback"),
            ]
        return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)

    def close(self) -> None:
        with self._lock:
            self._db.close()
