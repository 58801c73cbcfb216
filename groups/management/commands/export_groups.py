"""python manage.py export_groups [--office SLUG] [--format csv|xlsx] OUTPUT"""

from pathlib import Path

from django.core.management.base import BaseCommand

from groups.importing import export_groups
from groups.management.commands.import_groups import office_from_option


class Command(BaseCommand):
    help = "Export an office's groups as .csv or .xlsx, with the columns of the import."

    def add_arguments(self, parser):
        parser.add_argument("output", help="the file to write")
        parser.add_argument("--office", help="slug of the office (needed with several offices)")
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], help="default: from OUTPUT's ending, else csv"
        )

    def handle(self, *args, output, office=None, format=None, **options):
        path = Path(output)
        fmt = format or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        office = office_from_option(office)
        path.write_bytes(export_groups(office, fmt))
        self.stdout.write(f"Wrote the groups of {office} to {path} ({fmt}).")
