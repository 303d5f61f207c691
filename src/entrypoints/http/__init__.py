"""The Litestar application: controllers, DTOs, guards, error mapping."""
