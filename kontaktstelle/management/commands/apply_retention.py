"""Remove personal data past its retention period: safe to run daily on several servers."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kontaktstelle.privacy.retention import apply_retention


class Command(BaseCommand):
    help = _(
        "Anonymise web requests, clear old notes on meeting logs and delete old "
        "notifications, invitation links and applications not accepted, as the retention "
        "periods in the settings say. Records the statistics count stay. Running it again "
        "changes nothing."
    )

    def handle(self, *args, **options):
        results = apply_retention()
        for rule, count in results:
            self.stdout.write(f"{rule.label}: {count}")
        if not any(count for _rule, count in results):
            self.stdout.write(_("Nothing to do: no personal data is past its retention period."))
