"""Each request's id, address and user agent, for the audit events it writes."""

from partnercenter.audit.context import request_context_enter, request_context_exit


class AuditContextMiddleware:
    """Give each request an id, and let the audit events it writes record it, the client's
    address and its user agent. The id is sent back as ``X-Request-ID``, so a
    support case can name the events of one request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_context_enter(request)
        try:
            response = self.get_response(request)
        finally:
            request_context_exit(token)
        response["X-Request-ID"] = str(request.request_id)
        return response
