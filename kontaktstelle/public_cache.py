"""A cache of public pages as anonymous visitors see them (the group directory).

A search over 100,000 groups costs tens of milliseconds; the same search asked again
costs a cache lookup. What is kept is the finished HTML of a GET, per host, language
and full path, and only when it is the same for every anonymous visitor:

- the request carries no session and no message cookie (nobody logged in, no
  "saved" notice waiting to be shown);
- the page used no CSRF token (a form with a token is personal to its cookie) and
  set no cookie;
- the answer is a plain 200.

Every change to what public pages show (groups, topics, offices, sites, rooms) moves
the version that all keys carry, so an unpublished group is gone from the directory
at once, not after the timeout. That needs one cache for all app processes: the
cache is on by default only with Redis (``REDIS_URL``); ``PUBLIC_PAGE_CACHE_SECONDS``
sets its lifetime (0 turns it off).
"""

import functools
import hashlib
import uuid

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import translation

VERSION_KEY = "public-pages:version"


def invalidate():
    """Forget every cached public page (a new version; the old entries expire).

    Now, and again when the transaction commits: a visitor's request in between may
    have cached the page as it was before the change.
    """
    _new_version()
    transaction.on_commit(_new_version)


def _new_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def _version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # Another process may have set one meanwhile: theirs wins, so all share one.
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY, version)
    return version


def _cacheable(request):
    if request.method != "GET" or settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return False
    personal = {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}
    return not personal & request.COOKIES.keys()


def _storable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def _key(request):
    place = f"{request.get_host()}|{translation.get_language()}|{request.get_full_path()}"
    digest = hashlib.sha256(place.encode()).hexdigest()
    return f"public-page:{_version()}:{digest}"


def cache_public_page(view):
    """Serve the view's answer to anonymous visitors from the cache (see the module)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            content_type, content = stored
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if _storable(request, response):
            stored = (response["Content-Type"], response.content)
            cache.set(key, stored, settings.PUBLIC_PAGE_CACHE_SECONDS)
        return response

    wrapped.caches_public_page = True
    return wrapped


def _offices_changed(sender, **kwargs):
    invalidate()


def connect():
    """Forget the pages when an office, site or room changes (names, addresses, access).

    The groups app does the same for groups and their topics.
    """
    from django.db.models.signals import post_delete, post_save

    from kontaktstelle.models import Office, Room, Site

    for model in (Office, Site, Room):
        for signal in (post_save, post_delete):
            signal.connect(_offices_changed, sender=model, dispatch_uid=f"public-pages-{model}")
