"""Versions of cached things, kept in the database beside the data they describe.

A cache key carries the version of what it holds; a change moves the version in its
own transaction. So the cache never has to be told of a change: when it was down or
hung during one, its old entries are simply never asked for again, and it cannot
serve anything from before the change when it comes back.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

from kontaktstelle.web.models import CacheVersion


def move(name):
    """A new version of ``name``, committed (or rolled back) with the caller's change."""
    if CacheVersion.objects.filter(name=name).update(value=F("value") + 1):
        return
    try:
        with transaction.atomic():
            CacheVersion.objects.create(name=name, value=1)
    except IntegrityError:  # created meanwhile by another process
        CacheVersion.objects.filter(name=name).update(value=F("value") + 1)


def current(name):
    """The version of ``name`` as committed now (0 before its first change)."""
    return CacheVersion.objects.filter(name=name).values_list("value", flat=True).first() or 0
