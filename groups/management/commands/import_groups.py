"""python manage.py import_groups FILE [--office SLUG] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.importing import import_groups
from kontaktstelle.offices.models import Office


def office_from_option(slug):
    """The office named by --office; it may be left out when there is only one office."""
    if slug:
        office = Office.objects.filter(slug=slug).first()
        if office is None:
            raise CommandError(_("There is no office with the short name “%s”.") % slug)
        return office
    offices = list(Office.objects.all()[:2])
    if len(offices) != 1:
        raise CommandError(
            _("There is more than one office (or none): name it with --office SHORT-NAME.")
        )
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
            raise CommandError(_("The file %s does not exist.") % file)
        office = office_from_option(office)
        with path.open("rb") as handle:
            result = import_groups(office, handle, path.name, dry_run=dry_run)
        if len(result.errors) == 1 and result.errors[0][0] is None:
            raise CommandError(result.errors[0][1])  # the file itself, e.g. empty
        if result.errors:
            for _line, message in result.errors:
                self.stderr.write(message)
            raise CommandError(
                ngettext(
                    "%(count)s problem found; nothing was imported.",
                    "%(count)s problems found; nothing was imported.",
                    len(result.errors),
                )
                % {"count": len(result.errors)}
            )
        counts = {
            "office": office,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if dry_run:
            summary = _(
                "%(office)s: %(created)s new, %(updated)s changed, %(unchanged)s unchanged "
                "groups would be imported (trial run, nothing was saved)."
            )
        else:
            summary = _(
                "%(office)s: %(created)s groups created, %(updated)s changed, "
                "%(unchanged)s unchanged."
            )
        self.stdout.write(summary % counts)
        if result.new_topics:
            topics = ", ".join(result.new_topics)
            if dry_run:
                self.stdout.write(_("New topics that would be created: %s") % topics)
            else:
                self.stdout.write(_("New topics created: %s") % topics)
