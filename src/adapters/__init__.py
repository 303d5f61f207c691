"""Implementations of the ports: SQL stores, providers, security primitives, system."""
