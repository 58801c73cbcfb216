"""Offices, sites and rooms show on public pages: a change empties the page cache."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kontaktstelle.offices.models import Office, Room, Site
from kontaktstelle.web.public_cache import invalidate


@receiver([post_save, post_delete], sender=Office, dispatch_uid="public_pages_office")
@receiver([post_save, post_delete], sender=Site, dispatch_uid="public_pages_site")
@receiver([post_save, post_delete], sender=Room, dispatch_uid="public_pages_room")
def offices_changed(sender, **kwargs):
    """Names, addresses and access of offices, sites and rooms show on public pages.

    The groups app does the same for groups and their topics (``groups.signals``).
    """
    invalidate()
