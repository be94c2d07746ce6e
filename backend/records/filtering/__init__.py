"""Typed filters and sort orders over records, compiled from the published forms to SQL on
the JSONB `data`, permission-safe by construction (see compiler.py and ordering.py)."""
