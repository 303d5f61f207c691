"""Entities, value objects, state machines, invariants, pure maths and errors."""
