"""Composition root and the ways in: the HTTP app, the admin CLI, the dishka container."""
