"""Read-side helpers for offices, used by several views."""

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404

from kontaktstelle.offices.models import Office, Site


def offices_knowing_others():
    """Offices, each knowing whether the installation has others (``has_others``): a
    public page offers to search the whole network only then."""
    return Office.objects.annotate(has_others=Exists(Office.objects.exclude(pk=OuterRef("pk"))))


def public_office(slug=None, sites=True):
    """The office of a public page: by its slug (404 if unknown), else the configured one;
    with its sites (by name) unless ``sites`` is false, and ``has_others``."""
    offices = offices_knowing_others()
    if sites:
        offices = offices.prefetch_related(
            Prefetch("sites", queryset=Site.objects.order_by("name"))
        )
    if slug:
        return get_object_or_404(offices, slug=slug)
    if settings.PUBLIC_OFFICE_SLUG:
        return offices.filter(slug=settings.PUBLIC_OFFICE_SLUG).first()
    return offices.order_by("pk").first()
