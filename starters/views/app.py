"""The volunteers' app: the web app manifest, the service worker and the offline page
that let a phone add /mein-bereich/ to its home screen and log a meeting without network.

All three are the same for everyone (no personal data), so they need no login: a phone
fetches the manifest without cookies, and a service worker must not be a redirect.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME_COLOUR = "#174a50"
# The meeting-log forms a phone keeps for offline use (also in static/js/offline-log.js).
FORMS_CACHE = "meeting-log-forms"
# What a meeting-log form needs to show and work without network.
SHELL_ASSETS = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "css/kontaktstelle.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "js/offline-log.js",
    "favicon.svg",
    "icons/app-192.png",
)


def scope():
    return reverse("starters:home")


@login_not_required
@require_GET
def manifest(request):
    """The web app manifest: /mein-bereich/ as an app on the home screen."""
    start = scope()
    icons = [
        {"src": static(f"icons/app-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append({**icons[-1], "purpose": "maskable"})
    data = {
        "id": start,
        "name": _("Kontaktstelle – My area"),
        "short_name": _("My area"),
        "description": _("Log accompanied meetings, also without network."),
        "lang": get_language(),
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@login_not_required
@require_GET
def service_worker(request):
    """The service worker, served from the scope it controls (/mein-bereich/).

    Its text names the current static files, so a new release changes it and phones
    install the new one; "no-cache" makes them check on every visit.
    """
    assets = [static(path) for path in SHELL_ASSETS]
    offline_url = reverse("starters:offline")
    version = hashlib.sha256(" ".join([offline_url, *assets]).encode()).hexdigest()[:12]
    response = render(
        request,
        "starters/service-worker.js",
        {
            "version": version,
            "assets": json.dumps(assets),
            "offline_url": json.dumps(offline_url),
            "forms_cache": json.dumps(FORMS_CACHE),
            "scope": json.dumps(scope()),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = scope()
    return response


@login_not_required
@require_GET
def offline(request):
    """What the app shows for a page it cannot load without network."""
    return render(request, "starters/offline.html", {"theme_colour": THEME_COLOUR})
