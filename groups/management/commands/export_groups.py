from pathlib import Path

from django.core.management.base import BaseCommand

from groups.importing import export_groups
from groups.management.commands.import_groups import office_from_option


class Command(BaseCommand):
    help = "Export an office's groups as .csv or .xlsx, with the columns of the import."

    def add_arguments(self, parser):
        parser.add_argument("output")
        parser.add_argument("--office", help="slug of the office (needed with several)")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")

    def handle(self, *args, output, office=None, format="csv", **options):
        data = export_groups(office_from_option(office), format)
        Path(output).write_bytes(data)
        self.stdout.write(f"Wrote {output}.")
