"""While the database cannot be reached, every page answers 503 with a short page.

A database that is down or refuses connections raises ``OperationalError`` (or
``InterfaceError`` for a connection that broke); that is an outage, not a bug: the
visitor gets "please try again in a few minutes" with ``Retry-After``, not a
traceback, and the log gets one warning line instead of an error report. Whatever
was being written is rolled back by its transaction, so nothing is half-stored.

Errors raised inside a view reach ``DatabaseUnavailableMiddleware``; those raised
elsewhere (a session saved after the view) reach ``server_error``, the 500 handler.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 120
FALLBACK_PAGE = (
    '<!doctype html><html lang="de"><meta charset="utf-8"><title>Gerade nicht erreichbar'
    "</title><p>Die Seite ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen "
    "Minuten erneut.</p></html>"
)
OUTAGE = (OperationalError, InterfaceError)


def unavailable(request, error):
    logger.warning(
        "Database unavailable for %s %s (%s: %s); answered 503.",
        request.method,
        request.path,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
    )
    try:
        page = loader.render_to_string("503.html")
    except Exception:  # e.g. static files not collected: the sentence, plainly
        page = FALLBACK_PAGE
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Logged above as a warning; Django would add an error report for every 503.
    response._has_been_logged = True
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OUTAGE):
            return unavailable(request, exception)
        return None


def server_error(request, template_name="500.html"):
    """Django's 500 page, or the 503 page when the error is a database outage."""
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGE):
        return unavailable(request, error)
    try:
        return django_server_error(request, template_name=template_name)
    except Exception:  # the 500 template itself failed: a plain answer
        return HttpResponseServerError("Server Error", content_type="text/plain")
