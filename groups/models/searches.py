"""Searches of the public directory that found nothing: counted, never traced to a person."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kontaktstelle.offices.models import Office, OfficeScopedQuerySet


class MissedSearchQuerySet(OfficeScopedQuerySet):
    pass


class MissedSearch(models.Model):
    """How often a normalised query found no group in a month, per office.

    No IP address, no session, no time finer than the month: only the words, so that
    staff see which words seekers use that the thesaurus does not know yet.
    """

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="missed_searches"
    )
    query = models.CharField(_("search words"), max_length=200)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    count = models.PositiveIntegerField(_("times asked"), default=0)

    objects = MissedSearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("search without result")
        verbose_name_plural = _("searches without result")
        ordering = ["-month", "-count"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "query", "month"], name="groups_missedsearch_once_a_month"
            ),
        ]

    def __str__(self):
        return f"{self.query} ({self.month:%m/%Y}: {self.count})"
