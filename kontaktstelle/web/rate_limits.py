"""Limits per hour on what anyone can do without logging in, counted in the database.

The counts live in PostgreSQL, not in the cache: a brake must hold while Redis is away,
and the cache fails open. What is counted (an e-mail address, an IP address) is stored
only as a keyed hash, and rows older than a day are removed as new ones come in.
"""

import datetime

from django.utils import timezone
from django.utils.crypto import salted_hmac

from kontaktstelle.web.models import RateLimitEvent

WINDOW = datetime.timedelta(hours=1)
KEEP = datetime.timedelta(days=1)


def _hash(scope, value):
    return salted_hmac(f"rate-limit:{scope}", str(value).strip().lower()).hexdigest()[:64]


def take(*limits, window=WINDOW):
    """Count one attempt against each ``(scope, value, limit)``, if all are under limit.

    Returns True and records the attempt for every limit when each has been used fewer
    than ``limit`` times within ``window``; otherwise records nothing and returns False.
    """
    now = timezone.now()
    RateLimitEvent.objects.filter(created_at__lt=now - KEEP).delete()
    keyed = [(scope, _hash(scope, value), limit) for scope, value, limit in limits]
    for scope, key, limit in keyed:
        used = RateLimitEvent.objects.filter(
            scope=scope, key=key, created_at__gte=now - window
        ).count()
        if used >= limit:
            return False
    RateLimitEvent.objects.bulk_create(
        RateLimitEvent(scope=scope, key=key, created_at=now) for scope, key, _limit in keyed
    )
    return True
