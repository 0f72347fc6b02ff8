"""Thin batch jobs over the public API (demo, train, score, review)."""
