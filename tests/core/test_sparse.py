"""Swedish BM25 terms and vectors."""

from core.sparse import Bm25Encoder, term_id, terms


def test_stemming_stopwords_and_numbers():
    assert terms("incidenter") == terms("incidenten") == terms("incident")
    assert "och" not in terms("rättigheter och skyldigheter")
    assert terms("avsnitt 3.2 och artikel 6.1 e") == ["avsnit", "3.2", "artikel", "6.1", "e"]
    assert len(terms("senast inom 72 timmar")) == 4  # meaningful words stay


def test_document_and_query_vectors():
    enc = Bm25Encoder()
    doc = enc.encode_document("Incidenter rapporteras. Incidenter dokumenteras.")
    weights = dict(zip(doc.indices, doc.values, strict=True))
    assert doc.indices == sorted(doc.indices)
    assert weights[term_id(terms("incidenter")[0])] > weights[term_id(terms("rapporteras")[0])]
    query = enc.encode_query("Hur rapporteras incidenter?")
    assert set(query.values) == {1.0} and len(query.indices) == 2
