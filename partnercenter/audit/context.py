"""The request an audit event (and a log line) belongs to: its id, address and user agent,
held in a context variable for the length of the request. No models: logging reads it
before Django's apps load."""

import contextvars
import dataclasses
import uuid
from dataclasses import dataclass

from partnercenter.signin.client import client_ip

# --- The request's part of an event ----------------------------------------------------


@dataclass(frozen=True)
class RequestContext:
    """What an event records of the request that caused it."""

    request_id: uuid.UUID
    ip_address: str | None
    user_agent: str
    #: The API token the request came with (its name), empty for pages.
    api_token: str = ""


_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "partnercenter_audit_request", default=None
)


def request_context_enter(request) -> contextvars.Token:
    """Start recording ``request``'s id, address and user agent on events; returns the token
    ``request_context_exit`` takes. Sets ``request.request_id`` (a UUID)."""
    request.request_id = uuid.uuid4()
    return _context.set(
        RequestContext(
            request_id=request.request_id,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        )
    )


def request_context_exit(token: contextvars.Token) -> None:
    _context.reset(token)


def request_context_api_token(name: str) -> None:
    """Mark the rest of the current request as made through the API token ``name``: its
    events name the token beside the user (``audit_event``). The request's end
    (``request_context_exit``) forgets it with the rest."""
    context = _context.get()
    if context is not None:
        _context.set(dataclasses.replace(context, api_token=name))


def request_context() -> RequestContext | None:
    """The current request's id, address and user agent; None outside a request."""
    return _context.get()
