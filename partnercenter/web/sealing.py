"""Small security helpers with no models of ours: the client's address, sealed secrets,
opaque tokens for URLs.

``client_ip`` is what django-axes counts failed sign-ins by; ``secret_seal`` and
``secret_open`` keep a temporary password unreadable in the session table for
the few minutes until its one-time confirmation page shows it.
"""

import base64
import hashlib
import json
import zlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.crypto import salted_hmac


def _fernet(purpose: str = "fernet") -> Fernet:
    key = salted_hmac("partnercenter.security.secret_seal", purpose, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def opaque_dumps(value, *, purpose: str) -> str:
    """``value`` (anything JSON can hold) as a URL-safe token nobody can read or forge.

    For values that travel in URLs, such as paging cursors holding company names:
    encrypted and authenticated (Fernet, a key derived from ``SECRET_KEY`` and
    ``purpose``), so neither the address bar nor an access log shows what's inside,
    and a token made for one ``purpose`` means nothing to another.
    """
    data = zlib.compress(json.dumps(value, separators=(",", ":")).encode())
    return _fernet(purpose).encrypt(data).decode("ascii").rstrip("=")


def opaque_loads(token: str, *, purpose: str):
    """The value ``opaque_dumps`` put in ``token``; None for a tampered, foreign or
    malformed one (never raises for bad input)."""
    try:
        padded = token + "=" * (-len(token) % 4)
        return json.loads(zlib.decompress(_fernet(purpose).decrypt(padded.encode("ascii"))))
    except (InvalidToken, ValueError, TypeError, AttributeError, zlib.error, UnicodeError):
        return None


def secret_seal(value: str) -> str:
    """Encrypt ``value`` (Fernet: AES-128-CBC + HMAC-SHA256, timestamped) for the session.

    The key is derived from ``SECRET_KEY``, which lives only in the environment,
    so a copy of the database alone doesn't reveal the secret.
    """
    return _fernet().encrypt(value.encode()).decode("ascii")


def secret_open(token: str, *, max_age: int | None = None, forever: bool = False) -> str | None:
    """The value sealed in ``token``, or None if it was tampered with or is older
    than ``max_age`` seconds (default ``settings.SECRET_SHOWN_WITHIN_SECONDS``;
    ``forever`` for secrets kept at rest, such as webhook signing keys)."""
    if max_age is None:
        max_age = settings.SECRET_SHOWN_WITHIN_SECONDS
    try:
        return _fernet().decrypt(token.encode("ascii"), ttl=None if forever else max_age).decode()
    except (InvalidToken, ValueError, AttributeError):
        return None


def session_secret_put(session, bucket: str, key: str, value: str) -> None:
    """Keep ``value`` sealed in ``session[bucket][key]`` until ``session_secret_take``.

    Entries too old to open are dropped at the same time, so a confirmation page
    that is never opened leaves nothing readable behind.
    """
    kept = {k: v for k, v in session.get(bucket, {}).items() if secret_open(v) is not None}
    kept[key] = secret_seal(value)
    session[bucket] = kept


def session_secret_take(session, bucket: str, key: str) -> str | None:
    """Remove and return the secret ``session_secret_put`` kept; None when it's gone,
    too old (``SECRET_SHOWN_WITHIN_SECONDS``) or was tampered with. Shown once."""
    stored = dict(session.get(bucket, {}))
    token = stored.pop(key, None)
    session[bucket] = stored
    return secret_open(token) if token else None


def token_digest(token: str) -> str:
    """SHA-256 (64 hex characters) of an emailed link's token: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()
