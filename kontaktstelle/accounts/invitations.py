"""Invitations: a single-use, expiring link by which a new user sets their first password.

No password is ever sent by e-mail; the link only lets its holder choose one.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kontaktstelle.accounts.models import Invitation
from kontaktstelle.notifications import outbox
from kontaktstelle.web import tokens


class InvitationError(Exception):
    """The link cannot be used (any more); the message is for the person holding it."""

    def __init__(self, message, state):
        super().__init__(message)
        self.state = state


@transaction.atomic
def send_invitation(user, invited_by, build_absolute_uri):
    """Replace any open invitation of ``user`` with a new one and e-mail its link.

    ``build_absolute_uri`` turns a path into a full address (``request.build_absolute_uri``).
    The e-mail goes through the outbox: sent after the transaction commits (so no link
    without a stored row), and retried while the mail server cannot take it.
    """
    now = timezone.now()
    Invitation.objects.filter(user=user).usable(now).update(revoked_at=now)
    token, token_hash = tokens.new()
    invitation = Invitation.objects.create(
        user=user,
        token_hash=token_hash,
        invited_by=invited_by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    office = invited_by.office
    context = {
        "user": user,
        "office": office,
        "invited_by": invited_by,
        "link": build_absolute_uri(reverse("accept_invitation", kwargs={"token": token})),
        "valid_days": settings.INVITATION_VALID_DAYS,
        "expires_at": invitation.expires_at,
    }
    subject = _("Your access to %(office)s") % {"office": office or "Kontaktstelle"}
    body = render_to_string("registration/invitation_email.txt", context)
    outbox.send(user.email, subject, body, valid_for=invitation.expires_at - now)
    return invitation


def get_usable_invitation(token):
    """The invitation of this link, or an ``InvitationError`` saying why it is unusable."""
    invitation = (
        Invitation.objects.select_related("user")
        .filter(token_hash=tokens.digest(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationError(
            _("This link is not valid. Please check that you copied it completely."),
            Invitation.State.REVOKED,
        )
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        raise InvitationError(
            _("This link has already been used. Please log in with your password."), state
        )
    if state == Invitation.State.REVOKED:
        raise InvitationError(
            _("This link was replaced by a newer invitation. Please use the newest e-mail."),
            state,
        )
    if state == Invitation.State.EXPIRED:
        raise InvitationError(
            _("This link has expired. Please ask your office to send you a new invitation."),
            state,
        )
    return invitation


@transaction.atomic
def accept_invitation(token, set_password_form):
    """Claim the invitation and save the chosen password, both or neither.

    The claim is a conditional update, so two requests with the same link (a double
    click, a forwarded e-mail) cannot both set a password.
    """
    invitation = get_usable_invitation(token)
    claimed = (
        Invitation.objects.filter(pk=invitation.pk).usable().update(accepted_at=timezone.now())
    )
    if not claimed:
        raise InvitationError(
            _("This link has already been used. Please log in with your password."),
            Invitation.State.ACCEPTED,
        )
    user = set_password_form.save()
    Invitation.objects.filter(user=user).usable().update(revoked_at=timezone.now())
    return user
