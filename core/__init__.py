"""The shared core both sides import: settings, the index schema and store, embeddings,
sparse encoding, legal references, review state and text (segmenter, normaliser, headings).

``ingest`` (load → chunk → write) and ``assistant`` (scrub → retrieve → answer → verify) import
from here; nothing here imports them (the layer contract in ``pyproject.toml``).
"""
