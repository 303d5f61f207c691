"""Egress to merchants' webhook endpoints: URL rules, SSRF-checked resolution, the HTTP POST."""
