"""The one way a view fetches an object: through ``for_user``, so that anything outside
what the user may see answers 404, as if it did not exist (never 403: nothing leaks)."""

from django.shortcuts import get_object_or_404


def fetch(queryset, user, **lookup):
    """The object of ``queryset`` matching ``lookup`` that ``user`` may see, else 404.

    ``queryset`` is a model's queryset (or manager) with ``for_user``; select or prefetch
    what the page needs on it before.
    """
    return get_object_or_404(queryset.for_user(user), **lookup)
