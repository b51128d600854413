"""The tenant: partner organizations, their users and roles, and the access helpers every app uses (docs/roles.md)."""
