"""The audit trail: who looked at an export and who changed personal data or permissions.

Services call ``record`` in the transaction of the change, so an entry exists exactly
when the change does. Entries name the fields that changed, never their values.
"""

import ipaddress

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models

from kontaktstelle.audit.models import AuditEntry
from kontaktstelle.web.clients import client_ip
from kontaktstelle.web.request_id import current_request

Action = AuditEntry.Action


def record(actor, action, target=None, office=None, changes=(), request=None):
    """Write one audit entry and return it.

    ``target`` is the record concerned (a model instance) or, for an export, a plain
    label such as its file name. Its label is copied: a model may define ``audit_label``
    to keep names of people without an account (visitors) out of the trail. ``office``
    defaults to the target's office, then the actor's. ``changes`` are the labels of
    the changed fields. ``request`` defaults to the request being handled, for its
    request ID and IP address.
    """
    actor = actor if actor is not None and actor.is_authenticated else None
    request = request or current_request()
    target_type, target_id, target_label = None, "", ""
    if isinstance(target, models.Model):
        target_type = ContentType.objects.get_for_model(target)
        target_id = str(target.pk)
        target_label = _label(target)
    elif target is not None:
        target_label = str(target)
    office = office or _office_of(target) or _office_of(actor)
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=_label(actor) if actor else "",
        office=office,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:300],
        subject=_subject_of(target),
        fields=[str(label) for label in changes],
        request_id=getattr(request, "request_id", ""),
        ip_address=_ip_address(request),
    )


def changed_labels(*forms):
    """Labels of what changed in forms and formsets (a formset counts as its model's name)."""
    labels = []
    for form in forms:
        if hasattr(form, "forms"):  # a formset
            if form.has_changed():
                labels.append(str(form.model._meta.verbose_name))
        else:
            labels += [str(form.fields[name].label) for name in form.changed_data]
    return labels


def _label(obj):
    if isinstance(obj, get_user_model()):
        return f"{obj.name} ({obj.email})" if obj.name else obj.email
    return str(getattr(obj, "audit_label", None) or obj)[:300]


def _subject_of(target):
    """The person with an account whose data the target is: a user, or what has one."""
    if isinstance(target, get_user_model()):
        return target
    user = getattr(target, "user", None) if isinstance(target, models.Model) else None
    return user if isinstance(user, get_user_model()) else None


def _office_of(obj):
    office = getattr(obj, "office", None) if isinstance(obj, models.Model) else None
    return office if isinstance(office, apps.get_model("kontaktstelle", "Office")) else None


def _ip_address(request):
    if request is None:
        return None
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None
