"""What the resilience of the site needs in the database: cache versions, counted attempts."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CacheVersion(models.Model):
    """A counter that moves with every change to what a cache holds.

    It lives in the database, beside the data, and moves in the same transaction: a
    cached page is served only under the version read before it was rendered, so
    nothing stale is served even when the cache missed an invalidation while it was
    down (``kontaktstelle/public_cache.py``).
    """

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    value = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("cache version")
        verbose_name_plural = _("cache versions")

    def __str__(self):
        return f"{self.name}: {self.value}"


class RateLimitEvent(models.Model):
    """One counted attempt at something limited per hour (a password reset, a web form).

    ``key`` is a keyed hash of what is counted (an e-mail address, an IP address), never
    the value itself; rows older than a day are removed as new ones come in.
    """

    scope = models.CharField(_("scope"), max_length=40)
    key = models.CharField(_("key"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("counted attempt")
        verbose_name_plural = _("counted attempts")
        indexes = [
            models.Index(
                fields=["scope", "key", "created_at"], name="kontaktstelle_ratelimit_count"
            ),
            models.Index(fields=["created_at"], name="kontaktstelle_ratelimit_age"),
        ]

    def __str__(self):
        return f"{self.scope} {self.created_at:%Y-%m-%d %H:%M}"
