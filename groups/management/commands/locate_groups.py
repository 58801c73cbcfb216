"""python manage.py locate_groups"""

from django.core.management.base import BaseCommand

from groups import geo
from groups.models import Group
from kontaktstelle.web import public_cache


class Command(BaseCommand):
    help = (
        "Place every group for 'near me' at the centre of its postcode area (or town), "
        "from the postcode data shipped with the app. Idempotent: run it after updating "
        "groups/data/postcodes.csv, or for groups saved before 'near me' existed."
    )

    def handle(self, *args, **options):
        changed = geo.locate_groups()
        if changed:
            public_cache.invalidate()  # the directory's distances change
        located = Group.objects.filter(latitude__isnull=False).count()
        self.stdout.write(f"{changed} groups placed anew; {located} groups have a place.")
