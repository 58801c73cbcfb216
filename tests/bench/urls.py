"""The app's URLs plus the benchmark's baseline view.

Only the benchmark's settings (``tests.bench.settings``) use this URLconf, so the
product has no extra address.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path


@login_not_required
def minimal(request):
    """The least a request through the full middleware costs: the baseline of every page."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include("kontaktstelle.urls")),
]
