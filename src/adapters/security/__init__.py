"""Security primitives: password hashing, tokens, encryption."""
