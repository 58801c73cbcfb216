"""The audit trail of reads and changes of personal data."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntryError(Exception):
    """Audit entries are written once: they are never changed (but anonymised) or deleted."""


class AuditEntryQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes, so that no code path rewrites the trail by accident.

    Django's cascades go through the plain base manager: deleting a user or a content type
    still sets the entries' links to NULL, and the copied labels keep the record readable.
    """

    def update(self, **kwargs):
        raise AuditEntryError("Audit entries cannot be changed.")

    def delete(self):
        raise AuditEntryError("Audit entries cannot be deleted.")

    def for_office(self, office):
        return self.filter(office=office)


class AuditEntry(models.Model):
    """Who looked at an export or changed personal data, permissions or legal texts.

    Only the names of changed fields are kept, never their values. Written by
    ``kontaktstelle.audit.services.record``; the labels of actor and target are copied, so that an
    entry stays readable when the person or record is gone. ``anonymise_person`` is the
    only change ever made to an entry: when a person's data is erased.
    """

    class Action(models.TextChoices):
        EXPORT = "export", _("export viewed or downloaded")
        PERSONAL_DATA_CHANGED = "personal_data_changed", _("personal data changed")
        PERSONAL_DATA_DELETED = "personal_data_deleted", _("personal data deleted or erased")
        PERMISSIONS_CHANGED = "permissions_changed", _("permissions changed")
        ACCOUNT_CREATED = "account_created", _("account created")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("account deactivated")
        ACCOUNT_REACTIVATED = "account_reactivated", _("account reactivated")
        LEGAL_TEXT_CHANGED = "legal_text_changed", _("legal text changed")
        RECORD_CORRECTED = "record_corrected", _("record corrected")

    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    actor_label = models.CharField(_("by (as recorded)"), max_length=300, blank=True)
    office = models.ForeignKey(
        "kontaktstelle.Office",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="audit_entries",
        null=True,
        blank=True,
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    target_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("kind of record"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    target_id = models.CharField(_("record number"), max_length=64, blank=True)
    target_label = models.CharField(_("record"), max_length=300, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person concerned"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("The person with an account whose data the entry is about."),
    )
    fields = models.JSONField(
        _("changed fields"),
        default=list,
        blank=True,
        help_text=_("Labels of the changed fields; values are not copied here."),
    )
    request_id = models.CharField(_("request ID"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["office", "-at"], name="kontaktstelle_audit_office_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.target_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEntryError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryError("Audit entries cannot be deleted.")

    @classmethod
    def anonymise_person(cls, user):
        """Remove what names an erased person from the trail; the entries themselves stay.

        Where they acted, their name and IP address are removed; where the entry is about
        them, its record label. Time, action, office and field names stay, so the trail
        still shows that something was done. Returns the number of entries anonymised.
        """
        entries = models.QuerySet(cls).filter(Q(actor=user) | Q(subject=user))
        count = entries.count()
        now = timezone.now()
        # The plain QuerySet: the one sanctioned update of the trail.
        models.QuerySet(cls).filter(actor=user).update(
            actor_label="", ip_address=None, anonymised_at=now
        )
        models.QuerySet(cls).filter(subject=user).update(target_label="", anonymised_at=now)
        return count
