"""The apps' kinds of consent (groups, requests, volunteers), registered with the base's
consent services when the project loads (``KontaktstelleConfig.ready``)."""

from django.utils.translation import gettext as _

from groups import services as group_services
from groups.models import Group, GroupChange, Inquiry
from groups.privacy import INQUIRY_PERSONAL
from kontaktstelle.consent.models import Consent
from kontaktstelle.consent.services import Subject, register
from kontaktstelle.privacy.people import anonymise_inquiries
from starters.models import Starter


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


def _withdraw_request(acting, inquiry, now):
    """A request's personal data is removed; it still counts."""
    anonymise_inquiries(Inquiry.objects.filter(pk=inquiry.pk), now)
    return [Inquiry._meta.get_field(name).verbose_name for name in INQUIRY_PERSONAL]


def _withdraw_publication(acting, group, now=None):
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


def register_subjects():
    register(
        Inquiry,
        Subject(
            Consent.Scope.INQUIRY,
            withdraw=_withdraw_request,
            in_force=lambda inquiry: inquiry.anonymised_at is None,
        ),
    )
    register(
        Group,
        Subject(
            Consent.Scope.GROUP_PUBLICATION,
            "consent_published_on",
            _group_consent_text,
            withdraw=_withdraw_publication,
        ),
    )
    register(
        Starter, Subject(Consent.Scope.STARTER_DATA, "consent_given_on", _starter_consent_text)
    )
