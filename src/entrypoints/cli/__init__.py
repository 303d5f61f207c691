"""The ``fintech`` admin CLI."""
