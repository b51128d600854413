"""A test client for the REST API: Django's test client with a bearer token and JSON."""

import json

from partnercenter.api.tokens import token_create


class ApiClient:
    """``ApiClient(client, user)`` makes a token for ``user`` and sends every request with
    it (``secret=`` to use another, ``None`` for none). Bodies are JSON; extra headers
    are keyword arguments in Django's ``headers=`` form."""

    def __init__(self, client, user=None, *, secret: str | None = "", name: str = "Tests"):
        self.client = client
        if secret == "" and user is not None:
            self.token, secret = token_create(user=user, name=name)
        self.secret = secret or None

    def _headers(self, headers):
        merged = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        merged.update(headers or {})
        return merged

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def head(self, path, headers=None):
        return self.client.head(path, headers=self._headers(headers))

    def delete(self, path, headers=None):
        return self.client.delete(path, headers=self._headers(headers))

    def _send(self, method, path, body, headers, raw=None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return getattr(self.client, method)(
            path, data, content_type="application/json", headers=self._headers(headers)
        )

    def post(self, path, body=None, headers=None, raw=None):
        return self._send("post", path, body, headers, raw)

    def patch(self, path, body=None, headers=None, raw=None):
        return self._send("patch", path, body, headers, raw)

    def put(self, path, body=None, headers=None, raw=None):
        return self._send("put", path, body, headers, raw)
