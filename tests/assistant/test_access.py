"""Roles, organisations and classifications as rules (assistant/access.py, the claim mapping of
assistant/api/auth.py); the API tests with a real provider are in api/test_access.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.access import Pseudonyms, administrator, local_user, readable
from assistant.api.auth import _claim, _roles
from core import index
from tests.conftest import make_settings

SETTINGS = make_settings(Path("/tmp/pa-access"))


def test_each_role_reads_up_to_its_classification():
    assert readable(("handläggare",), SETTINGS) == ("öppen", "intern")
    assert readable(("redaktör",), SETTINGS) == ("öppen", "intern")
    assert readable(("jurist",), SETTINGS) == ("öppen", "intern", "begränsad")
    assert readable(("handläggare", "jurist"), SETTINGS) == ("öppen", "intern", "begränsad")
    assert readable((), SETTINGS) == ()


def test_configured_levels_and_defaults_are_checked():
    levels = {"handläggare": "öppen", "jurist": "hemlig", "redaktör": "öppen",
              "administratör": "hemlig"}  # fmt: skip
    custom = make_settings(Path("/tmp/pa-access"), classifications=["öppen", "hemlig"],
                           default_classification="öppen", role_classification=levels)  # fmt: skip
    assert readable(("jurist",), custom) == ("öppen", "hemlig")
    with pytest.raises(ValueError, match="classification"):
        make_settings(Path("/tmp/x"), default_classification="topphemlig")
    with pytest.raises(ValueError, match="unknown roles"):
        make_settings(Path("/tmp/x"), oidc_role_values={"Policy.Chef": "chef"})


def test_roles_from_claims_of_entra_id_and_keycloak():
    entra = {"roles": ["Policy.Jurist", "Other.App"]}
    mapping = {"Policy.Jurist": "jurist"}
    assert _roles(_claim(entra, "roles"), mapping) == ("jurist",)
    keycloak = {"realm_access": {"roles": ["offline_access", "redaktör", "handläggare"]}}
    assert _roles(_claim(keycloak, "realm_access.roles"), {}) == ("handläggare", "redaktör")
    assert _roles(_claim({"roles": "jurist handläggare"}, "roles"), {}) == (
        "handläggare", "jurist")  # fmt: skip
    assert _roles(_claim({}, "roles"), {}) == ()
    assert _roles(_claim({"roles": ["admin"]}, "roles"), {}) == ()  # not ours: no role


def test_a_redaktor_writes_only_their_own_organisations_documents():
    from assistant.access import Principal

    eksjo = Principal("u-1", ("redaktör",), ("Eksjö",), ("öppen", "intern"))
    assert eksjo.writes(["Eksjö"])
    assert not eksjo.writes(["Eksjö", "Vetlanda"])
    assert not eksjo.writes([index.SHARED]) and not eksjo.writes([])
    assert administrator(SETTINGS).writes([index.SHARED])
    assert not local_user(SETTINGS).may("correct")  # sign-in off: only the key writes
    assert eksjo.sees(["Eksjö"], None, SETTINGS) and eksjo.sees([], "öppen", SETTINGS)
    assert not eksjo.sees(["Vetlanda"], "öppen", SETTINGS)
    assert not eksjo.sees(["Eksjö"], "begränsad", SETTINGS)


def test_pseudonyms_are_stable_keyed_and_not_the_user_id(tmp_path: Path):
    first = Pseudonyms(tmp_path)
    again = Pseudonyms(tmp_path)
    other = Pseudonyms(tmp_path / "annan")
    pid = first.of("https://idp", "anna.andersson@eksjo.se")
    assert pid == again.of("https://idp", "anna.andersson@eksjo.se")  # same key file
    assert pid != other.of("https://idp", "anna.andersson@eksjo.se")  # another key
    assert pid != first.of("https://annan-idp", "anna.andersson@eksjo.se")
    assert "anna" not in pid and pid.startswith("u-")
    assert (tmp_path / "pseudonym-key").stat().st_mode & 0o077 == 0
