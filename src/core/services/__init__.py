"""Use cases: orchestrate ports, enforce business rules and authorization."""
