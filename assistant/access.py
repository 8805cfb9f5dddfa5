"""Who may do what and read which documents: roles, organisations, classifications.

A :class:`Principal` is the signed-in user (or the local user when sign-in is off) as the
rest of the code sees it: a pseudonymous id, roles, organisations and the classifications
the roles may read. Retrieval turns it into conditions inside every Qdrant query
(``assistant/retrieval.py``), so a document outside the user's reach is never retrieved.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from core import index
from core.settings import ROLES, Settings

Permission = Literal[
    "ask", "feedback", "review", "upload", "correct", "approve", "delete", "export", "glossary"
]

# What each role may do. A redaktör's writes are limited to their organisations' documents.
PERMISSIONS: dict[str, frozenset[str]] = {
    "handläggare": frozenset({"ask", "feedback"}),
    "jurist": frozenset({"ask", "feedback", "review"}),
    "redaktör": frozenset({"ask", "feedback", "upload", "correct", "approve", "glossary"}),
    "administratör": frozenset({"ask", "feedback", "review", "upload", "correct", "approve",
                                "delete", "export", "glossary"}),
}  # fmt: skip
assert set(PERMISSIONS) == set(ROLES)
LOCAL = "lokal"  # the subject of the local user (sign-in off)
LOCAL_AT_MOST = frozenset({"ask", "feedback", "review"})  # whatever PA_LOCAL_ROLE says


@dataclass(frozen=True)
class Principal:
    """A user as far as access goes (never a name: ``subject`` is a keyed pseudonym)."""

    subject: str
    roles: tuple[str, ...]
    organisations: tuple[str, ...]
    classifications: tuple[str, ...]  # the levels the roles may read
    every_organisation: bool = False  # administrators; the local user when sign-in is off
    signed_in: bool = False

    @property
    def role(self) -> str:
        """The most capable role (what the audit trail records)."""
        return max(self.roles, key=ROLES.index) if self.roles else ""

    @property
    def permissions(self) -> frozenset[str]:
        """The roles' permissions. The anonymous local user (sign-in off) never writes or
        exports (that needs the administrator key), and rates answers only where its role
        reviews them anyway: else anyone who reaches the port writes into the review trail."""
        granted = frozenset().union(*(PERMISSIONS[r] for r in self.roles))
        if self.subject != LOCAL:
            return granted
        granted &= LOCAL_AT_MOST
        return granted if "review" in granted else granted - {"feedback"}

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions

    def sees(self, scope: list[str], classification: str | None, settings: Settings) -> bool:
        """Whether a document with this scope and classification is within reach (the same
        rule as :func:`conditions`, for one document already read)."""
        level = classification or settings.default_classification
        shared = not scope or index.SHARED in scope
        own = self.every_organisation or shared or bool(set(scope) & set(self.organisations))
        return own and level in self.classifications

    def writes(self, scope: list[str]) -> bool:
        """Whether this user may change a document of this scope: administrators any; a
        redaktör only documents scoped to their own organisations (never shared ones)."""
        if self.every_organisation and "delete" in self.permissions:
            return True
        return bool(scope) and index.SHARED not in scope and set(scope) <= set(self.organisations)


def readable(roles: tuple[str, ...], settings: Settings) -> tuple[str, ...]:
    """The classifications the highest of ``roles`` may read (lowest first)."""
    levels = settings.classifications
    top = max((levels.index(settings.role_classification.get(r, levels[0])) for r in roles),
              default=-1)  # fmt: skip
    return tuple(levels[: top + 1])


def local_user(settings: Settings) -> Principal:
    """Sign-in off: everyone who reaches the API, as ``PA_LOCAL_ROLE`` over every
    organisation."""
    roles = (settings.local_role,)
    return Principal(LOCAL, roles, tuple(settings.organisations), readable(roles, settings),
                     every_organisation=True)  # fmt: skip


def administrator(settings: Settings) -> Principal:
    """Whoever presents the local administrator key (PA_API_KEY)."""
    roles = ("administratör",)
    return Principal("administratörsnyckel", roles, tuple(settings.organisations),
                     readable(roles, settings), every_organisation=True)  # fmt: skip


def unrestricted(settings: Settings) -> Principal:
    """Every document: the evaluation suite and the command line on the operator's machine."""
    return Principal("drift", ("administratör",), tuple(settings.organisations),
                     tuple(settings.classifications), every_organisation=True)  # fmt: skip


class Pseudonyms:
    """Keyed pseudonyms of user ids (HMAC-SHA256): the same user gets the same id in the
    audit trail, and nobody without the key can tell who it is. The key is created in the
    data folder on first use (mode 600)."""

    def __init__(self, data_dir: Path) -> None:
        path = data_dir / "pseudonym-key"
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        self._key = path.read_text().strip().encode()

    def of(self, issuer: str, subject: str) -> str:
        digest = hmac.new(self._key, f"{issuer}\n{subject}".encode(), hashlib.sha256)
        return "u-" + digest.hexdigest()[:20]
