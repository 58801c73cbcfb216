"""Consent records: given, kept in step with the date fields, withdrawn."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groups import services as group_services
from groups.models import Group, GroupChange, Inquiry
from kontaktstelle.audit import services as audit
from kontaktstelle.consents import Consent
from kontaktstelle.privacy.base import PrivacyError, end_consents
from kontaktstelle.privacy.people import anonymise_inquiries
from kontaktstelle.privacy.registry import INQUIRY_PERSONAL
from starters.models import Starter


def record_web_consent(inquiry, text):
    """Record the consent a visitor gave on a public form, with the exact text shown.

    Call it in the transaction that creates the request.
    """
    return Consent.objects.create(
        office=inquiry.office,
        scope=Consent.Scope.INQUIRY,
        inquiry=inquiry,
        text=str(text),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        channel=Consent.Channel.WEB_FORM,
        given_at=inquiry.consent_at,
        recorded_by=None,
    )


def _group_consent_text(group):
    return _(
        "The group agreed to have its contact data published in the directory of "
        "%(office)s. Agreed scope: %(scope)s"
    ) % {"office": group.office, "scope": group.consent_scope or _("as entered by the office")}


def _starter_consent_text(starter):
    return _(
        "Consent to %(office)s storing and processing their personal data for the "
        "In-Gang-Setzer programme, given with the volunteer agreement."
    ) % {"office": starter.office}


# Per model of the subject: its scope, and for consents staff record, the date field
# on its form and the text of the record.
CONSENT_SUBJECTS = {
    Inquiry: (Consent.Scope.INQUIRY, None, None),
    Group: (Consent.Scope.GROUP_PUBLICATION, "consent_published_on", _group_consent_text),
    Starter: (Consent.Scope.STARTER_DATA, "consent_given_on", _starter_consent_text),
}


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _consents_of(subject):
    scope = CONSENT_SUBJECTS[type(subject)][0]
    return Consent.objects.filter(**{Consent.SUBJECT_FIELDS[scope]: subject})


@transaction.atomic
def sync_consent(acting, subject, channel=None):
    """Make the consent record in force match the date staff entered on the subject's form.

    ``subject`` is a group (consent to publish its contact data) or a starter (consent to
    data processing); ``channel`` is how it was given (on paper when not said). A new
    date records a consent, a corrected date or scope corrects the record, a cleared
    date withdraws it. Returns the record in force, or None.
    """
    scope, date_field, make_text = CONSENT_SUBJECTS[type(subject)]
    given_on = getattr(subject, date_field)
    active = _consents_of(subject).select_for_update().active().first()
    if given_on is None:
        if active:
            end_consents(acting, Consent.objects.filter(pk=active.pk), timezone.now())
        return None
    with translation.override(settings.LANGUAGE_CODE):  # the office's language, as signed
        text = make_text(subject)
    values = {
        "given_at": _start_of(given_on),
        "text": text,
        "channel": channel or Consent.Channel.PAPER,
        "recorded_by": acting,
    }
    if active is None:
        return Consent.objects.create(
            office=subject.office,
            scope=scope,
            language=settings.LANGUAGE_CODE,
            **{Consent.SUBJECT_FIELDS[scope]: subject},
            **values,
        )
    if (active.given_at, active.text) != (values["given_at"], text):
        for name, value in values.items():
            setattr(active, name, value)
        active.save()
    return active


@transaction.atomic
def withdraw_consent(acting, subject):
    """Record that the consent for ``subject`` was withdrawn, and apply it at once.

    - a group: its own e-mail address and phone leave the directory (contact runs
      through the office) and its meeting place is no longer shown;
    - a request (inquiry): its personal data is removed; it still counts;
    - a starter: the date of consent is cleared.

    Raises ``PrivacyError`` when no consent is in force.
    """
    model = type(subject)
    subject = model.objects.select_for_update().get(pk=subject.pk)
    date_field = CONSENT_SUBJECTS[model][1]
    consents = _consents_of(subject)
    in_force = consents.active().exists() or (
        getattr(subject, date_field) is not None if date_field else subject.anonymised_at is None
    )
    if not in_force:
        raise PrivacyError(_("There is no consent in force to withdraw."))
    now = timezone.now()
    end_consents(acting, consents, now)
    if model is Group:
        changes = _withdraw_publication(acting, subject)
    elif model is Inquiry:
        anonymise_inquiries(Inquiry.objects.filter(pk=subject.pk), now)
        changes = [Inquiry._meta.get_field(name).verbose_name for name in INQUIRY_PERSONAL]
    else:
        setattr(subject, date_field, None)
        subject.save(update_fields=[date_field, "updated_at"])
        changes = [model._meta.get_field(date_field).verbose_name]
    audit.record(acting, audit.Action.PERSONAL_DATA_CHANGED, target=subject, changes=changes)
    return subject


def _withdraw_publication(acting, group):
    """The group's own contact data leaves the directory; what changed, as field labels."""
    values = {
        "consent_published_on": None,
        "consent_scope": "",
        "contact_route": Group.ContactRoute.OFFICE,
        "public_email": "",
        "public_phone": "",
    }
    if group.listing == Group.Listing.PUBLIC_WITH_PLACE:
        values["listing"] = Group.Listing.PUBLIC_WITHOUT_PLACE
    changed = [name for name, value in values.items() if getattr(group, name) != value]
    for name, value in values.items():
        setattr(group, name, value)
    group.save(update_fields=[*values, "updated_at"])
    labels = [str(Group._meta.get_field(name).verbose_name) for name in changed]
    group_services.record_change(group, acting, GroupChange.Action.CHANGED, labels)
    return labels
