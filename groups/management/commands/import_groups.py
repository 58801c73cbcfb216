"""python manage.py import_groups FILE [--office SLUG] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from groups.importing import import_groups
from kontaktstelle.models import Office


def office_from_option(slug):
    """The office named by --office; it may be left out when there is only one office."""
    if slug:
        office = Office.objects.filter(slug=slug).first()
        if office is None:
            raise CommandError(f"No office with the slug {slug!r}.")
        return office
    offices = list(Office.objects.all()[:2])
    if len(offices) != 1:
        raise CommandError("There is not exactly one office: name it with --office SLUG.")
    return offices[0]


class Command(BaseCommand):
    help = (
        "Import an office's groups from a .csv or .xlsx file. Groups are matched by name "
        "within the office (ignoring case and umlaut spelling): existing ones are updated."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .xlsx file")
        parser.add_argument("--office", help="slug of the office (needed with several offices)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, file, office=None, dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file} does not exist.")
        office = office_from_option(office)
        with path.open("rb") as handle:
            result = import_groups(office, handle, path.name, dry_run=dry_run)
        if result.errors:
            for _line, message in result.errors:
                self.stderr.write(message)
            raise CommandError(f"{len(result.errors)} problem(s) found; nothing was imported.")
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{office}: {result.created} group(s) {verb} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
        if result.new_topics:
            self.stdout.write(f"New topics {verb} created: {', '.join(result.new_topics)}")
