"""State changes of a volunteer's record: creating (and inviting) and saving their profile."""

from django.db import transaction
from django.utils import timezone

from kontaktstelle.accounts.invitations import send_invitation
from kontaktstelle.accounts.models import Membership, User
from kontaktstelle.audit import services as audit
from kontaktstelle.consent import services as consent
from starters.models import (
    Starter,
)


@transaction.atomic
def create_starter(acting, form, availability_formset, build_absolute_uri):
    """Create the account, the starter role and the profile, then e-mail an invitation.

    The account has no usable password until the starter sets one through the link.
    """
    user = User.objects.create_user(
        email=form.cleaned_data["email"], name=form.cleaned_data["name"], password=None
    )
    Membership.objects.create(user=user, role=Membership.Role.STARTER, office=acting.office)
    starter = form.save(commit=False)
    starter.user = user
    starter.office = acting.office
    starter.save()
    form.save_m2m()
    availability_formset.instance = starter
    availability_formset.save()
    consent.sync_consent(acting, starter, form.cleaned_data.get("consent_channel"))
    send_invitation(user, acting, build_absolute_uri)
    audit.record(acting, audit.Action.ACCOUNT_CREATED, target=user)
    return starter


@transaction.atomic
def save_profile(acting, form, availability_formset):
    """Save a starter's profile (staff's form or their own), availability and account.

    A change of status restarts its date; a starter who is no longer paused has no
    date to pause until. The audit trail names the fields that changed, not their values.
    """
    starter = form.save(commit=False)
    if "status" in form.changed_data:
        starter.status_since = timezone.localdate()
    if starter.status != Starter.Status.PAUSED:
        starter.paused_until = None
    user = starter.user
    for field in ("name", "email"):
        if field in form.cleaned_data:
            setattr(user, field, form.cleaned_data[field])
    user.save(update_fields=["name", "email"])
    starter.save()
    form.save_m2m()
    availability_formset.save()
    if "consent_given_on" in form.cleaned_data:  # the staff's form, not the starter's own
        consent.sync_consent(acting, starter, form.cleaned_data.get("consent_channel"))
    if changes := audit.changed_labels(form, availability_formset):
        audit.record(acting, audit.Action.PERSONAL_DATA_CHANGED, target=starter, changes=changes)
    return starter


def _qualify(starter, qualifications):
    """Grant qualifications; a starter in training becomes active."""
    if not qualifications:
        return
    starter.qualifications.add(*qualifications)
    if starter.status == Starter.Status.IN_TRAINING:
        starter.status = Starter.Status.ACTIVE
        starter.status_since = timezone.localdate()
        starter.save(update_fields=["status", "status_since", "updated_at"])
