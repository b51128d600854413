"""The REST API's shared machinery on django-ninja (docs/api.md).

- ``PartnerCenterAPI``: a ``NinjaAPI`` that authenticates ``Authorization: Bearer``
  tokens (``TokenAuth``), limits calls per token and per partner (``TokenThrottle``,
  ``PartnerThrottle``; 429 with ``Retry-After``), answers every error in Partner
  Center's error body (``error_response``), in the caller's language
  (``Accept-Language`` or ``X-Locale``), echoes ``MS-CorrelationId`` and
  ``MS-RequestId``, and answers a write retried under the same ``MS-RequestId`` with
  its first answer (rule T5, ``_idempotent``).
- Continuation paging in Partner Center's shape (``continuation``, ``collection``).
- ``ApiError`` for an answer the rules give (code, status, message).

Endpoint modules (``customers/api.py`` and its neighbours) define ninja ``Router``s;
the URL conf mounts them on one ``PartnerCenterAPI``.
"""

import hashlib
import json
import logging
import time
import uuid
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle
from pydantic import BaseModel, ConfigDict, create_model, model_validator

from partnercenter.api.tokens import token_authenticate
from partnercenter.models import ApiRequest, ApiToken
from partnercenter.ops.metrics import API_REQUESTS, API_THROTTLED
from partnercenter.signin.client import client_ip
from partnercenter.web.paging import cursor_is_valid

logger = logging.getLogger(__name__)

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Where the API answers: paths under these get its error body, never a page.
API_PREFIXES = ("/v1/", "/webhooks/v1/", "/v1.0/")
#: Microsoft Graph's paths (GDAP): their errors are Graph's ``{"error": {"code", "message"}}``.
GRAPH_PREFIX = "/v1.0/"

# --- Errors in Partner Center's body ----------------------------------------------------

#: Our codes for answers Partner Center gives without a documented number (docs/api.md
#: "Errors"); the documented ones (600061, 13605) are raised where their rules live.
BAD_REQUEST = 400
UNAUTHORIZED = 401
FORBIDDEN = 403
NOT_FOUND = 404
METHOD_NOT_ALLOWED = 405
CONFLICT = 409
TOO_MANY_REQUESTS = 429
SERVER_ERROR = 500


class ApiError(Exception):
    """An answer in Partner Center's error body: HTTP ``status``, numeric ``code``,
    ``description`` (translated), ``error_name`` (stable, English), ``parameters``
    (field → message, for validation errors)."""

    def __init__(
        self,
        status: int,
        code: int,
        description: str,
        *,
        error_name: str = "",
        parameters: dict | None = None,
        retryable: bool = False,
    ):
        super().__init__(description)
        self.status, self.code, self.description = status, code, str(description)
        self.error_name = error_name
        self.parameters = parameters or {}
        self.retryable = retryable


def error_body(
    code: int,
    description: str,
    *,
    error_name: str = "",
    parameters: dict | None = None,
    retryable: bool = False,
) -> dict:
    """Partner Center's error body: ``code``, ``description`` (and ``message``, its twin),
    ``errorName``, ``isRetryable``, ``parameters`` (field → message), ``data`` (the
    messages as a list) and ``errorMessageExtended`` (``InternalErrorCode=<code>``)."""
    parameters = {str(k): str(v) for k, v in (parameters or {}).items()}
    return {
        "code": code,
        "description": str(description),
        "message": str(description),
        "errorName": error_name,
        "isRetryable": retryable,
        "parameters": parameters,
        "data": [f"{k}: {v}" for k, v in parameters.items()],
        "source": "PartnerCenter",
        "errorMessageExtended": f"InternalErrorCode={code}",
    }


def error_response(status: int, code: int, description: str, **fields) -> JsonResponse:
    """``error_body`` as a JSON response with HTTP ``status``."""
    return JsonResponse(
        error_body(code, description, **fields),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def api_error_response(error: ApiError) -> JsonResponse:
    return error_response(
        error.status,
        error.code,
        error.description,
        error_name=error.error_name,
        parameters=error.parameters,
        retryable=error.retryable,
    )


def validation_parameters(error: ValidationError, *, fields: dict[str, str] | None = None) -> dict:
    """A Django ValidationError as ``{field: message}``, field names mapped through
    ``fields`` (model field → the API's JSON path); errors not about a field are
    under ``""``."""
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        return {"": " ".join(str(m) for m in error.messages)}
    return {
        fields.get(name, name if name != "__all__" else ""): " ".join(str(m) for m in messages)
        for name, messages in error.message_dict.items()
    }


def validation_error(error: ValidationError, *, fields: dict[str, str] | None = None) -> ApiError:
    """A Django ValidationError (the model's or a service's rules) as a 400 ``ApiError``
    whose description is the first message and whose parameters name each field."""
    parameters = validation_parameters(error, fields=fields)
    first = next(iter(parameters.values()), _("The request isn't valid."))
    return ApiError(400, BAD_REQUEST, first, error_name="InvalidInput", parameters=parameters)


# --- Tokens ------------------------------------------------------------------------------

_NO_TOKEN = object()


def request_token(request: HttpRequest) -> ApiToken | None:
    """The usable token of ``request``'s ``Authorization: Bearer`` header, looked up once
    per request (``token_authenticate``); None without one or for a bad one."""
    cached = getattr(request, "_pc_api_token", _NO_TOKEN)
    if cached is not _NO_TOKEN:
        return cached
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    token = None
    if scheme.lower() == "bearer" and secret.strip():
        token = token_authenticate(secret.strip(), ip_address=client_ip(request))
    if token is not None:
        # Every service the endpoint calls asks this user's roles, as they are now (T1).
        request.user = token.user
        request.api_token = token
    request._pc_api_token = token
    return token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` (docs/api.md): the request acts as the token's
    user; unknown, revoked and expired tokens are a 401 (rule T3)."""

    def __call__(self, request):
        return request_token(request)

    def authenticate(self, request, token):  # pragma: no cover - __call__ does it
        return request_token(request)


# --- Rate limits -------------------------------------------------------------------------


class _SettingsRate(SimpleRateThrottle):
    """A ninja rate throttle whose rate is read from settings at each call, so operators
    (and tests) change it without a restart of the API object."""

    setting = ""
    scope_name = ""

    def __init__(self):
        super().__init__(getattr(settings, self.setting))

    def allow_request(self, request) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        allowed = super().allow_request(request)
        if not allowed:
            token = getattr(request, "api_token", None)
            API_THROTTLED.labels(str(token.pk) if token else "", self.scope_name).inc()
        return allowed


class TokenThrottle(_SettingsRate):
    """``API_RATE_PER_TOKEN`` calls (e.g. ``"1200/m"``) per token."""

    setting = "API_RATE_PER_TOKEN"
    scope_name = "token"

    def get_cache_key(self, request):
        token = getattr(request, "api_token", None)
        return f"api-rate:token:{token.digest[:32]}" if token else None


class PartnerThrottle(_SettingsRate):
    """``API_RATE_PER_PARTNER`` calls per partner, all its tokens together."""

    setting = "API_RATE_PER_PARTNER"
    scope_name = "partner"

    def get_cache_key(self, request):
        token = getattr(request, "api_token", None)
        return f"api-rate:partner:{token.partner.tenant_id}" if token else None


# --- Paging ------------------------------------------------------------------------------

CONTINUATION_HEADER = "MS-ContinuationToken"


def continuation(request: HttpRequest, seek_operation: str | None) -> str | None:
    """The keyset cursor a ``seekOperation=Next`` request carries in its
    ``MS-ContinuationToken`` header; None for a first page. Raises ApiError (400) for
    ``Next`` without a token, a forged or foreign token, or another seek operation."""
    if not seek_operation:
        return None
    if seek_operation.lower() != "next":
        raise ApiError(
            400,
            BAD_REQUEST,
            _("seekOperation must be Next, with the MS-ContinuationToken of the previous page."),
            error_name="InvalidSeekOperation",
            parameters={"seekOperation": seek_operation[:50]},
        )
    token = request.headers.get(CONTINUATION_HEADER, "")
    if not token or not cursor_is_valid(token):
        raise ApiError(
            400,
            BAD_REQUEST,
            _("The MS-ContinuationToken header is missing or isn't one this list gave."),
            error_name="InvalidContinuationToken",
        )
    return token


def link(uri: str, *, method: str = "GET", headers: list | None = None) -> dict:
    """A Partner Center link: ``{"uri", "method", "headers"}``."""
    return {"uri": uri, "method": method, "headers": headers or []}


def collection(items: list, *, links: dict | None = None, total: int | None = None) -> dict:
    """A Partner Center collection: ``{totalCount, items, links, attributes}``;
    ``totalCount`` is the number of items in this page, as Partner Center counts it."""
    return {
        "totalCount": len(items) if total is None else total,
        "items": items,
        "links": links or {},
        "attributes": {"objectType": "Collection"},
    }


def next_link(path: str, query: dict, cursor: str) -> dict:
    """``links.next`` of a continuation-paged list: ``path`` with ``query`` and
    ``seekOperation=Next``, the cursor in the ``MS-ContinuationToken`` header."""
    from urllib.parse import urlencode

    params = {k: v for k, v in query.items() if v not in (None, "")}
    params["seekOperation"] = "Next"
    return link(
        f"{path}?{urlencode(params)}", headers=[{"key": CONTINUATION_HEADER, "value": cursor}]
    )


def parse_guid(value: str, *, field: str) -> uuid.UUID:
    """``value`` as a GUID; ApiError (400) naming ``field`` when it isn't one."""
    try:
        return uuid.UUID(str(value))
    except (ValueError, AttributeError) as exc:
        raise ApiError(
            400,
            BAD_REQUEST,
            _("%(field)s must be a GUID such as 0f2b3c4d-1111-2222-3333-444455556666.")
            % {"field": field},
            error_name="InvalidId",
            parameters={field: str(value)[:100]},
        ) from exc


# --- MS-RequestId replay ----------------------------------------------------------------


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.get_full_path()):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _stored(record: ApiRequest) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    return response


def _replay(token: ApiToken, request_id: str, fingerprint: str) -> HttpResponse:
    deadline = time.monotonic() + settings.API_REPLAY_WAIT_SECONDS
    while True:
        record = ApiRequest.objects.filter(token=token, request_id=request_id).first()
        if record is not None and record.fingerprint != fingerprint:
            return error_response(
                409,
                CONFLICT,
                _("This MS-RequestId was used for a different request. Use a new one."),
                error_name="RequestIdReused",
            )
        if record is not None and record.status:
            return _stored(record)
        if time.monotonic() > deadline:
            response = error_response(
                409,
                CONFLICT,
                _("The first request with this MS-RequestId is still running. Retry later."),
                error_name="RequestInProgress",
                retryable=True,
            )
            response["Retry-After"] = "1"
            return response
        time.sleep(0.05)


def _idempotent(request: HttpRequest, callback, args, kwargs) -> HttpResponse:
    """Rule T5: the first answer to a write under an ``MS-RequestId`` is kept per token for
    ``API_REQUEST_ID_HOURS``; a retry gets it again and writes nothing. The write and
    the kept answer commit together, so a crash keeps neither. Concurrent retries wait
    for the first (the database's unique index picks it)."""
    request_id = request.headers.get("MS-RequestId", "").strip()
    if request.method not in WRITES or not request_id:
        return callback(request, *args, **kwargs)
    token = request_token(request)
    if token is None:
        return callback(request, *args, **kwargs)
    if len(request_id) > 100 or not request_id.isprintable():
        return error_response(
            400,
            BAD_REQUEST,
            _("MS-RequestId must be at most 100 printable characters, such as a GUID."),
            error_name="InvalidRequestId",
        )
    fingerprint = _fingerprint(request)
    cutoff = timezone.now() - timedelta(hours=settings.API_REQUEST_ID_HOURS)
    ApiRequest.objects.filter(token=token, request_id=request_id, created_at__lt=cutoff).delete()
    try:
        with transaction.atomic():
            claim = ApiRequest.objects.create(
                token=token, request_id=request_id, fingerprint=fingerprint
            )
    except IntegrityError:
        return _replay(token, request_id, fingerprint)
    try:
        with transaction.atomic():
            response = callback(request, *args, **kwargs)
            if response.status_code < 500 and not getattr(response, "streaming", False):
                ApiRequest.objects.filter(pk=claim.pk).update(
                    status=response.status_code,
                    content_type=response.get("Content-Type", ""),
                    body=response.content,
                    location=response.get("Location", "")[:500],
                )
    except BaseException:
        ApiRequest.objects.filter(pk=claim.pk).delete()
        raise
    if response.status_code >= 500:
        ApiRequest.objects.filter(pk=claim.pk).delete()
    return response


# --- The API -------------------------------------------------------------------------------


class RequestSchema(BaseModel):
    """A request body's shape. Unknown fields are ignored and field names match in any
    case, as Partner Center's own service reads them: its reference shows
    ``"CompanyProfile"`` in one example and ``"companyProfile"`` in the next, and clients
    generated from it send read-only fields (``links``, ``attributes``) back. A plain
    pydantic model: ninja's ``Schema`` reads its input through a wrapper first."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _names_in_any_case(cls, data):
        if isinstance(data, dict):
            names = {name.lower(): name for name in cls.model_fields}
            return {names.get(str(key).lower(), key): value for key, value in data.items()}
        return data


class Attributes(Schema):
    """A resource's ``attributes``: its ``objectType``."""

    objectType: str


class Link(Schema):
    """A Partner Center link: ``{"uri", "method", "headers"}`` (``link``)."""

    uri: str
    method: str
    headers: list[dict]


def collection_schema(item: type, name: str) -> type:
    """The schema of a collection of ``item`` (``collection``), named ``name`` in OpenAPI."""
    return create_model(
        name,
        __base__=Schema,
        totalCount=(int, ...),
        items=(list[item], ...),
        links=(dict[str, Link], {}),
        attributes=(Attributes, ...),
    )


def page_size(size: int | None, *, default: int) -> int:
    """``size`` (the page's number of items), ``default`` when absent; ApiError (400)
    outside 1 to ``API_MAX_PAGE_SIZE``."""
    if size is None:
        return default
    if not 1 <= size <= settings.API_MAX_PAGE_SIZE:
        raise ApiError(
            400,
            BAD_REQUEST,
            _("size must be between 1 and %(max)s.") % {"max": settings.API_MAX_PAGE_SIZE},
            error_name="InvalidSize",
            parameters={"size": str(size)},
        )
    return size


class ErrorBody(Schema):
    """Partner Center's error body (``error_body``)."""

    code: int
    description: str
    message: str
    errorName: str
    isRetryable: bool
    parameters: dict[str, str]
    data: list[str]
    source: str
    errorMessageExtended: str


#: The errors every operation may answer: in the schema, so clients (and schemathesis)
#: know their shape.
ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 429, 500, 503)


class GraphErrorDetail(Schema):
    code: str
    message: str
    target: str | None = None


class GraphError(Schema):
    code: str
    message: str
    details: list[GraphErrorDetail] | None = None


class GraphErrorBody(Schema):
    """Microsoft Graph's error body (``graph_error_body``)."""

    error: GraphError


class PartnerCenterRouter(Router):
    """A ninja Router whose answers leave out absent fields, as Partner Center's do
    (``"associatedPartnerId"`` only where there is one, never ``null``), and whose
    operations declare Partner Center's error body for every error status."""

    error_schema = ErrorBody
    error_statuses = ERROR_STATUSES

    def add_api_operation(self, *args, exclude_none=None, response=None, **kwargs):
        if response is not None:
            answers = dict(response) if isinstance(response, dict) else {200: response}
            for status in self.error_statuses:
                answers.setdefault(status, self.error_schema)
            response = answers
        super().add_api_operation(
            *args,
            exclude_none=True if exclude_none is None else exclude_none,
            response=response,
            **kwargs,
        )


class GraphRouter(PartnerCenterRouter):
    """A router of Microsoft Graph's paths (``/v1.0/...``): its errors are Graph's body,
    and ``If-Match`` mismatches answer 412."""

    error_schema = GraphErrorBody
    error_statuses = (*ERROR_STATUSES, 412)


def _language(request: HttpRequest) -> str | None:
    """``X-Locale`` (``ko-KR``) when it names a language we speak; else None (Django's
    LocaleMiddleware has already chosen by ``Accept-Language``)."""
    locale = request.headers.get("X-Locale", "")
    code = locale.split("-")[0].lower()
    return code if code in dict(settings.LANGUAGES) else None


def _around(callback):
    """Every API URL: no sign-in redirect or CSRF (tokens, not cookies), the caller's
    language, ``MS-RequestId`` replay, echoed correlation headers, metrics."""

    @wraps(callback)
    def view(request, *args, **kwargs):
        language = _language(request)
        with translation.override(language) if language else _nothing():
            if _has_nul(request):
                response = error_response(
                    400,
                    BAD_REQUEST,
                    _("The request holds a NUL character, which no field may contain."),
                    error_name="InvalidCharacter",
                )
            else:
                try:
                    response = _idempotent(request, callback, args, kwargs)
                except (OperationalError, InterfaceError):
                    # Before ninja's handlers: the token lookup of a replayed write.
                    response = _database_unavailable()
            if response.status_code == 405:
                allowed = response.get("Allow", "")
                response = error_response(
                    405,
                    METHOD_NOT_ALLOWED,
                    _("This method isn't allowed here."),
                    error_name="MethodNotAllowed",
                )
                if allowed:
                    response["Allow"] = allowed
        if request.path.startswith(GRAPH_PREFIX) and response.status_code >= 400:
            response = _graph_error(response)
        for header in ("MS-CorrelationId", "MS-RequestId"):
            value = request.headers.get(header, "")
            if value and len(value) <= 100 and value.isprintable():
                response[header] = value
        token = getattr(request, "api_token", None)
        API_REQUESTS.labels(str(token.pk) if token else "", str(response.status_code)).inc()
        return response

    view.login_required = False
    return csrf_exempt(view)


#: Graph's error codes for the statuses it answers.
GRAPH_CODES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    412: "PreconditionFailed",
    429: "TooManyRequests",
    500: "InternalServerError",
}


def graph_error_body(
    status: int, message: str, *, code: str = "", details: list | None = None
) -> dict:
    """Microsoft Graph's error body: ``{"error": {"code", "message"[, "details"]}}``."""
    error = {"code": code or GRAPH_CODES.get(status, "BadRequest"), "message": str(message)}
    if details:
        error["details"] = details
    return {"error": error}


def _graph_error(response: HttpResponse) -> HttpResponse:
    """A Partner Center error body turned into Graph's, same status and headers."""
    try:
        body = json.loads(response.content)
    except ValueError:
        body = {}
    if "error" in body or not isinstance(body, dict):
        return response
    details = [
        {"code": "InvalidInput", "target": k, "message": v}
        for k, v in body.get("parameters", {}).items()
    ]
    graph = JsonResponse(
        graph_error_body(response.status_code, body.get("description", ""), details=details),
        status=response.status_code,
        json_dumps_params={"ensure_ascii": False},
    )
    for header in ("Retry-After", "WWW-Authenticate", "Allow"):
        if header in response:
            graph[header] = response[header]
    return graph


def _database_unavailable() -> JsonResponse:
    """The database can't be reached (an outage, a restart): 503 with ``Retry-After``, as
    the pages answer; nothing was saved, so the call can be retried."""
    response = error_response(
        503,
        503,
        _("The service is temporarily unavailable; nothing was saved. Retry in a minute."),
        error_name="ServiceUnavailable",
        retryable=True,
    )
    response["Retry-After"] = "60"
    return response


def _has_nul(request: HttpRequest) -> bool:
    """Whether the path, the query or the body carries a NUL (raw or as ``\\u0000``):
    PostgreSQL can't store one, so it is refused before anything reads it."""
    if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.GET.items()):
        return True
    if request.method in WRITES:
        body = request.body
        return b"\x00" in body or b"\\u0000" in body.lower()
    return False


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class PartnerCenterAPI(NinjaAPI):
    """The API: django-ninja with Partner Center's tokens, errors, limits and headers."""

    def __init__(self, **kwargs):
        kwargs.setdefault("auth", TokenAuth())
        kwargs.setdefault("throttle", [TokenThrottle(), PartnerThrottle()])
        super().__init__(**kwargs)
        self.add_exception_handler(ApiError, lambda r, e: api_error_response(e))
        self.add_exception_handler(AuthenticationError, self._unauthorized)
        self.add_exception_handler(NinjaValidationError, self._invalid)
        self.add_exception_handler(
            ValidationError, lambda r, e: api_error_response(validation_error(e))
        )
        self.add_exception_handler(PermissionDenied, self._forbidden)
        self.add_exception_handler(Http404, self._not_found)
        self.add_exception_handler(Throttled, self._throttled)
        self.add_exception_handler(HttpError, self._http_error)
        self.add_exception_handler(OperationalError, lambda r, e: _database_unavailable())
        self.add_exception_handler(InterfaceError, lambda r, e: _database_unavailable())
        self.add_exception_handler(DatabaseError, self._server_error)
        self.add_exception_handler(Exception, self._server_error)

    @staticmethod
    def _unauthorized(request, exc):
        response = error_response(
            401,
            UNAUTHORIZED,
            _(
                "Send a valid API token: Authorization: Bearer <token>. This one is missing, "
                "unknown, revoked or expired."
            ),
            error_name="Unauthorized",
        )
        response["WWW-Authenticate"] = 'Bearer realm="Partner Center"'
        return response

    @staticmethod
    def _invalid(request, exc: NinjaValidationError):
        parameters = {}
        for error in exc.errors:
            location = [str(p) for p in error.get("loc", ()) if p not in ("body", "payload")]
            parameters[".".join(location)] = error.get("msg", "")
        first = next(iter(parameters.items()), ("", ""))
        description = (
            _("%(field)s: %(message)s") % {"field": first[0], "message": first[1]}
            if first[0]
            else _("The request body isn't valid JSON of the documented shape.")
        )
        return error_response(
            400, BAD_REQUEST, description, error_name="InvalidInput", parameters=parameters
        )

    @staticmethod
    def _forbidden(request, exc):
        message = str(exc) or _("Your roles don't allow this.")
        return error_response(403, FORBIDDEN, message, error_name="Forbidden")

    @staticmethod
    def _not_found(request, exc):
        return api_not_found(request)

    @staticmethod
    def _throttled(request, exc):
        return error_response(
            429,
            TOO_MANY_REQUESTS,
            _("Too many requests. Wait for the number of seconds in Retry-After, then retry."),
            error_name="TooManyRequests",
            retryable=True,
        )

    @staticmethod
    def _http_error(request, exc: HttpError):
        return error_response(exc.status_code, exc.status_code, str(exc), error_name="HttpError")

    @staticmethod
    def _server_error(request, exc):
        logger.exception("API request failed", exc_info=exc)
        return error_response(
            500,
            SERVER_ERROR,
            _("Something went wrong on our side; nothing was saved. Retry the request."),
            error_name="InternalError",
            retryable=True,
        )

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        return _wrapped(patterns), app_name, namespace


def _wrapped(patterns):
    result = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            pattern.url_patterns[:] = _wrapped(pattern.url_patterns)
            result.append(pattern)
        elif isinstance(pattern, URLPattern):
            pattern.callback = _around(pattern.callback)
            result.append(pattern)
    return result


def benchmark_router() -> Router:
    """``GET /v1/benchmark/bare``: a token-authenticated call through the API's whole
    machinery (token, limits, headers, metrics) that reads nothing else; routed only
    with ``BENCHMARK_VIEWS`` (benchmarks/api.py's baseline)."""
    router = Router()

    @router.get("/benchmark/bare", include_in_schema=False)
    def benchmark_bare(request):
        return {"userId": request.user.pk}

    return router


def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """A 404 in Partner Center's body: an unknown address under the API, or an object
    that doesn't exist or belongs to another partner (the two look the same)."""
    return error_response(
        404,
        NOT_FOUND,
        _("Nothing was found at this address, or your organization can't see it."),
        error_name="NotFound",
    )


api_not_found.login_required = False


def graph_not_found(request, *args, **kwargs) -> JsonResponse:
    """An unknown address under Microsoft Graph's paths: Graph's 404 body."""
    return JsonResponse(
        graph_error_body(
            404, _("Nothing was found at this address, or your organization can't see it.")
        ),
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


graph_not_found.login_required = False


def json_response(data, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    """``data`` as JSON (UTF-8, not ASCII-escaped), for answers ninja doesn't shape."""
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response
