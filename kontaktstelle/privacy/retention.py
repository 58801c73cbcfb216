"""How long personal data is kept: each rule removes what is past its period.

The periods are settings (``RETENTION_DAYS``, from the environment; see the README). Every
rule is one conditional UPDATE or DELETE, so running ``apply_retention`` again changes
nothing, and two servers running it at once cannot do anything twice. Rows that the
statistics count stay; only their personal fields are blanked.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups import missed_searches, referrals
from groups.models import Inquiry, MissedSearch
from kontaktstelle.accounts.models import Invitation
from kontaktstelle.notifications.models import Notification
from kontaktstelle.privacy import anonymise_inquiries
from starters.models import Accompaniment, MeetingLog, VolunteerApplication


def _days(key):
    return datetime.timedelta(days=settings.RETENTION_DAYS[key])


def inquiries(now):
    """Web requests: anonymised a while after they were answered, or when never answered."""
    due = Q(answered_at__lt=now - _days("inquiry_answered")) | Q(
        created_at__lt=now - _days("inquiry_unanswered")
    )
    return anonymise_inquiries(Inquiry.objects.filter(due), now)


def process_notes(now):
    """The note on the group process of a meeting log; the log itself counts on."""
    before = timezone.localdate(now) - _days("process_note")
    return (
        MeetingLog.objects.filter(held_on__lt=before)
        .exclude(process_note="")
        .update(process_note="")
    )


ERASED_REQUESTER = "–"


def requesters(now):
    """Who asked for an accompaniment (a first name or a role): not needed once the
    accompaniment ended long ago; the accompaniment itself counts on."""
    before = timezone.localdate(now) - _days("accompaniment_requester")
    return (
        Accompaniment.objects.filter(completed_on__lt=before)
        .exclude(requested_by=ERASED_REQUESTER)
        .update(requested_by=ERASED_REQUESTER)
    )


def notifications(now):
    """Notifications name groups and people; after a while they have served their purpose."""
    deleted, _by_model = Notification.objects.filter(
        created_at__lt=now - _days("notification")
    ).delete()
    return deleted


def invitations(now):
    """Invitation links long expired (also those used or replaced): who was invited when."""
    deleted, _by_model = Invitation.objects.filter(
        expires_at__lt=now - _days("invitation")
    ).delete()
    return deleted


def missed_search_counts(now):
    """Monthly counts of searches without result: only words, but seekers' words; kept
    while the month they count began is within the period."""
    deleted, _by_model = MissedSearch.objects.filter(
        month__lt=missed_searches.retained_since(timezone.localdate(now))
    ).delete()
    return deleted


def applications(now):
    """Applications as In-Gang-Setzer:in not accepted (declined, or not pursued): deleted
    once their period has run out (``VolunteerApplication.objects.not_accepted_before``)."""
    deleted, _by_model = VolunteerApplication.objects.not_accepted_before(now).delete()
    return deleted


@dataclass(frozen=True)
class RetentionRule:
    label: str
    apply: object


RULES = [
    RetentionRule(_("web requests anonymised (name, contact data, topic, message)"), inquiries),
    RetentionRule(_("notes on the group process of meeting logs cleared"), process_notes),
    RetentionRule(_("names of who asked for an accompaniment removed"), requesters),
    RetentionRule(_("old notifications deleted"), notifications),
    RetentionRule(_("expired invitation links deleted"), invitations),
    RetentionRule(_("old counts of searches without result deleted"), missed_search_counts),
    RetentionRule(
        _("unanswered addresses for referral follow-ups erased"), referrals.erase_expired
    ),
    RetentionRule(_("applications as In-Gang-Setzer:in not accepted deleted"), applications),
]


def apply_retention(now=None):
    """Apply every rule; returns (rule, number of records changed) in the rules' order."""
    now = now or timezone.now()
    return [(rule, rule.apply(now)) for rule in RULES]
