"""Notifications: shown in the app, e-mailed exactly once.

``notify`` records a notification at most once per user, kind and occasion (the
database's unique constraint decides, so concurrent runs cannot both create it) and
e-mails it after the transaction commits, unless the user chose to get this kind in
the app only (``NotificationPreference``). ``deliver`` claims a notification by a
conditional update before sending, so two processes never send the same one; a failed
send is released and retried by the next ``send_reminders`` run.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation

from kontaktstelle.notifications.models import Notification, NotificationPreference

logger = logging.getLogger(__name__)

# A claim older than this is taken to be from a process that died while sending.
STALE_CLAIM = datetime.timedelta(minutes=30)


def absolute(url):
    return url if url.startswith("http") else f"{settings.SITE_URL}{url}"


def notify(user, kind, key, subject, body, url):
    """Record a notification unless this occasion was already notified; e-mail it.

    Returns the new notification, or None when it existed already.
    """
    by_email = wants_email(user, kind)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user,
                kind=kind,
                key=key,
                subject=str(subject)[:200],
                body=str(body)[:2000],
                url=url,
                by_email=by_email,
            )
    except IntegrityError:
        return None
    if by_email:
        transaction.on_commit(lambda: deliver(notification.pk))
    return notification


def wants_email(user, kind):
    """False when the user chose to get this kind of notification in the app only."""
    return not NotificationPreference.objects.filter(user=user, kind=kind, by_email=False).exists()


def mark_done(urls, kinds=None):
    """Notifications that link to these pages are done (read): their matter was handled."""
    done = Notification.objects.filter(url__in=list(urls), read_at__isnull=True)
    if kinds is not None:
        done = done.filter(kind__in=kinds)
    return done.update(read_at=timezone.now())


def unclaimed(now):
    """Rows no process is sending: never claimed, or claimed by one that died."""
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)


def _claim(pk, now):
    return (
        Notification.objects.filter(pk=pk, emailed_at__isnull=True, by_email=True)
        .filter(unclaimed(now))
        .update(claimed_at=now)
        == 1
    )


def deliver(pk):
    """E-mail one notification unless another process has it; True when sent here."""
    now = timezone.now()
    if not _claim(pk, now):
        return False
    notification = Notification.objects.select_related("user").get(pk=pk)
    text = f"{notification.body}\n\n{absolute(notification.url)}\n"
    try:
        with translation.override(settings.LANGUAGE_CODE):
            send_mail(notification.subject, text, None, [notification.user.email])
    except Exception:
        logger.warning("Notification %s could not be e-mailed; retried later.", pk, exc_info=True)
        Notification.objects.filter(pk=pk).update(claimed_at=None)
        return False
    Notification.objects.filter(pk=pk).update(emailed_at=timezone.now())
    return True


def deliver_pending():
    """Send every notification not e-mailed yet (also those a failed run left)."""
    now = timezone.now()
    pending = Notification.objects.filter(emailed_at__isnull=True, by_email=True).filter(
        unclaimed(now)
    )
    return sum(deliver(pk) for pk in pending.values_list("pk", flat=True))


def email_choices(user):
    """{kind: also by e-mail} for every kind the user's role can receive."""
    kinds = user.notification_kinds()
    muted = set(
        NotificationPreference.objects.filter(user=user, by_email=False).values_list(
            "kind", flat=True
        )
    )
    return {kind: kind not in muted for kind in kinds}


@transaction.atomic
def save_email_choices(user, choices):
    """Store which kinds the user also wants by e-mail (kinds of other roles are ignored)."""
    allowed = set(user.notification_kinds())
    for kind, by_email in choices.items():
        if kind in allowed:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"by_email": bool(by_email)}
            )
