"""Legal reference parsing (Swedish and English spellings) to canonical ids."""

import pytest

from ingest.references import parse_references

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
