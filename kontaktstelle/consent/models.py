"""Consent records: what a person agreed to, when, through which channel, and its withdrawal.

A record proves a consent (GDPR Art. 7(1)): it keeps the exact text shown or signed and
its SHA-256 hash, the language, the channel and who recorded it. The older date fields
(``Inquiry.consent_at``, ``Group.consent_published_on``, ``Starter.consent_given_on``)
stay what the directory and the database constraints read; the service functions in
``kontaktstelle.privacy`` keep both in step.

Imported at the end of ``kontaktstelle.models`` so that Django finds the model.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontaktstelle.offices.models import Office, OfficeScopedQuerySet


def text_hash(text):
    return hashlib.sha256(str(text).encode()).hexdigest()


class ConsentQuerySet(OfficeScopedQuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """One consent given by a visitor, a group or an In-Gang-Setzer:in."""

    class Scope(models.TextChoices):
        INQUIRY = "inquiry", _("processing a request to the office")
        GROUP_PUBLICATION = (
            "group_publication",
            _("publishing the group's contact data in the directory"),
        )
        STARTER_DATA = "starter_data", _("processing an In-Gang-Setzer:in's data")

    class Channel(models.TextChoices):
        WEB_FORM = "web_form", _("web form")
        PAPER = "paper", _("on paper")
        IN_PERSON = "in_person", _("in person")
        EMAIL = "email", _("e-mail")
        PHONE = "phone", _("by phone")

    # The subject field of each scope; exactly that one is set (a database constraint).
    SUBJECT_FIELDS = {
        Scope.INQUIRY: "inquiry",
        Scope.GROUP_PUBLICATION: "group",
        Scope.STARTER_DATA: "starter",
    }

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="consents"
    )
    scope = models.CharField(_("consent to"), max_length=30, choices=Scope.choices)
    inquiry = models.ForeignKey(
        "groups.Inquiry",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="consents",
        null=True,
        blank=True,
    )
    group = models.ForeignKey(
        "groups.Group",
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="consents",
        null=True,
        blank=True,
    )
    starter = models.ForeignKey(
        "starters.Starter",
        verbose_name=_("In-Gang-Setzer:in"),
        on_delete=models.CASCADE,
        related_name="consents",
        null=True,
        blank=True,
    )
    text = models.TextField(
        _("text consented to"), help_text=_("Exactly as shown or signed, in that language.")
    )
    text_sha256 = models.CharField(_("SHA-256 hash of the text"), max_length=64)
    language = models.CharField(_("language of the text"), max_length=10)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    given_at = models.DateTimeField(_("given"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty when the person gave it themselves on the web form."),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    scope="inquiry", inquiry__isnull=False, group__isnull=True, starter__isnull=True
                )
                | Q(
                    scope="group_publication",
                    inquiry__isnull=True,
                    group__isnull=False,
                    starter__isnull=True,
                )
                | Q(
                    scope="starter_data",
                    inquiry__isnull=True,
                    group__isnull=True,
                    starter__isnull=False,
                ),
                name="kontaktstelle_consent_subject_matches_scope",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_by__isnull=True) | Q(withdrawn_at__isnull=False),
                name="kontaktstelle_consent_withdrawn_by_needs_date",
            ),
            # One consent in force per subject; a withdrawn one may be followed by a new one.
            models.UniqueConstraint(
                fields=["inquiry"],
                condition=Q(withdrawn_at__isnull=True, inquiry__isnull=False),
                name="kontaktstelle_consent_one_active_per_inquiry",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(withdrawn_at__isnull=True, group__isnull=False),
                name="kontaktstelle_consent_one_active_per_group",
            ),
            models.UniqueConstraint(
                fields=["starter"],
                condition=Q(withdrawn_at__isnull=True, starter__isnull=False),
                name="kontaktstelle_consent_one_active_per_starter",
            ),
        ]

    def __str__(self):
        return f"{self.get_scope_display()} ({self.given_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        self.text_sha256 = text_hash(self.text)
        super().save(*args, **kwargs)

    @property
    def subject(self):
        return getattr(self, self.SUBJECT_FIELDS[self.scope])

    @property
    def is_active(self):
        return self.withdrawn_at is None
