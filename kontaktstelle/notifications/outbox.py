"""E-mails that must not be lost while the mail server is down or slow.

``send`` stores the e-mail and tries it once after the transaction commits; what
cannot be sent then stays in the outbox and ``send_pending`` (run by
``send_reminders``) tries again. A row is claimed by a conditional update before it is
sent, so two processes never send the same e-mail, and it is deleted once sent: the
outbox holds a text (with its link) only while it waits. An e-mail whose link has
expired before it could be sent is dropped, since it would only disappoint.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kontaktstelle.notifications.models import OutgoingEmail
from kontaktstelle.notifications.services import unclaimed

logger = logging.getLogger(__name__)


def send(recipient, subject, body, valid_for, after_commit=True):
    """Queue an e-mail and try to send it after the commit; returns the queued row.

    ``valid_for`` is how long its content is of use (e.g. the lifetime of its link).
    ``after_commit=False`` tries at once, for an e-mail that depends on no row being
    written (a password reset).
    """
    email = OutgoingEmail.objects.create(
        recipient=recipient,
        subject=str(subject)[:200],
        body=str(body),
        expires_at=timezone.now() + valid_for,
    )
    if after_commit:
        transaction.on_commit(lambda: deliver(email.pk))
    else:
        deliver(email.pk)
    return email


def deliver_to(recipient):
    """Send what waits for ``recipient`` now; True when nothing is left waiting.

    For a page that wants to tell its user whether the e-mail went out (the attempt
    after the commit may have been made already: then there is nothing left to do).
    """
    waiting = OutgoingEmail.objects.filter(recipient=recipient).values_list("pk", flat=True)
    for pk in waiting:
        deliver(pk)
    return not OutgoingEmail.objects.filter(recipient=recipient).exists()


def _claim(pk, now):
    return (
        OutgoingEmail.objects.filter(pk=pk, expires_at__gt=now)
        .filter(unclaimed(now))
        .update(claimed_at=now, attempts=F("attempts") + 1)
        == 1
    )


def deliver(pk):
    """Send one queued e-mail unless another process has it; True when sent here."""
    if not _claim(pk, timezone.now()):
        return False
    email = OutgoingEmail.objects.get(pk=pk)
    try:
        send_mail(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.recipient])
    except Exception:
        logger.warning("E-mail %s could not be sent; it is tried again later.", pk, exc_info=True)
        OutgoingEmail.objects.filter(pk=pk).update(claimed_at=None)
        return False
    OutgoingEmail.objects.filter(pk=pk).delete()
    return True


def send_pending():
    """Try every waiting e-mail again; drop those whose link has expired. Returns the sent."""
    now = timezone.now()
    expired, _ = OutgoingEmail.objects.filter(expires_at__lte=now).delete()
    if expired:
        logger.warning("%s e-mail(s) expired before they could be sent.", expired)
    waiting = OutgoingEmail.objects.filter(unclaimed(now))
    return sum(deliver(pk) for pk in waiting.values_list("pk", flat=True))
