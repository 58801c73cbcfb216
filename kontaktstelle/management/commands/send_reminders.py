"""Send the reminders that are due: safe to run every hour on several servers at once."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from groups import exchange, referrals, verification
from kontaktstelle.notifications import outbox
from kontaktstelle.notifications.services import deliver_pending
from starters.reminders import due_reminders


class Command(BaseCommand):
    help = _(
        "Create the notifications that are due (meetings tomorrow, missing logs, planned "
        "ends, follow-ups, yearly confirmations), ask the groups' contact persons to check "
        "their entries, and e-mail every one not sent yet, with "
        "the invitations and password resets the mail server did not take earlier. "
        "Nothing is sent twice, even when several servers run this at the same time."
    )

    def handle(self, *args, **options):
        # Founding-interest alerts: new crossings, and counts that fell release theirs.
        created = due_reminders() + exchange.check_all()
        sent = deliver_pending()
        self.stdout.write(
            _("%(created)s new notifications; %(sent)s left over from earlier runs sent now.")
            % {"created": created, "sent": sent}
        )
        started, reminded = verification.send_due()
        if started or reminded:
            self.stdout.write(
                _("Yearly data check: %(started)s groups asked, %(reminded)s reminded.")
                % {"started": started, "reminded": reminded}
            )
        followed_up = referrals.send_due()
        if followed_up:
            self.stdout.write(
                _("Referral follow-up: %(count)s e-mails sent.") % {"count": followed_up}
            )
        waiting = outbox.send_pending()
        if waiting:
            self.stdout.write(
                _("%(count)s waiting e-mails (invitations, password resets) sent now.")
                % {"count": waiting}
            )
