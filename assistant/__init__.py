"""The assistant: scrub personal data → retrieve → answer → verify citations, served by FastAPI."""
