"""Ingest: read department exports, map them to records, normalize, validate, quarantine."""
