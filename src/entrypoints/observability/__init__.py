"""Logs, traces and metrics wiring shared by the HTTP app and the CLI."""
