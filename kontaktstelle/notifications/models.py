"""Notifications, the users' choice of e-mail per kind, and the outbox."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something a user should know or do, shown in the app and sent by e-mail once.

    ``key`` names the occasion (e.g. ``meeting:12:2026-11-24``); the unique constraint on
    user, kind and key is what makes a reminder go out once, however many servers run
    ``send_reminders`` at the same time. Delivery is claimed by a conditional update.
    """

    class Kind(models.TextChoices):
        OFFER = "offer", _("new offer")
        MEETING_TOMORROW = "meeting_tomorrow", _("accompanied meeting tomorrow")
        LOG_MISSING = "log_missing", _("meeting log missing")
        PLANNED_END = "planned_end", _("accompaniment at its planned end")
        FOLLOW_UP = "follow_up", _("follow-up due")
        CONFIRMATION = "confirmation", _("group's yearly confirmation due")
        TALK = "talk", _("In-Gang-Setzer:in would like to talk")
        TOPIC_CONFLICT = "topic_conflict", _("group topic affects an In-Gang-Setzer:in")
        OFFER_ANSWERED = "offer_answered", _("offer accepted or declined")
        OFFER_WITHDRAWN = "offer_withdrawn", _("offer withdrawn by the office")
        CERTIFICATE_SIGNED = "certificate_signed", _("certificate signed off")
        FOUNDING_EXCHANGE = "founding_exchange", _("enough people for a new group")
        DOCUMENT_EXPIRING = "document_expiring", _("document due for renewal")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("occasion"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=2000)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(_("being sent since"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    by_email = models.BooleanField(_("also by e-mail"), default=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key"], name="kontaktstelle_notification_once"
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.user}: {self.subject}"


class NotificationPreference(models.Model):
    """A user's choice for one kind of notification: in the app only, or also by e-mail.

    Without a row a kind is also e-mailed; notifications are always shown in the app.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Notification.Kind.choices)
    by_email = models.BooleanField(_("also by e-mail"), default=True)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="kontaktstelle_notificationpreference_once"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.by_email}"


class OutgoingEmail(models.Model):
    """An e-mail on its way (an invitation, a password reset): sent after the commit,
    retried by ``send_reminders`` while the mail server is down or slow.

    A row exists only while its e-mail waits: it is deleted once sent, or when it could
    not be sent before ``expires_at`` (its link would no longer work).
    """

    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    claimed_at = models.DateTimeField(_("being sent since"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.subject} ({self.created_at:%Y-%m-%d %H:%M})"
