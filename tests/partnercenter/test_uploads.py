"""Request bodies: an upload past UPLOAD_MAX_BYTES is stopped, not read and stored whole."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, RequestFactory, encode_multipart
from django.urls import reverse

from agreements.models import BulkAttestation
from partnercenter.tenant.roles import Role
from partnercenter.web.uploads import too_large

LIMIT = 1024 * 1024


class CountingInput(io.BytesIO):
    """A request body; ``tell()`` says how far the server read it."""


def parsed(body: bytes, *, declared: int | None = None) -> tuple[WSGIRequest, CountingInput]:
    stream = CountingInput(body)
    environ = RequestFactory()._base_environ(
        REQUEST_METHOD="POST",
        PATH_INFO="/agreements/bulk/",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(declared if declared is not None else len(body)),
        **{"wsgi.input": stream},
    )
    request = WSGIRequest(environ)
    request.FILES  # noqa: B018 - reading it parses the body through FILE_UPLOAD_HANDLERS
    return request, stream


def body_with_file(size: int) -> bytes:
    upload = SimpleUploadedFile("big.csv", b"x" * size, content_type="text/csv")
    return encode_multipart(BOUNDARY, {"note": "first", "file": upload})


@pytest.fixture
def small_limit(settings, tmp_path):
    settings.UPLOAD_MAX_BYTES = LIMIT
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10_000  # larger files go to a temporary file
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def test_an_upload_under_the_limit_arrives_whole(small_limit):
    request, _stream = parsed(body_with_file(LIMIT - 1000))
    assert request.FILES["file"].size == LIMIT - 1000
    assert not too_large(request)
    request.FILES["file"].close()


def test_reading_stops_soon_after_the_limit_and_nothing_is_kept(small_limit):
    body = body_with_file(LIMIT * 4)
    request, stream = parsed(body)
    assert too_large(request)
    assert "file" not in request.FILES and request.POST["note"] == "first"
    # One parser chunk (64 KiB) past the limit at most, not the 4 MiB sent.
    assert stream.tell() <= LIMIT + 2 * 64 * 1024 < len(body)
    assert list(small_limit.iterdir()) == [], "the partial temporary file is deleted"


def test_a_declared_length_far_over_the_limit_is_refused_before_the_file_is_read(
    small_limit, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = body_with_file(LIMIT * 4)
    request, stream = parsed(body)
    assert too_large(request)
    assert stream.tell() <= 2 * 64 * 1024


@pytest.mark.django_db
def test_confirm_in_bulk_says_the_file_is_too_large_and_starts_nothing(
    client, make_user, small_limit
):
    client.force_login(make_user(Role.ADMIN_AGENT))
    upload = SimpleUploadedFile("big.csv", b"x" * (LIMIT * 3), content_type="text/csv")
    response = client.post(reverse("agreements:bulk_new"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The file is larger than 1 MB."]
    assert "The file is larger than 1 MB." in response.content.decode()
    assert not BulkAttestation.objects.exists()
    assert list(small_limit.iterdir()) == []
