"""A volunteer's documents that expire, read from what the record already holds.

- the volunteer agreement (``Starter.agreement_signed_on``, then
  ``agreement_renewed_on``: the first signing stays what "volunteer since" and the
  exchange count read): renewed every ``Office.agreement_renewal_years`` years (0: it
  does not expire);
- the consent to data processing (``Starter.consent_given_on`` and its consent record):
  in force until withdrawn, so it never expires;
- the extended police certificate, where the office requires it: only its date and the day
  staff saw it are stored, valid ``Office.police_certificate_renewal_years`` from its date;
- an exchange meeting or supervision attended at least once in 12 months (the training
  records, counted as ``StarterQuerySet.exchange_overdue`` counts).

A required document that has expired blocks new offers (``blocking``); a required police
certificate that was never seen does too. Staff and the volunteer are reminded six weeks
and one week before a required document expires
(``starters.reminders.document_reminders``); documents not required are only shown.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kontaktstelle.web.dates import add_years
from starters.models import EXCHANGE_INTERVAL, Starter

# When before the end of its validity a document's renewal is reminded, and shown as due.
REMIND_BEFORE = {"6w": datetime.timedelta(weeks=6), "1w": datetime.timedelta(weeks=1)}
DUE_SOON = REMIND_BEFORE["6w"]


class Kind(models.TextChoices):
    AGREEMENT = "agreement", gettext_lazy("volunteer agreement")
    CONSENT = "consent", gettext_lazy("consent to data processing")
    POLICE_CERTIFICATE = "police_certificate", gettext_lazy("extended police certificate")
    EXCHANGE = "exchange", gettext_lazy("exchange meeting or supervision")


class State(models.TextChoices):
    VALID = "valid", gettext_lazy("valid")
    DUE_SOON = "due_soon", gettext_lazy("to be renewed soon")
    EXPIRED = "expired", gettext_lazy("expired")
    MISSING = "missing", gettext_lazy("not recorded")


def _until(start, years):
    """The last day a document dated ``start`` is valid for ``years`` years."""
    return add_years(start, years) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Document:
    """One document of a volunteer as it stands on ``today``."""

    kind: str
    state: str
    required: bool
    dated_on: datetime.date | None = None
    valid_until: datetime.date | None = None

    @property
    def label(self):
        return Kind(self.kind).label

    @property
    def state_label(self):
        return State(self.state).label

    @property
    def blocks(self):
        """An expired required document; a required police certificate never seen."""
        if not self.required:
            return False
        return self.state == State.EXPIRED or (
            self.state == State.MISSING and self.kind == Kind.POLICE_CERTIFICATE
        )

    @property
    def needs_attention(self):
        """A required document due soon, expired, or blocking while missing: shown on the
        dashboard and reminded."""
        return self.required and (self.state in (State.DUE_SOON, State.EXPIRED) or self.blocks)

    @property
    def problem(self):
        """What stands in the way, in a few words for a message."""
        if self.state == State.MISSING:
            return _("%(document)s: not recorded") % {"document": self.label}
        return _("%(document)s: expired on %(date)s") % {
            "document": self.label,
            "date": date_filter(self.valid_until + datetime.timedelta(days=1), "DATE_FORMAT"),
        }


def _document(kind, dated_on, valid_until, required, today):
    """A document's state; without a date it may still have an end (an exchange never
    attended is due 12 months after the training)."""
    if dated_on is None and valid_until is None:
        state = State.MISSING
    elif valid_until is None or valid_until - today >= DUE_SOON:
        state = State.VALID
    elif valid_until >= today:
        state = State.DUE_SOON
    else:
        state = State.EXPIRED
    return Document(kind, state, required, dated_on, valid_until)


def documents_of(starter, today=None):
    """The volunteer's documents on ``today``, the police certificate only where the
    office requires it or one was recorded.

    ``starter`` comes from ``with_documents()`` (its office loaded and the exchange dates
    annotated), so that a list of volunteers takes no query per person.
    """
    today = today or timezone.localdate()
    office = starter.office
    signed = max(
        (day for day in (starter.agreement_signed_on, starter.agreement_renewed_on) if day),
        default=None,
    )
    years = office.agreement_renewal_years
    documents = [
        _document(
            Kind.AGREEMENT, signed, _until(signed, years) if signed and years else None, True, today
        ),
        _document(Kind.CONSENT, starter.consent_given_on, None, False, today),
    ]
    issued = starter.police_certificate_issued_on
    if office.requires_police_certificate or issued:
        documents.append(
            _document(
                Kind.POLICE_CERTIFICATE,
                issued,
                _until(issued, office.police_certificate_renewal_years) if issued else None,
                office.requires_police_certificate,
                today,
            )
        )
    if starter.status in (Starter.Status.ACTIVE, Starter.Status.PAUSED):
        # As ``exchange_overdue`` counts: from the last one, else from training or agreement.
        since = starter.last_exchange_on or starter.exchange_counted_from
        documents.append(
            _document(
                Kind.EXCHANGE,
                starter.last_exchange_on,
                since + EXCHANGE_INTERVAL - datetime.timedelta(days=1),
                office.requires_exchange_attendance,
                today,
            )
        )
    return documents


def blocking(starter, today=None):
    """The documents that keep a new accompaniment from being offered to ``starter``."""
    return [document for document in documents_of(starter, today) if document.blocks]


def blocked_message(starter, documents):
    """Why ``starter`` cannot be offered a new accompaniment (for staff)."""
    return _(
        "No new accompaniment can be offered to %(name)s until their documents are renewed "
        "(%(problems)s). Please record the renewed documents on their page first."
    ) % {"name": starter.name, "problems": "; ".join(d.problem for d in documents)}


def with_documents(starters):
    """What ``documents_of`` reads, for a queryset of volunteers."""
    return starters.select_related("office", "user").with_exchange_counted_from()


def needing_attention(office, today=None):
    """(volunteer, documents) of the office's volunteers with a required document due
    soon, expired, or missing where that blocks; by name. Retired volunteers are left out."""
    starters = with_documents(
        Starter.objects.for_office(office).exclude(status=Starter.Status.RETIRED)
    ).order_by("user__name")
    rows = []
    for starter in starters:
        documents = [d for d in documents_of(starter, today) if d.needs_attention]
        if documents:
            rows.append((starter, documents))
    return rows
