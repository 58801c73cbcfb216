"""Consent records: given, kept in step with the date fields, withdrawn.

What differs per kind of subject (its scope, the date field on its form, the text of
the record, what withdrawing does) is registered with ``register``; the privacy
package registers groups, requests and volunteers when the project loads.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kontaktstelle.audit import services as audit
from kontaktstelle.consent.models import Consent


class PrivacyError(Exception):
    """A withdrawal, export or erasure that cannot be done; the message is for users."""


@dataclass(frozen=True)
class Subject:
    """How consents of one model are kept.

    ``date_field``: the date staff enter on its form (None: only given on the web form).
    ``text``: the text of a record staff make, from the subject. ``withdraw(acting,
    subject, now)``: applies a withdrawal to the locked subject, returns the labels of
    what changed (default: the date field is cleared). ``in_force(subject)``: whether
    a consent is in force without a record (default: the date field is set).
    """

    scope: str
    date_field: str | None = None
    text: Any = None
    withdraw: Any = None
    in_force: Any = None


SUBJECTS: dict[type, Subject] = {}


def register(model, subject):
    SUBJECTS[model] = subject


def end_consents(acting, consents, now):
    """Mark the consents still in force as withdrawn, once (a conditional update)."""
    return consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now, withdrawn_by=acting)


def record_web_consent(inquiry, text, channel=Consent.Channel.WEB_FORM, recorded_by=None):
    """Record the consent a visitor gave on a public form, with the exact text shown
    (or, with ``channel`` and ``recorded_by``, one staff took by phone or in person).

    Call it in the transaction that creates the request.
    """
    return Consent.objects.create(
        office=inquiry.office,
        scope=Consent.Scope.INQUIRY,
        inquiry=inquiry,
        text=str(text),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        channel=channel,
        given_at=inquiry.consent_at,
        recorded_by=recorded_by,
    )


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _consents_of(subject):
    scope = SUBJECTS[type(subject)].scope
    return Consent.objects.filter(**{Consent.SUBJECT_FIELDS[scope]: subject})


@transaction.atomic
def sync_consent(acting, subject, channel=None):
    """Make the consent record in force match the date staff entered on the subject's form.

    ``subject`` is a group (consent to publish its contact data) or a starter (consent to
    data processing); ``channel`` is how it was given (on paper when not said). A new
    date records a consent, a corrected date or scope corrects the record, a cleared
    date withdraws it. Returns the record in force, or None.
    """
    kind = SUBJECTS[type(subject)]
    scope, date_field, make_text = kind.scope, kind.date_field, kind.text
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
    kind = SUBJECTS[model]
    date_field = kind.date_field
    consents = _consents_of(subject)
    in_force = consents.active().exists() or (
        kind.in_force(subject) if kind.in_force else getattr(subject, date_field) is not None
    )
    if not in_force:
        raise PrivacyError(_("There is no consent in force to withdraw."))
    now = timezone.now()
    end_consents(acting, consents, now)
    if kind.withdraw:
        changes = kind.withdraw(acting, subject, now)
    else:
        setattr(subject, date_field, None)
        subject.save(update_fields=[date_field, "updated_at"])
        changes = [model._meta.get_field(date_field).verbose_name]
    audit.record(acting, audit.Action.PERSONAL_DATA_CHANGED, target=subject, changes=changes)
    return subject
