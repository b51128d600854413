"""The page helpers every page shares: the one safe-``next`` check."""

import pytest
from django.test import RequestFactory

from partnercenter.web.pages import next_or, safe_next


@pytest.mark.parametrize(
    ("target", "secure", "expected"),
    [
        ("/customers/?q=contoso", False, "/customers/?q=contoso"),
        ("https://testserver/customers/", True, "https://testserver/customers/"),
        ("http://testserver/customers/", True, "/home/"),  # https page, http target
        ("https://evil.example/", False, "/home/"),
        ("//evil.example/", False, "/home/"),
        ("javascript:alert(1)", False, "/home/"),
        ("", False, "/home/"),
        (None, False, "/home/"),
    ],
)
def test_safe_next_keeps_only_this_sites_addresses(target, secure, expected):
    request = RequestFactory().get("/", secure=secure)
    assert safe_next(request, target, "/home/") == expected


def test_next_or_reads_the_posted_next_before_the_query():
    request = RequestFactory().post("/?next=/b/", {"next": "/a/"})
    assert next_or(request, "/home/") == "/a/"
    assert next_or(RequestFactory().post("/?next=/b/"), "/home/") == "/b/"
