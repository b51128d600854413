"""Outgoing messages: the email outbox and webhooks, recorded in the caller's transaction and sent by the worker."""
