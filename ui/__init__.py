"""Streamlit user interface: a pure HTTP client of the assistant's API."""
