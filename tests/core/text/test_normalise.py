"""The one text normaliser (core/text/normalise.py): characters, bullets, hyphens, titles."""

from __future__ import annotations

import pytest

from core.text.normalise import (
    clean_title,
    join_hyphenated,
    join_lines,
    looks_like_file_name,
    normalise_bullets,
    normalise_chars,
    normalise_text,
    strip_markup,
    title_key,
)


def test_ligatures_become_letters():
    assert (
        normalise_chars("identiﬁera, ﬂöde, eﬀekt, eﬃcient, ﬄ")
        == "identifiera, flöde, effekt, efficient, ffl"
    )


def test_spaces_and_invisible_characters():
    assert normalise_chars("10\u00a0000 kr\u202fper år") == "10 000 kr per år"
    assert normalise_chars("lös\u200bord\u2060en\ufeff") == "lösorden"
    assert normalise_chars("informations\u00adsäkerhet") == "informationssäkerhet"
    assert normalise_chars("informations\u00ad\nsäkerhet") == "informationssäkerhet"
    assert normalise_chars("e\u2011post") == "e-post"


def test_decomposed_letters_are_composed_and_safe_symbols_kept():
    assert normalise_chars("Sa\u030ag") == "Såg"
    # superscripts, fractions and ellipses carry meaning: NFKC would change them
    assert normalise_chars("m² ½ …") == "m² ½ …"


@pytest.mark.parametrize(
    "line",
    ["\uf0b7 att besluta", "\uf0a7att besluta", "\uf076 att besluta", "\uf0d8 att besluta",
     "\uf0fc att besluta", "• att besluta", "▪ att besluta", "◦ att besluta", "‣ att besluta",
     "● att besluta", "– att besluta", "— att besluta", "- att besluta", "* att besluta",
     "--    att besluta", "   • att besluta"],
)  # fmt: skip
def test_every_bullet_is_a_list_item(line: str):
    assert normalise_bullets(line) == "- att besluta"


def test_not_bullets():
    assert normalise_bullets("– 2023 (KS-2019-00586).") == "– 2023 (KS-2019-00586)."
    assert normalise_bullets("-5 grader") == "-5 grader"
    assert normalise_bullets("IT-system – se nedan") == "IT-system – se nedan"
    assert normalise_bullets("text \uf0b7 mitt i") == "text  mitt i", "stray glyphs removed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("informa-\ntion", "information"),
        ("Informa-\n  tionen", "Informationen"),
        ("säkerhets-\nklassning", "säkerhetsklassning"),
        ("IT-\npolicy", "IT-policy"),
        ("IT-\nsäkerhet", "IT-säkerhet"),
        ("e-\npost", "e-post"),
        ("EU-\nkommissionen", "EU-kommissionen"),
        ("2019-\n2023", "2019-2023"),
        ("covid-\n19", "covid-19"),
        ("Microsoft-\nWord", "Microsoft-Word"),
        ("informations-\noch kommunikationsteknik", "informations- och kommunikationsteknik"),
        ("förhållnings- \neller arbetssätt", "förhållnings- eller arbetssätt"),
    ],
)
def test_hyphen_joining_keeps_compounds(text: str, expected: str):
    assert join_hyphenated(text) == expected


def test_join_lines_and_idempotence():
    lines = ["Varje myndighet ska identi-", "fiera risker för IT-", "system och e-", "post."]
    assert join_lines(lines) == "Varje myndighet ska identifiera risker för IT-system och e-post."
    once = normalise_text("\uf0b7 ﬁnns i IT-\nmiljön och informa-\ntionen")
    assert once == "- finns i IT-miljön och informationen"
    assert normalise_text(once) == once


def test_titles_cleaned_of_application_prefixes_and_extensions():
    raw = "Microsoft Word - 7.54 IT-och informationssäkerhetspolicy.docx"
    assert looks_like_file_name(raw)
    assert clean_title(raw) == "7.54 IT-och informationssäkerhetspolicy"
    assert clean_title("Policy.pdf") == "Policy"
    assert looks_like_file_name("riktlinje_ai_2024")
    assert not looks_like_file_name("Riktlinjer för AI")
    assert clean_title("  Riktlinjer\u00a0för AI ") == "Riktlinjer för AI"


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("<script>alert(1)</script>Riktlinjer för <b>AI</b>", "Riktlinjer för AI"),
        ("IT-<i>säkerhets</i>policy", "IT-säkerhetspolicy"),
        ("Del 1<br>Syfte <!-- utkast -->", "Del 1 Syfte"),
        ("<img src=x onerror=alert(1)>Policy", "Policy"),
        ("<STYLE>p {}</STYLE>Rutin", "Rutin"),
        ("Avgifter < 5 000 kr", "Avgifter < 5 000 kr"),
        ("<script>alert(1)", None),
    ],
)
def test_titles_cleaned_of_markup(raw: str, title: str | None):
    assert clean_title(raw) == title


def test_markup_stripping_and_title_keys():
    assert strip_markup("<scr<b>ipt>alert(1)</script>").strip() == ""
    assert title_key(" RIKTLINJER  för <b>AI</b>\n") == title_key("Riktlinjer för AI")
    assert title_key("Riktlinjer för AI") != title_key("Riktlinjer för IT")
    assert title_key(None) == title_key("<b></b>") == ""
