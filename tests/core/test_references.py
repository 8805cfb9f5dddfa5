"""Legal reference parsing (Swedish and English spellings) to canonical ids."""

import pytest

from core.references import parse_references

CASES = [
    ("enligt artikel 6.1 e GDPR", ["gdpr:art6", "gdpr:art6:1", "gdpr:art6:1:e"]),
    ("art. 6(1)(e)", ["gdpr:art6", "gdpr:art6:1", "gdpr:art6:1:e"]),
    ("Article 33(1) GDPR", ["gdpr:art33", "gdpr:art33:1"]),
    ("artikel 33.1", ["gdpr:art33", "gdpr:art33:1"]),
    ("artiklarna 15, 16 och 17", ["gdpr:art15", "gdpr:art16", "gdpr:art17"]),
    ("artikel 9.2 g", ["gdpr:art9", "gdpr:art9:2", "gdpr:art9:2:g"]),
    ("skäl 85", ["gdpr:recital85"]),
    ("recital 39", ["gdpr:recital39"]),
    ("3 kap. 5 § dataskyddslagen", ["sfs2018:218:3kap5§"]),
    ("3 kap. 10 § dataskyddslagen (2018:218)", ["sfs2018:218:3kap10§"]),
    ("2 kap. 1 § OSL", ["sfs2009:400:2kap1§"]),
    ("OSL 21 kap. 7 §", ["sfs2009:400:21kap7§"]),
    ("28 § förvaltningslagen", ["sfs2017:900:28§"]),
    ("artikel 50 i AI-förordningen", []),
    ("Dnr KS 2024/123 och version 2.0", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_references(text, expected):
    assert parse_references(text) == expected


# Real-world spellings (lawyers, case officers, EUR-Lex, Riksdagen) and negatives.
MORE_CASES = [
    ("artikel 6.1 e", ["gdpr:art6", "gdpr:art6:1", "gdpr:art6:1:e"]),
    ("artikel 33.1 GDPR", ["gdpr:art33", "gdpr:art33:1"]),
    ("art 9.2 h dataskyddsförordningen", ["gdpr:art9", "gdpr:art9:2", "gdpr:art9:2:h"]),
    ("Artikel 9.2 h)", ["gdpr:art9", "gdpr:art9:2", "gdpr:art9:2:h"]),
    ("artikel 6.1.e", ["gdpr:art6", "gdpr:art6:1", "gdpr:art6:1:e"]),
    ("artikel 6 punkt 1 e", ["gdpr:art6", "gdpr:art6:1", "gdpr:art6:1:e"]),
    ("Art. 6 (1) lit. e", ["gdpr:art6", "gdpr:art6:1", "gdpr:art6:1:e"]),
    ("Article 6(1), point (e)", ["gdpr:art6", "gdpr:art6:1", "gdpr:art6:1:e"]),
    ("Article 6, paragraph 1, point (e)", ["gdpr:art6", "gdpr:art6:1", "gdpr:art6:1:e"]),
    ("point (e) of Article 6(1)", ["gdpr:art6", "gdpr:art6:1", "gdpr:art6:1:e"]),
    ("led e i artikel 6.1", ["gdpr:art6", "gdpr:art6:1", "gdpr:art6:1:e"]),
    ("punkt 1 i artikel 33", ["gdpr:art33", "gdpr:art33:1"]),
    ("paragraph 4 of Article 33", ["gdpr:art33", "gdpr:art33:4"]),
    ("Art. 17 GDPR", ["gdpr:art17"]),
    ("GDPR art. 17", ["gdpr:art17"]),
    ("What does Article 17 say?", ["gdpr:art17"]),
    ("Vad säger artikel 17?", ["gdpr:art17"]),
    ("art. 83.4", ["gdpr:art83", "gdpr:art83:4"]),
    ("artikel 33 i dataskyddsförordningen", ["gdpr:art33"]),
    ("artikel 9.1 i EU:s dataskyddsförordning", ["gdpr:art9", "gdpr:art9:1"]),
    ("artikel 6 i förordning (EU) 2016/679", ["gdpr:art6"]),
    ("artikel 5.1 f och 32", ["gdpr:art5", "gdpr:art5:1", "gdpr:art5:1:f", "gdpr:art32"]),
    ("artiklarna 12–22", [f"gdpr:art{n}" for n in range(12, 23)]),
    ("Articles 15 to 18", ["gdpr:art15", "gdpr:art16", "gdpr:art17", "gdpr:art18"]),
    ("art. 13-14", ["gdpr:art13", "gdpr:art14"]),
    ("Articles 13 and 14 GDPR", ["gdpr:art13", "gdpr:art14"]),
    ("skälen 39 och 40", ["gdpr:recital39", "gdpr:recital40"]),
    ("beaktandeskäl 85", ["gdpr:recital85"]),
    ("Recital (85)", ["gdpr:recital85"]),
    ("recitals 39 to 41", ["gdpr:recital39", "gdpr:recital40", "gdpr:recital41"]),
    ("5 a § förvaltningslagen", ["sfs2017:900:5a§"]),
    ("7 kap. 3 a § dataskyddslagen", ["sfs2018:218:7kap3a§"]),
    ("1 kap. 4 § DSL", ["sfs2018:218:1kap4§"]),
    ("3 kap. 5 § lagen (2018:218)", ["sfs2018:218:3kap5§"]),
    ("3 kap. 5 och 6 §§ dataskyddslagen", ["sfs2018:218:3kap5§", "sfs2018:218:3kap6§"]),
    ("5–7 §§ förvaltningslagen", ["sfs2017:900:5§", "sfs2017:900:6§", "sfs2017:900:7§"]),
    ("5 § första stycket förvaltningslagen", ["sfs2017:900:5§"]),
    ("2 kap. 1 § andra stycket 3 OSL", ["sfs2009:400:2kap1§"]),
    ("21:7 OSL", ["sfs2009:400:21kap7§"]),
    ("OSL 21:7", ["sfs2009:400:21kap7§"]),
    # negatives: other acts, dates, diary numbers, versions, times, unqualified paragrafer
    ("Article 8(1) of the Charter", []),
    ("Article 5 of the Treaty on European Union", []),
    ("Article 28(2) of Regulation (EC) No 45/2001", []),
    ("Article 33 of the NIS2 Directive", []),
    ("skäl 85 i AI-förordningen", []),
    ("2024-05-25", []),
    ("Dnr KS 2024/123", []),
    ("version 2.0", []),
    ("kl 13:30", []),
    ("kl. 13.30", []),
    ("ISO/IEC 27001:2022 avsnitt 5.1", []),
    ("KS § 45", []),
    ("Lag (2021:1174).", []),
    ("3 kap. 5 §", []),
    ("art.nr 12345", []),
    ("Smart 5", []),
]


@pytest.mark.parametrize(("text", "expected"), MORE_CASES)
def test_real_world_spellings(text, expected):
    assert parse_references(text) == expected


def test_enough_spellings_are_covered():
    assert len(CASES) + len(MORE_CASES) >= 40
    assert sum(1 for _, ids in CASES + MORE_CASES if not ids) >= 10


def test_unqualified_paragraf_with_a_default_statute():
    assert parse_references("5 a §") == []
    assert parse_references("5 a §", default_sfs="2017:900") == ["sfs2017:900:5a§"]
    assert parse_references("3 kap. 5 §", default_sfs="2018:218") == ["sfs2018:218:3kap5§"]


def test_specificity_helpers():
    from core.references import coarser, most_specific

    ids = parse_references("artikel 6.1 e och skäl 40")
    assert most_specific(ids) == ["gdpr:art6:1:e", "gdpr:recital40"]
    assert coarser("gdpr:art6:1:e") == "gdpr:art6:1"
    assert coarser("gdpr:art6") is None
