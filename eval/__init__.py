"""Evaluation suite: measures retrieval, citations, refusals and PII scrubbing; gates CI."""
