"""State changes of a volunteer's documents: a renewed agreement, a police certificate
seen, the office's rules; and the check that keeps an offer from a volunteer whose
required documents have expired."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontaktstelle.audit import services as audit
from starters.documents import blocked_message, blocking, with_documents
from starters.models import Starter
from starters.services.errors import StarterError


def check_documents(starter, today=None):
    """Raise StarterError when an expired required document keeps ``starter`` from a new
    offer (also a required police certificate never seen)."""
    starter = with_documents(Starter.objects.filter(pk=starter.pk)).get()
    if documents := blocking(starter, today):
        raise StarterError(blocked_message(starter, documents))


def _not_in_future(day, label):
    if day > timezone.localdate():
        raise StarterError(_("%(date)s cannot be in the future.") % {"date": label})


@transaction.atomic
def record_agreement(acting, starter, signed_on):
    """Record the volunteer agreement signed (the first time) or renewed on ``signed_on``;
    its validity starts again from that day. The first signing is kept (it says since
    when the person volunteers); an older date than the one in force is refused."""
    starter = Starter.objects.select_for_update().get(pk=starter.pk, office=acting.office)
    first = starter.agreement_signed_on
    name = "agreement_renewed_on" if first else "agreement_signed_on"
    field = Starter._meta.get_field(name)
    _not_in_future(signed_on, field.verbose_name)
    current = max((d for d in (first, starter.agreement_renewed_on) if d), default=None)
    if current and signed_on < current:
        raise StarterError(
            _("A newer agreement, signed on %(date)s, is already recorded.")
            % {"date": current.strftime("%d.%m.%Y")}
        )
    setattr(starter, name, signed_on)
    starter.save(update_fields=[name, "updated_at"])
    audit.record(
        acting, audit.Action.PERSONAL_DATA_CHANGED, target=starter, changes=[field.verbose_name]
    )
    return starter


@transaction.atomic
def record_police_certificate(acting, starter, issued_on, seen_on):
    """Record that staff saw an extended police certificate dated ``issued_on`` on
    ``seen_on``. Nothing of the certificate itself is kept; an older certificate than the
    one recorded is refused."""
    starter = Starter.objects.select_for_update().get(pk=starter.pk, office=acting.office)
    issued = Starter._meta.get_field("police_certificate_issued_on")
    seen = Starter._meta.get_field("police_certificate_seen_on")
    _not_in_future(issued_on, issued.verbose_name)
    _not_in_future(seen_on, seen.verbose_name)
    if seen_on < issued_on:
        raise StarterError(_("The certificate cannot have been seen before its date."))
    current = starter.police_certificate_issued_on
    if current and issued_on < current:
        raise StarterError(
            _("A newer certificate, dated %(date)s, is already recorded.")
            % {"date": current.strftime("%d.%m.%Y")}
        )
    starter.police_certificate_issued_on = issued_on
    starter.police_certificate_seen_on = seen_on
    starter.save(
        update_fields=["police_certificate_issued_on", "police_certificate_seen_on", "updated_at"]
    )
    audit.record(
        acting,
        audit.Action.PERSONAL_DATA_CHANGED,
        target=starter,
        changes=[issued.verbose_name, seen.verbose_name],
    )
    return starter


@transaction.atomic
def save_document_rules(acting, form):
    """Save the rules of the acting office admin's office for volunteers' documents.

    Validity is computed from the dates whenever it is read, so new rules apply at once
    to every volunteer; reminders follow the new end dates."""
    if not acting.is_office_admin or form.instance.pk != acting.office.pk:
        raise StarterError(_("Only the office's admins change its rules."))
    return form.save()
