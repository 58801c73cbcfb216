"""A request ID for every request, so that a response, a log line and an audit entry
can be matched.

The ID is the incoming ``X-Request-ID`` when a reverse proxy (or a client) sent a
well-formed one, otherwise a new random one; it goes back in the response's
``X-Request-ID`` header.
"""

import contextvars
import re
import uuid

HEADER = "X-Request-ID"
# Letters, digits, dot, dash and underscore, 8 to 64 characters: no spaces, no line
# breaks, nothing that could forge a log line or overflow the audit entry's field.
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")

_current_request = contextvars.ContextVar("kontaktstelle_current_request", default=None)


def current_request():
    """The request being handled here, or None outside a request (e.g. in a command).

    Lets the audit trail note the request ID and IP address of a change made deep in a
    service function, without handing the request down to it.
    """
    return _current_request.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request.request_id = incoming if WELL_FORMED.fullmatch(incoming) else uuid.uuid4().hex
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        response[HEADER] = request.request_id
        return response
