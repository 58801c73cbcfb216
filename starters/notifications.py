"""What the programme tells its people, in the app and (unless they chose otherwise) by
e-mail: each message once, after the change it reports has been committed.

- a starter: a new offer (with everything needed to answer it), an offer withdrawn,
  a certificate signed off;
- the responsible staff member: an offer accepted or declined (with the reason).
"""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kontaktstelle.notifications.models import Notification
from kontaktstelle.notifications.services import mark_done, notify
from starters.models import Assignment
from starters.models.accompaniments import OFFER_REMINDER_AFTER


def first_name(user):
    return (user.get_full_name() or "").split(" ")[0] or user.get_short_name()


def offer_details(assignment):
    """What a starter needs to answer an offer: shown on the offer page and e-mailed."""
    accompaniment = assignment.accompaniment
    responsible = accompaniment.responsible
    office = accompaniment.office
    # The others asked or on it (also after it ended), never the starter themself.
    partners = [
        first_name(other.starter.user)
        for other in accompaniment.assignments.filter(
            state__in=[Assignment.State.OFFERED, Assignment.State.ACCEPTED, Assignment.State.ENDED]
        )
        .exclude(starter_id=assignment.starter_id)
        .select_related("starter__user")
    ]
    return {
        "assignment": assignment,
        "accompaniment": accompaniment,
        "answer_by": timezone.localdate(assignment.offered_at + OFFER_REMINDER_AFTER),
        "contact_name": responsible.get_full_name() or responsible.get_short_name(),
        "contact_email": responsible.email,
        "contact_phone": office.phone,
        "partners": partners,
    }


def offer_made(assignment):
    """Tell the starter about a new offer, with the link to answer it."""
    assignment = Assignment.objects.select_related(
        "starter__user",
        "accompaniment__group",
        "accompaniment__responsible",
        "accompaniment__office",
    ).get(pk=assignment.pk)
    notify(
        assignment.starter.user,
        Notification.Kind.OFFER,
        f"offer:{assignment.pk}",
        _("New accompaniment offer: %(group)s") % {"group": assignment.accompaniment.group},
        render_to_string("starters/offer_email.txt", offer_details(assignment)).strip(),
        assignment.get_absolute_url(),
    )


def offer_answered(assignment):
    """Tell the responsible staff member that the starter accepted or declined."""
    accompaniment = assignment.accompaniment
    values = {"name": assignment.starter.name, "group": accompaniment.group.name}
    if assignment.state == Assignment.State.ACCEPTED:
        subject = _("%(name)s accepted “%(group)s”") % values
        body = _("%(name)s takes on the accompaniment of “%(group)s”.") % values
    else:
        subject = _("%(name)s declined “%(group)s”") % values
        body = _("%(name)s cannot take on the accompaniment of “%(group)s”.") % values
        if assignment.decline_reason:
            body += "\n" + _("Reason: %(reason)s") % {"reason": assignment.decline_reason}
        body += "\n" + _("Please ask someone else.")
    notify(
        accompaniment.responsible,
        Notification.Kind.OFFER_ANSWERED,
        f"answer:{assignment.pk}",
        subject,
        body,
        accompaniment.get_absolute_url(),
    )
    # The offer's own notification is done now: answered.
    mark_done([assignment.get_absolute_url()], [Notification.Kind.OFFER])


def offer_withdrawn(assignment):
    """Tell the starter that the office took back an offer they had not answered."""
    mark_done([assignment.get_absolute_url()], [Notification.Kind.OFFER])
    notify(
        assignment.starter.user,
        Notification.Kind.OFFER_WITHDRAWN,
        f"withdrawn:{assignment.pk}",
        _("Offer withdrawn: %(group)s") % {"group": assignment.accompaniment.group},
        _(
            "The office has withdrawn its offer to accompany “%(group)s”. You need not "
            "answer it any more; thank you."
        )
        % {"group": assignment.accompaniment.group},
        reverse("starters:home"),
    )


def certificate_signed(certificate):
    """Tell the starter that their certificate can be printed."""
    notify(
        certificate.starter.user,
        Notification.Kind.CERTIFICATE_SIGNED,
        f"certificate:{certificate.pk}",
        _("Your certificate is signed off"),
        _(
            "Your office has signed off the certificate of your volunteer work from "
            "%(start)s to %(end)s. You can print it now."
        )
        % {
            "start": certificate.period_start.strftime("%d.%m.%Y"),
            "end": certificate.period_end.strftime("%d.%m.%Y"),
        },
        reverse("starters:own_certificate", kwargs={"pk": certificate.pk}),
    )


def accompaniment_closed(accompaniment):
    """A completed or cancelled accompaniment: its notifications are done."""
    urls = [accompaniment.get_absolute_url()]
    urls += [a.get_absolute_url() for a in accompaniment.assignments.all()]
    mark_done(urls)
