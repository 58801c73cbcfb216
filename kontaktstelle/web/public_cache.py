"""A cache of public pages as anonymous visitors see them (directory, group pages).

A search over 100,000 groups costs tens of milliseconds; the same search asked again
costs a cache lookup. What is kept is the finished HTML of a GET, per host, language
and full path, and only when it is the same for every anonymous visitor:

- the request carries no session and no message cookie (nobody logged in, no
  "saved" notice waiting to be shown);
- the page set no cookie of its own, and the answer is a plain 200;
- the address was asked for before within the lifetime: a page is kept from its
  second request on, so that a flood of one-off addresses cannot fill the cache.

Forms keep their CSRF protection: the token in each form's hidden field is cut out
before the page is stored and the visitor's own token put in when it is served (which
sets their CSRF cookie, as rendering the page would have done).

Every change to what public pages show (groups, topics, offices, sites, rooms) moves
the version that all keys carry, so an unpublished group is gone from the directory
at once, not after the timeout. The version is a row in the database
(``CacheVersion``), moved in the same transaction as the change and read before a page
is looked up: a change commits together with its new version, and a cache that was
down during a change cannot serve the page from before it when it comes back. The
cache itself fails open (``kontaktstelle/cache.py``): while it is away, pages are
rendered for each request. That needs one cache for all app processes: the cache is
on by default only with Redis (``REDIS_URL``); ``PUBLIC_PAGE_CACHE_SECONDS`` sets its
lifetime (0 turns it off).
"""

import functools
import hashlib
import re

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from kontaktstelle.web import cache_versions

VERSION_NAME = "public-pages"
# The hidden field {% csrf_token %} renders, and what stands for its value in the cache.
_TOKEN_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")')
_TOKEN_HOLE = b"\x00csrf-token\x00"


def invalidate():
    """Forget every cached public page: the version moves with the caller's transaction.

    Nothing is sent to the cache, so a save succeeds whether or not it is reachable.
    """
    cache_versions.move(VERSION_NAME)


def _cacheable(request):
    if request.method != "GET" or settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return False
    personal = {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}
    return not personal & request.COOKIES.keys()


def never_keep(response):
    """Mark a page the cache must not keep, e.g. because rendering it counts something."""
    response.never_keep_public = True
    return response


def _storable(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not getattr(response, "never_keep_public", False)
    )


def _without_token(content):
    return _TOKEN_FIELD.sub(rb"\1" + _TOKEN_HOLE + rb"\2", content)


def _with_token(request, content):
    if _TOKEN_HOLE not in content:
        return content
    return content.replace(_TOKEN_HOLE, get_token(request).encode())


def _well_formed(stored):
    """What this module stores; anything else found under a key is a miss."""
    return (
        isinstance(stored, tuple)
        and len(stored) == 2
        and isinstance(stored[0], str)
        and isinstance(stored[1], bytes)
    )


def _key(request):
    place = f"{request.get_host()}|{translation.get_language()}|{request.get_full_path()}"
    digest = hashlib.sha256(place.encode()).hexdigest()
    return f"public-page:{cache_versions.current(VERSION_NAME)}:{digest}"


def cache_public_page(view):
    """Serve the view's answer to anonymous visitors from the cache (see the module)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        stored = cache.get(key)
        if _well_formed(stored):
            content_type, content = stored
            return HttpResponse(_with_token(request, content), content_type=content_type)
        response = view(request, *args, **kwargs)
        # Kept from its second request on: a flood of one-off addresses (random
        # searches) leaves a small marker each, not a page.
        seen = cache.add(f"{key}:seen", True, settings.PUBLIC_PAGE_CACHE_SECONDS)
        if not seen and _storable(response):
            stored = (response["Content-Type"], _without_token(response.content))
            cache.set(key, stored, settings.PUBLIC_PAGE_CACHE_SECONDS)
        return response

    wrapped.caches_public_page = True
    return wrapped
