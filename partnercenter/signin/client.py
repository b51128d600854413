"""Who is signing in from where: the client address and user name django-axes counts by."""

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    """``value`` as a normalised IP address, or None when it isn't one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address a request came from, for throttling sign-ins (django-axes).

    ``REMOTE_ADDR`` is the peer of this process's socket and can't be forged.
    Only when that peer is one of ``settings.TRUSTED_PROXIES`` is
    ``X-Forwarded-For`` believed, and then read from the right: the first
    address that isn't a trusted proxy is the client (entries further left were
    written by the client itself and may be made up). Returns None when no
    address is known.
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    trusted = {_address(p) for p in settings.TRUSTED_PROXIES} - {None}
    if remote is None or remote not in trusted:
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return remote  # a malformed header: fall back to the proxy itself
        if address not in trusted:
            return address
    return remote


def signin_username(request, credentials: dict | None) -> str | None:
    """The user name django-axes counts failures by (``AXES_USERNAME_CALLABLE``).

    As django-axes' own default (the credentials given to ``authenticate``,
    else the posted form), cut to the 150 characters a user name can have, so
    a made-up name of any length is still counted — and fits its table.
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = request.POST.get("username") if request is not None else None
    return username[:150] if isinstance(username, str) else username
