"""Versioned schema files, ``NNNN_name.sql``, in the portable subset of DESIGN.md."""
