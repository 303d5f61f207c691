"""Benchmarks run by ``just bench``; each prints its figures and the command that made them."""
