"""Helpers every page may use: once-only submissions, a safe ``next`` address, form
helpers, CSV, keyset paging, uploads, the request middleware."""
