"""Signing in: password, second factor, fresh proof, sessions (docs/security.md)."""
