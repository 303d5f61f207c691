"""Scheduled jobs: a generic scheduler (leases in the store) and the registry of jobs."""
