"""The benchmark registry: problem ids, official answers and provenance (facts, no problem text)."""
